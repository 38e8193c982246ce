"""Circles on this machine: create, invite, accept, leave and remove members.

A :class:`Circles` is bound to one unlocked member. Every change of members
goes through :meth:`Circles.apply_roster`, the same path a change arriving
from a circle folder takes (:mod:`storycircle.circles.folder`), so the rules
of :func:`~storycircle.circles.roster.merge` hold for both. Only the host
starts a new epoch (:meth:`Circles.settle`): whoever leaves never holds the
next key.
Sharing stories lives in :mod:`storycircle.circles.sharing`.
"""

from __future__ import annotations

import json
import secrets

from storycircle.circles.cards import MemberCard
from storycircle.circles.context import Progress, no_progress
from storycircle.circles.epochs import EpochKey, GrantError, new_epoch_key, open_grant
from storycircle.circles.errors import CircleError
from storycircle.circles.events import EventError
from storycircle.circles.keysets import can_turn_hybrid, has_hybrid
from storycircle.circles.listing import clean_circle_name, clean_folder
from storycircle.circles.roster import (
    ACTIVE,
    INVITED,
    LEFT,
    MAX_MEMBERS,
    REMOVED,
    Roster,
    RosterMember,
    updated,
    waiting_for,
)
from storycircle.circles.sealing import meta_context, profile_context, with_meta
from storycircle.clock import Clock, utc_now
from storycircle.journal.members import UnlockedMember, clean_pseudonym
from storycircle.models import (
    Circle,
    CircleMemberRecord,
    CircleRecord,
)
from storycircle.sanitize import sanitize_line
from storycircle.sealing.keys import SealError
from storycircle.store import Store

