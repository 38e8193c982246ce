"""One member's circles as they stand here: keys, rosters, listing, and applying a roster.

:class:`~storycircle.circles.service.Circles` builds on :class:`KnownCircles`
with the changes of members (create, invite, accept, leave, remove, settle);
they are kept apart so each stays short. Every change of members, here or
from a circle folder, goes through :meth:`KnownCircles.apply_roster`.
"""

from __future__ import annotations

import json

from storycircle.circles.applying import apply_roster
from storycircle.circles.context import Progress, no_progress
from storycircle.circles.epochs import EpochKey, GrantError, open_grant
from storycircle.circles.errors import CircleError
from storycircle.circles.events import EventError
from storycircle.circles.listing import describe, find
from storycircle.circles.roster import Roster, RosterMember
from storycircle.circles.sealing import meta_context, profile_context
from storycircle.clock import Clock, utc_now
from storycircle.journal.members import UnlockedMember
from storycircle.models import Circle
from storycircle.sanitize import sanitize_line
from storycircle.sealing.keys import SealError
from storycircle.store import Store
from storycircle.store.records import CircleMemberRecord, CircleRecord


class KnownCircles:
    """The circles of one unlocked member as known here (the base of ``Circles``)."""

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
        return describe(self, circle_id)

    def find(self, text: str) -> Circle:
        """The circle named ``text`` (``name#fingerprint`` when names clash), or by id prefix.

        Raises:
            CircleError: none, or more than one, matches.
        """
        return find(self, text)

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
