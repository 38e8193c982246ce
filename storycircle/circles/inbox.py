"""Applying circle files from a folder or a bundle: the circle's inbox.

Rosters are applied first (oldest epoch and revision first, each merged
with the one known here), then stories, then withdrawals, and last the host
starts any new key the circle waits for. Each file applies on its own: a
refused one gets a one-line reason and the rest still apply.

Every file's outcome is remembered by content hash (``circle_seen``): a
file applied or refused is never worked on again, and a refusal is reported
once. A file that needs another not seen yet (a story from someone whose
acceptance has not arrived) is *pending*: tried again on every refresh,
reported once. Work on a file stops before any cryptography when its header
names more recipients than such a file can have, and a list of members is
only tried with the member's own key (never every epoch key).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from storycircle import vault
from storycircle.circles.epochs import GrantError, open_grant
from storycircle.circles.events import EventError, read_event, verify_event
from storycircle.circles.folder import KINDS, FolderReport, bundle_files, folder_files
from storycircle.circles.inbox_stories import OTHER, PENDING, REFUSED, Item, StoryApplier
from storycircle.circles.roster import ACTIVE, PendingError, Roster, roster_from_event
from storycircle.circles.service import CircleError
from storycircle.circles.sharing import Sharing
from storycircle.errors import StorycircleError
from storycircle.sanitize import sanitize_line
from storycircle.sealing.signing import verify_key


class Applier(StoryApplier):
    """Applies gathered circle files for one unlocked member."""

    def _known_state(self) -> str:
        """A digest of the circles, epochs, revisions, keys and stories this member has."""
        me = self.circles.member.id
        parts = [
            f"{record.id}:{record.epoch}:{record.revision}:"
            f"{len(self.rows.grants_of(record.id, me))}:{self.rows.count_stories(record.id)}:"
            + ",".join(f"{m.member_id}={m.status}" for m in self.rows.members(record.id))
            for record, _status in self.rows.circles_of(me)
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def apply(self, files: Iterable[tuple[str, bytes]]) -> FolderReport:
        """Apply rosters, then stories, then withdrawals; then settle waiting circles."""
        by_kind: dict[str, list[Item]] = {kind: [] for kind in KINDS}
        for name, data in files:
            item = self._item(name, data)
            if item is not None:
                by_kind[name.split("-", 1)[0]].append(item)
        rosters = []
        with self.circles.store.batch():  # what is refused is remembered in one disk sync
            for item in by_kind["roster"]:
                opened = self._open_roster(item)
                if opened is not None:
                    rosters.append((item, *opened))
        rosters.sort(key=lambda r: (int(r[1]["epoch"]), _revision(r[2]), r[0].digest))
        for item, fields, roster in rosters:
            step = (
                partial(self._apply_roster, roster, fields)
                if roster is not None
                else partial(self._apply_notice, fields)
            )
            self._guard(item, step)
        for circle_id in sorted(self._restate):
            try:
                self.circles.restate_self(circle_id)
            except CircleError as error:
                self.report.refuse(circle_id, f"your entry could not be written again: {error}")
        # A waiting story or withdrawal is tried again only once what this
        # machine knows of its circles changed since (a bounded cost per
        # refresh, however many such files a folder holds).
        with self.circles.store.batch():
            self._state = f"{PENDING} {self._known_state()}"
            for item in by_kind["story"]:
                if item.seen != self._state:
                    self._guard(item, partial(self._apply_story, item))
            self._state = f"{PENDING} {self._known_state()}"
            for item in by_kind["withdraw"]:
                if item.seen != self._state:
                    self._guard(item, partial(self._apply_withdraw, item))
        for circle_id in sorted(self.report.circles):
            try:
                self.circles.settle(circle_id)
            except CircleError as error:
                self.report.refuse(circle_id, f"a new key could not be started: {error}")
        return self.report

    # -- lists of members --------------------------------------------------------------

    def _open_roster(self, item: Item) -> tuple[dict[str, Any], Roster | None] | None:
        if self._capped(item, "roster"):
            return None
        try:
            # Lists of members are written to members' own keys only.
            plaintext = vault.decrypt(item.data, self.circles.member.identities)
        except vault.NoIdentityMatch:
            self._outcome(item, OTHER, "")
            return None
        except vault.AgeError:
            self._outcome(item, REFUSED, "not an age file, or damaged")
            return None
        try:
            fields = read_event(plaintext)
            circle_id = fields["circle"]
            if self.rows.circle(circle_id) is None and self.rows.gone_epoch(circle_id):
                raise EventError("from a circle you left or were removed from")
            if fields["kind"] == "removed":
                return fields, None
            if fields["kind"] != "roster":
                raise EventError("not a list of members")
            roster = roster_from_event(fields)
            if roster.circle_id != circle_id or roster.epoch != fields["epoch"]:
                raise EventError("a list of members that contradicts itself")
            return fields, roster
        except EventError as error:
            self._outcome(item, REFUSED, str(error))
            return None

    def _apply_roster(self, roster: Roster, fields: dict[str, Any]) -> str:
        signer = str(fields["signer"])
        known = self.rows.circle(roster.circle_id)
        if known is not None:
            source = self.rows.member(roster.circle_id, signer)
            if source is None:
                raise PendingError("a list of members signed by someone not (yet) in the circle")
            public = source.signing_public
        else:
            entry = roster.member(signer)
            if entry is None:
                raise EventError("a list of members signed by someone not in it")
            public = entry.signing_public
        verify_event(fields, verify_key(public))
        me = roster.member(self.circles.member.id)
        if known is None and (me is None or not me.live):
            raise EventError("a circle this member is not in")
        folder = self.circles.folder_of(roster.circle_id) if known is not None else self.folder
        before = self.circles.roster(roster.circle_id) if known is not None else None
        self.circles.apply_roster(roster, folder=folder, signer_id=signer, announce=False)
        if before is not None and self._shows_me_stale_to_newcomers(before, roster):
            self._restate.add(roster.circle_id)
        if known is not None and roster.epoch < known.epoch and signer == known.host_id:
            self._keep_late_grant(roster)
        return roster.circle_id

    def _shows_me_stale_to_newcomers(self, before: Roster, incoming: Roster) -> bool:
        """True when ``incoming`` brings new members and lists this member as they no longer are.

        A newcomer takes the first list they can open as it is, and this
        member's own earlier files were written before the newcomer was in
        the circle, so the newcomer cannot open them: without a new file of
        this member's, the newcomer would keep the old entry (an acceptance
        never seen, and every story of this member's left waiting).
        """
        mine = before.member(self.circles.member.id)
        if mine is None or mine.status != ACTIVE:
            return False
        if all(before.member(m.id) is not None for m in incoming.members if m.live):
            return False
        said = incoming.member(mine.id)
        return said is None or (said.status, said.pseudonym) != (mine.status, mine.pseudonym)

    def _keep_late_grant(self, roster: Roster) -> None:
        """Keep this member's key to an epoch whose list arrived after a newer one.

        Stories shared at that epoch may still arrive; with the key they open
        (and move to the current key) as on machines that saw the epochs in order.
        """
        me = self.circles.member
        blob = roster.grants.get(me.id)
        if blob is None or roster.epoch in self.rows.grants_of(roster.circle_id, me.id):
            return
        try:
            open_grant(blob, roster.circle_id, roster.epoch, me.identities)
        except GrantError:
            return
        self.rows.put_grants(roster.circle_id, roster.epoch, {me.id: blob})

    def _apply_notice(self, fields: dict[str, Any]) -> str:
        circle_id = str(fields["circle"])
        record = self.rows.circle(circle_id)
        host = self.rows.member(circle_id, record.host_id) if record is not None else None
        if record is None or host is None or fields["signer"] != record.host_id:
            raise EventError("a removal notice not from the circle's host")
        verify_event(fields, verify_key(host.signing_public))
        me = self.circles.member.id
        if fields.get("member") != me or int(fields["epoch"]) <= record.epoch:
            raise EventError("a removal notice for someone else, or of an old key")
        self.report.farewells.append(self._name_of(circle_id))
        self.rows.drop_grants(circle_id, member_id=me)
        self.rows.mark_gone(circle_id, int(fields["epoch"]))
        self.circles.forget_keys(circle_id)
        if not any(
            record.epoch in self.rows.grants_of(circle_id, m.id)
            for m in self.circles.store.members()
        ):
            self.rows.delete_circle(circle_id)
        return circle_id

    def _name_of(self, circle_id: str) -> str:
        # Read while the member still holds the circle's key: it is dropped next.
        try:
            return sanitize_line(self.circles.circle(circle_id).name)
        except StorycircleError:
            return "a circle"


def _revision(roster: Roster | None) -> int:
    return roster.revision if roster is not None else 0


def refresh(sharing: Sharing, folder: str) -> FolderReport:
    """Apply every new file of a circle folder (or find invitations in it)."""
    applier = Applier(sharing, folder)
    files = list(folder_files(folder, applier.report))
    return applier.apply(files)


def import_bundle(sharing: Sharing, path: Path) -> FolderReport:
    """Apply the files of a circle bundle."""
    applier = Applier(sharing)
    files = list(bundle_files(path, applier.report))
    return applier.apply(files)
