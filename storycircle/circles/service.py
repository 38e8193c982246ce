"""Circles on this machine: create, invite, accept, leave and remove members.

A :class:`Circles` is bound to one unlocked member. Every change of members
goes through :meth:`Circles.apply_roster`, the same path a change arriving
from a circle folder takes (:mod:`storycircle.circles.folder`), so the rules
of :func:`~storycircle.circles.roster.merge` hold for both. Only the host
starts a new epoch (:meth:`Circles.settle`): whoever leaves never holds the
next key.
Sharing stories lives in :mod:`storycircle.circles.sharing`; keys, rosters,
listing and applying a roster in :mod:`storycircle.circles.known`.
"""

from __future__ import annotations

import secrets

from storycircle.circles.applying import start_epoch
from storycircle.circles.cards import MemberCard
from storycircle.circles.context import Progress, no_progress
from storycircle.circles.epochs import new_epoch_key
from storycircle.circles.errors import CircleError
from storycircle.circles.keysets import can_turn_hybrid, has_hybrid
from storycircle.circles.known import KnownCircles
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
from storycircle.circles.sealing import with_meta
from storycircle.journal.members import clean_pseudonym
from storycircle.models import Circle

__all__ = ["CircleError", "Circles", "Progress", "clean_circle_name", "clean_folder"]


class Circles(KnownCircles):
    """The circles of one unlocked member on this installation (see :class:`KnownCircles`)."""

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
        start_epoch(self, new, progress, notify)
