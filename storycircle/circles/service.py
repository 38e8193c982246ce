"""Circles on this machine: create, invite, accept, leave and remove members.

A :class:`Circles` is bound to one unlocked member. Every change of members
goes through :meth:`Circles.apply_roster`, the same path a change arriving
from a circle folder takes (:mod:`storycircle.circles.folder`), so the rules
of :func:`~storycircle.circles.roster.check_change` hold for both.
Sharing stories lives in :mod:`storycircle.circles.sharing`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path

from storycircle.circles.cards import MemberCard
from storycircle.circles.epochs import EpochKey, GrantError, new_epoch_key, open_grant
from storycircle.circles.roster import (
    ACTIVE,
    INVITED,
    LEFT,
    MAX_MEMBERS,
    MAX_NAME_LENGTH,
    REMOVED,
    Roster,
    RosterMember,
    updated,
)
from storycircle.circles.sealing import meta_context, profile_context, with_meta
from storycircle.errors import StorycircleError
from storycircle.journal import Clock, utc_now
from storycircle.keys import SealError
from storycircle.members import UnlockedMember, clean_pseudonym
from storycircle.models import (
    Circle,
    CircleMember,
    CircleMemberRecord,
    CircleRecord,
)
from storycircle.sanitize import sanitize_line
from storycircle.store import Store

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    """Progress callback that shows nothing."""


class CircleError(StorycircleError):
    """A circle action that cannot be done; the message says why."""


def clean_circle_name(raw: str) -> str:
    """A circle name fit to keep and show.

    Raises:
        CircleError: empty or too long.
    """
    name = sanitize_line(raw)
    if not name:
        raise CircleError("give the circle a name")
    if len(name) > MAX_NAME_LENGTH:
        raise CircleError(f"a circle name can be at most {MAX_NAME_LENGTH} characters")
    return name


def clean_folder(raw: str) -> str:
    """An existing folder as an absolute path, or "" for none.

    Raises:
        CircleError: it does not exist or is not a folder.
    """
    if not raw.strip():
        return ""
    path = Path(raw.strip()).expanduser()
    if not path.is_dir():
        raise CircleError(f"there is no folder at {sanitize_line(str(path))}")
    return str(path.resolve())


class Circles:
    """The circles of one unlocked member on this installation."""

    def __init__(self, store: Store, member: UnlockedMember, *, clock: Clock = utc_now) -> None:
        """Bind to a store and an unlocked member."""
        self.store = store
        self.rows = store.circles
        self.member = member
        self.clock = clock
        self._keys: dict[tuple[str, int], EpochKey] = {}

    # -- keys and rosters ------------------------------------------------------

    def key(self, circle_id: str, epoch: int) -> EpochKey:
        """The member's key to one epoch of a circle.

        Raises:
            CircleError: they hold no key to it (not in the circle, or left).
        """
        cached = self._keys.get((circle_id, epoch))
        if cached is not None:
            return cached
        blob = self.rows.grant(circle_id, epoch, self.member.id)
        if blob is None:
            raise CircleError("you are not in that circle (or no longer)")
        try:
            key = open_grant(blob, circle_id, epoch, self.member.identities)
        except GrantError as error:
            raise CircleError(str(error)) from None
        self._keys[(circle_id, epoch)] = key
        return key

    def record(self, circle_id: str) -> CircleRecord:
        """The stored row of a circle.

        Raises:
            CircleError: no such circle here.
        """
        record = self.rows.circle(circle_id)
        if record is None:
            raise CircleError(f"there is no circle {sanitize_line(circle_id)} here")
        return record

    def current_key(self, circle_id: str) -> EpochKey:
        """The member's key to a circle's current epoch."""
        return self.key(circle_id, self.record(circle_id).epoch)

    def _meta(self, record: CircleRecord, key: EpochKey) -> dict[str, str]:
        try:
            opened = key.scope.open(record.meta_sealed, meta_context(record.id, record.epoch))
            meta = json.loads(opened)
        except (SealError, ValueError):
            raise CircleError(f"the details of circle {record.id} are damaged") from None
        return {"name": str(meta.get("name", "")), "folder": str(meta.get("folder", ""))}

    def _pseudonym(self, row: CircleMemberRecord, key: EpochKey) -> str:
        try:
            opened = key.scope.open(
                row.profile_sealed, profile_context(row.circle_id, row.member_id)
            )
            return sanitize_line(str(json.loads(opened)["pseudonym"]))
        except (SealError, ValueError, KeyError, TypeError):
            return "unknown member"

    def roster(self, circle_id: str) -> Roster:
        """The circle's roster as known here, opened with the member's key."""
        record = self.record(circle_id)
        key = self.key(circle_id, record.epoch)
        members = tuple(
            RosterMember(
                row.member_id,
                row.recipient,
                row.signing_public,
                row.status,
                self._pseudonym(row, key),
            )
            for row in self.rows.members(circle_id)
        )
        return Roster(
            circle_id,
            self._meta(record, key)["name"],
            record.host_id,
            record.epoch,
            record.revision,
            record.epoch_recipient,
            members,
            self.rows.grants(circle_id, record.epoch),
        )

    def folder_of(self, circle_id: str) -> str:
        """The circle's folder on this machine, or ""."""
        record = self.record(circle_id)
        return self._meta(record, self.key(circle_id, record.epoch))["folder"]

    # -- listing -------------------------------------------------------------------

    def circles(self) -> list[Circle]:
        """Circles the member is in or invited to, oldest first."""
        found = []
        for record, _status in self.rows.circles_of(self.member.id):
            try:
                found.append(self.circle(record.id))
            except CircleError:
                continue  # a key that does not open: doctor reports it
        return found

    def circle(self, circle_id: str) -> Circle:
        """One circle as the member sees it.

        Raises:
            CircleError: not here, or the member is not in it.
        """
        roster = self.roster(circle_id)
        me = roster.member(self.member.id)
        return Circle(
            id=roster.circle_id,
            name=roster.name,
            epoch=roster.epoch,
            host_id=roster.host_id,
            folder=self.folder_of(circle_id),
            members=tuple(
                CircleMember(m.id, m.pseudonym, m.status, m.id == roster.host_id)
                for m in roster.members
            ),
            my_status=me.status if me is not None else REMOVED,
        )

    def find(self, text: str) -> Circle:
        """The circle whose name is ``text`` (any case) or whose id starts with it.

        Raises:
            CircleError: none, or more than one, matches.
        """
        wanted = sanitize_line(text)
        circles = self.circles()
        matches = [c for c in circles if c.name.casefold() == wanted.casefold()]
        matches = matches or [c for c in circles if wanted and c.id.startswith(wanted)]
        if not matches:
            raise CircleError(f'you are in no circle called "{wanted}"')
        if len(matches) > 1:
            raise CircleError(f'more than one circle is called "{wanted}"; use its id')
        return matches[0]

    # -- changes of members ------------------------------------------------------------

    def create(self, name: str, pseudonym: str = "", folder: str = "") -> Circle:
        """Start a circle hosted by the member, with a fresh epoch key.

        Raises:
            CircleError, StorycircleError: a bad name, pseudonym or folder.
        """
        circle_id = secrets.token_hex(8)
        me = self._self_entry(ACTIVE, pseudonym or self.member.pseudonym)
        key = new_epoch_key(circle_id, 1, [me.recipient])
        roster = Roster(
            circle_id,
            clean_circle_name(name),
            self.member.id,
            1,
            1,
            key.recipient,
            (me,),
            {me.id: key.grant_to(me.recipient)},
        )
        self.apply_roster(roster, key, None, folder=clean_folder(folder), signer_id=me.id)
        return self.circle(circle_id)

    def invite(self, circle_id: str, card: MemberCard) -> Circle:
        """Invite someone by their card (of this installation or another machine).

        Raises:
            CircleError: they are already in it, or were removed, or it is full.
        """
        old = self.roster(circle_id)
        self._require_live(old)
        existing = old.member(card.member_id)
        if existing is not None:
            raise CircleError(
                f"{existing.pseudonym} is already in this circle"
                if existing.live
                else f"{existing.pseudonym} left or was removed and cannot be invited again"
            )
        if len(old.members) >= MAX_MEMBERS:
            raise CircleError(f"a circle can have at most {MAX_MEMBERS} members")
        guest = RosterMember(
            card.member_id, card.key_text, card.signing_public, INVITED, card.pseudonym
        )
        key = self.key(circle_id, old.epoch)
        new = updated(
            old,
            members=old.with_member(guest),
            grants={**old.grants, guest.id: key.grant_to(guest.recipient)},
        )
        self.apply_roster(new, key, key, folder=self.folder_of(circle_id), signer_id=self.member.id)
        return self.circle(circle_id)

    def accept(self, circle_id: str, pseudonym: str) -> Circle:
        """Accept an invitation, choosing the pseudonym to use in this circle."""
        old = self.roster(circle_id)
        me = old.member(self.member.id)
        if me is None or me.status != INVITED:
            raise CircleError("there is no invitation to accept in that circle")
        return self._set_self(old, ACTIVE, clean_pseudonym(pseudonym))

    def rename_self(self, circle_id: str, pseudonym: str) -> Circle:
        """Change the pseudonym the member uses in one circle."""
        old = self.roster(circle_id)
        self._require_live(old)
        me = old.member(self.member.id)
        assert me is not None
        return self._set_self(old, me.status, clean_pseudonym(pseudonym))

    def leave(self, circle_id: str, progress: Progress = _no_progress) -> None:
        """Leave a circle (or decline an invitation): a new epoch for those who remain."""
        old = self.roster(circle_id)
        self._require_live(old)
        if self.member.id == old.host_id and len(old.live()) > 1:
            raise CircleError("you host this circle: remove the others first, or stay")
        self._rekey_without(old, self.member.id, LEFT, progress)

    def remove(self, circle_id: str, member_id: str, progress: Progress = _no_progress) -> None:
        """Remove a member (host only): a new epoch, and their key opens nothing more."""
        old = self.roster(circle_id)
        if self.member.id != old.host_id:
            raise CircleError("only the host of a circle can remove a member")
        target = old.member(member_id)
        if target is None or not target.live:
            raise CircleError("that member is not in the circle")
        if member_id == self.member.id:
            raise CircleError("the host cannot remove themselves; leave instead")
        self._rekey_without(old, member_id, REMOVED, progress)

    def set_folder(self, circle_id: str, folder: str) -> Circle:
        """Choose (or clear, with "") the folder this circle is shared through here."""
        record = self.record(circle_id)
        key = self.key(circle_id, record.epoch)
        meta = self._meta(record, key)
        self.rows.put_circle(with_meta(record, key, meta["name"], clean_folder(folder)))
        return self.circle(circle_id)

    def _self_entry(
        self, status: str, pseudonym: str, listed: RosterMember | None = None
    ) -> RosterMember:
        # Keys already listed stay as they are: a roster may not swap them.
        return RosterMember(
            self.member.id,
            listed.recipient if listed is not None else self.member.key_text,
            self.member.record.signing_public,
            status,
            clean_pseudonym(pseudonym),
        )

    def _set_self(self, old: Roster, status: str, pseudonym: str) -> Circle:
        me = self._self_entry(status, pseudonym, old.member(self.member.id))
        key = self.key(old.circle_id, old.epoch)
        new = updated(old, members=old.with_member(me))
        self.apply_roster(
            new, key, key, folder=self.folder_of(old.circle_id), signer_id=self.member.id
        )
        return self.circle(old.circle_id)

    def _require_live(self, roster: Roster) -> None:
        me = roster.member(self.member.id)
        if me is None or not me.live:
            raise CircleError("you are not in that circle (or no longer)")

    def _rekey_without(self, old: Roster, member_id: str, status: str, progress: Progress) -> None:
        gone = old.member(member_id)
        assert gone is not None
        members = old.with_member(
            RosterMember(gone.id, gone.recipient, gone.signing_public, status, gone.pseudonym)
        )
        old_key = self.key(old.circle_id, old.epoch)
        folder = self.folder_of(old.circle_id)
        remaining = [m for m in members if m.live]
        if not remaining:
            self.rows.delete_circle(old.circle_id)  # nobody left to read it
            return
        key = new_epoch_key(old.circle_id, old.epoch + 1, [m.recipient for m in remaining])
        new = updated(
            old,
            epoch=key.epoch,
            epoch_recipient=key.recipient,
            members=members,
            grants={m.id: key.grant_to(m.recipient) for m in remaining},
        )
        self.apply_roster(
            new, key, old_key, folder=folder, signer_id=self.member.id, progress=progress
        )

    # -- the one way a roster changes ---------------------------------------------------

    def apply_roster(
        self,
        new: Roster,
        key: EpochKey | None,
        old_key: EpochKey | None,
        *,
        folder: str,
        signer_id: str,
        progress: Progress = _no_progress,
        announce: bool = True,
    ) -> None:
        """Make ``new`` the circle's roster here, re-keying its stories if the epoch moved.

        Args:
            new: The roster to apply (checked against the one known here).
            key: The new epoch's key, or None when the member was left out
                of it (then only their own grants are dropped).
            old_key: The key of the epoch known here, or None for a new circle.
            folder: The circle's folder on this machine ("" for none).
            signer_id: Who made the change.
            progress: Called with (done, total) while stories are re-keyed.
            announce: Write the change to the circle folder (not when it came from there).

        Raises:
            CircleError: the change breaks a rule; nothing is written then.
        """
        from storycircle.circles.applying import apply_roster

        apply_roster(
            self,
            new,
            key,
            old_key,
            folder=folder,
            signer_id=signer_id,
            progress=progress,
            announce=announce,
        )

    def forget_keys(self, circle_id: str) -> None:
        """Drop the cached keys of a circle (after its roster changed)."""
        self._keys = {k: v for k, v in self._keys.items() if k[0] != circle_id}

    def remember_key(self, key: EpochKey) -> None:
        """Cache a key the member was just granted."""
        self._keys[(key.circle_id, key.epoch)] = key