__all__ = ["CircleError", "Circles", "Progress", "clean_circle_name", "clean_folder"]


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

    def _pseudonym(self, row: CircleMemberRecord, key: EpochKey) -> tuple[str, int]:
        try:
            opened = json.loads(
                key.scope.open(row.profile_sealed, profile_context(row.circle_id, row.member_id))
            )
            return sanitize_line(str(opened["pseudonym"])), int(opened.get("at", 0))
        except (SealError, ValueError, KeyError, TypeError, AttributeError):
            return "unknown member", 0

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
                *self._pseudonym(row, key),
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
        from storycircle.circles.listing import describe

        return describe(self, circle_id)

    def find(self, text: str) -> Circle:
        """The circle named ``text`` (``name#fingerprint`` when names clash), or by id prefix.

        Raises:
            CircleError: none, or more than one, matches.
        """
        from storycircle.circles.listing import find

        return find(self, text)

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
        self.apply_roster(roster, folder=clean_folder(folder), new_key=key)
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
        key = self.key(circle_id, old.epoch)
        new = updated(old)
        guest = RosterMember(
            card.member_id,
            card.key_text,
            card.signing_public,
            INVITED,
            card.pseudonym,
            new.revision,
        )
        new = updated(
            old,
            members=old.with_member(guest),
            grants={**old.grants, guest.id: key.grant_to(guest.recipient)},
        )
        self.apply_roster(new, folder=self.folder_of(circle_id))
        return self.circle(circle_id)

    def accept(self, circle_id: str, pseudonym: str) -> Circle:
        """Accept an invitation, choosing the pseudonym to use in this circle."""
        old = self.roster(circle_id)
        me = old.member(self.member.id)
        if me is None or me.status != INVITED:
            raise CircleError("there is no invitation to accept in that circle")
        return self._set_self(old, ACTIVE, clean_pseudonym(pseudonym))

    def leave(self, circle_id: str, progress: Progress = no_progress) -> None:
        """Leave a circle (or decline an invitation).

        The leaver's machine does not start the new epoch: the host does
        (:meth:`settle`), so whoever leaves never holds the next key, even
        with a modified client. Until then the circle waits and nothing is
        shared to the key the leaver holds.
        """
        old = self.roster(circle_id)
        self._require_live(old)
        if self.member.id == old.host_id and len(old.live()) > 1:
            raise CircleError("you host this circle: remove the others first, or stay")
        me = old.member(self.member.id)
        assert me is not None
        folder = self.folder_of(circle_id)
        if len(old.live()) == 1:
            self.rows.mark_gone(circle_id, old.epoch)
            self.rows.delete_circle(circle_id)  # nobody left to read it
            return
        gone = RosterMember(me.id, me.recipient, me.signing_public, LEFT, me.pseudonym, me.at)
        self.apply_roster(updated(old, members=old.with_member(gone)), folder=folder)

    def remove(self, circle_id: str, member_id: str, progress: Progress = no_progress) -> None:
        """Remove a member (host only): a new epoch, and their key opens nothing more."""
        old = self.roster(circle_id)
        if self.member.id != old.host_id:
            raise CircleError("only the host of a circle can remove a member")
        target = old.member(member_id)
        if target is None or not target.live:
            raise CircleError("that member is not in the circle")
        if member_id == self.member.id:
            raise CircleError("the host cannot remove themselves; leave instead")
        members = old.with_member(
            RosterMember(
                target.id,
                target.recipient,
                target.signing_public,
                REMOVED,
                target.pseudonym,
                target.at,
            )
        )
        self._new_epoch(updated(old, members=members), progress, notify=(member_id,))

    def settle(self, circle_id: str, progress: Progress = no_progress) -> bool:
        """Bring the member's part of a circle up to date (after a refresh).

        A member listed before hybrid keys existed lists their hybrid key
        once they have one. The host then starts a new epoch when someone
        who left still holds the current key, or when every live member now
        has a hybrid key but the current key is not hybrid for all (the circle turns
        post-quantum, its stories re-encrypted to the new key; see
        :func:`~storycircle.circles.keysets.can_turn_hybrid`).

        Returns:
            True when a new epoch was started.
        """
        record = self.rows.circle(circle_id)
        if record is None:
            return False
        self._list_hybrid_key(circle_id)
        if record.host_id != self.member.id:
            return False
        roster = self.roster(circle_id)
        if not waiting_for(roster) and not can_turn_hybrid(roster):
            return False
        self._new_epoch(updated(roster), progress)
        return True

    def restate_self(self, circle_id: str) -> None:
        """Write the member's own entry again, for members who joined seeing an older one."""
        roster = self.roster(circle_id)
        me = roster.member(self.member.id)
        if me is not None and me.status == ACTIVE:
            self._set_self(roster, me.status, me.pseudonym)

    def _list_hybrid_key(self, circle_id: str) -> None:
        roster = self.roster(circle_id)
        me = roster.member(self.member.id)
        if me is None or me.status != ACTIVE or has_hybrid(me.recipient):
            return
        if self.member.has_hybrid:
            self._set_self(roster, me.status, me.pseudonym)

    def set_folder(self, circle_id: str, folder: str) -> Circle:
        """Choose (or clear, with "") the folder this circle is shared through here."""
        record = self.record(circle_id)
        key = self.key(circle_id, record.epoch)
        meta = self._meta(record, key)
        self.rows.put_circle(with_meta(record, key, meta["name"], clean_folder(folder)))
        return self.circle(circle_id)

    def _self_entry(
        self, status: str, pseudonym: str, at: int = 0, listed: RosterMember | None = None
    ) -> RosterMember:
        # Keys already listed stay as they are (a roster may not swap them),
        # but a hybrid key is added where the listing predates it.
        keep = listed is not None and (has_hybrid(listed.recipient) or not self.member.has_hybrid)
        return RosterMember(
            self.member.id,
            listed.recipient if listed is not None and keep else self.member.key_text,
            self.member.record.signing_public,
            status,
            clean_pseudonym(pseudonym),
            at,
        )

    def _set_self(self, old: Roster, status: str, pseudonym: str) -> Circle:
        me = self._self_entry(status, pseudonym, old.revision + 1, old.member(self.member.id))
        new = updated(old, members=old.with_member(me))
        self.apply_roster(new, folder=self.folder_of(old.circle_id))
        return self.circle(old.circle_id)

    def _require_live(self, roster: Roster) -> None:
        me = roster.member(self.member.id)
        if me is None or not me.live:
            raise CircleError("you are not in that circle (or no longer)")

    def _new_epoch(self, new: Roster, progress: Progress, notify: tuple[str, ...] = ()) -> None:
        from storycircle.circles.applying import start_epoch

        start_epoch(self, new, progress, notify)

    # -- the one way a roster changes ---------------------------------------------------

    def apply_roster(
        self,
        new: Roster,
        *,
        folder: str,
        signer_id: str = "",
        progress: Progress = no_progress,
        announce: bool = True,
        new_key: EpochKey | None = None,
        notify: tuple[str, ...] = (),
    ) -> Roster:
        """Merge ``new`` into the circle's roster here, re-keying its stories if the epoch moved.

        ``new`` is merged with the roster known here by
        :func:`~storycircle.circles.roster.merge`; ``announce`` writes the
        result to ``folder`` (not when it came from there); ``new_key`` is the
        key of a new epoch started here (by the host); ``notify`` names those
        removed now, who get a notice saying only that.

        Raises:
            CircleError: the change breaks a rule; nothing is written then.
        """
        from storycircle.circles.applying import apply_roster

        try:
            return apply_roster(
                self,
                new,
                signer_id=signer_id or self.member.id,
                folder=folder,
                progress=progress,
                announce=announce,
                new_key=new_key,
                notify=notify,
            )
        except EventError as error:
            if not announce:
                raise
            raise CircleError(f"that change of members was refused: {error}") from None

    def forget_keys(self, circle_id: str) -> None:
        """Drop the cached keys of a circle (after its roster changed)."""
        self._keys = {k: v for k, v in self._keys.items() if k[0] != circle_id}

    def remember_key(self, key: EpochKey) -> None:
        """Cache a key the member was just granted."""
        self._keys[(key.circle_id, key.epoch)] = key
