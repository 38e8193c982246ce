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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from storycircle import vault
from storycircle.circles.epochs import EpochKey, GrantError, open_grant
from storycircle.circles.events import EventError, read_event, verify_event
from storycircle.circles.folder import (
    KINDS,
    MAX_STANZAS,
    FolderReport,
    bundle_files,
    folder_files,
    stanza_count,
)
from storycircle.circles.keysets import member_recipient
from storycircle.circles.roster import ACTIVE, INVITED, PendingError, Roster, roster_from_event
from storycircle.circles.service import CircleError
from storycircle.circles.sharing import Sharing
from storycircle.circles.stories import SharedStory, read_circle_story
from storycircle.errors import StorycircleError
from storycircle.journal.cleaning import clean_notes, clean_title
from storycircle.sanitize import sanitize_line
from storycircle.sealing.signing import VerifyKey, verify_key
from storycircle.tagging.tags import canonical_tags

APPLIED, REFUSED, PENDING, OTHER = "applied", "refused", "pending", "other"
"""Outcomes remembered per file; OTHER is a list of members for someone else."""


@dataclass(frozen=True, slots=True)
class Item:
    """One gathered file: its name, bytes, hash, and what was remembered of it ("" if new)."""

    name: str
    data: bytes
    digest: bytes
    seen: str

    @property
    def reported(self) -> bool:
        """True when its outcome was reported on an earlier refresh."""
        return bool(self.seen)


class Applier:
    """Applies gathered circle files for one unlocked member."""

    def __init__(self, sharing: Sharing, folder: str = "") -> None:
        """Apply through the member's :class:`Sharing` (and its :class:`Circles`).

        Args:
            sharing: The member's sharing service.
            folder: The folder the files came from, remembered for circles
                first found there ("" for a bundle).
        """
        self.sharing = sharing
        self.circles = sharing.circles
        self.rows = self.circles.rows
        self.folder = folder
        self.report = FolderReport()
        self._state = PENDING
        self._restate: set[str] = set()

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

    # -- bookkeeping -------------------------------------------------------------------

    def _item(self, name: str, data: bytes) -> Item | None:
        digest = hashlib.sha256(data).digest()
        seen = self.rows.seen(digest)
        if seen is not None and not seen.startswith(PENDING):
            return None  # applied, refused (and reported) or someone else's: done
        if seen is None and any(
            self.rows.file_applied(record.id, digest)
            for record, _status in self.rows.circles_of(self.circles.member.id)
        ):
            return None  # written here, or applied before outcomes were kept
        return Item(name, data, digest, seen or "")

    def _guard(self, item: Item, step: Callable[[], str]) -> None:
        try:
            circle_id = step()
        except _Done:
            return
        except PendingError as error:
            self._outcome(item, self._state, f"{error} (tried again when more arrives)")
            return
        except (StorycircleError, EventError) as error:
            self._outcome(item, REFUSED, str(error))
            return
        self.report.circles.add(circle_id)
        self.rows.set_seen(item.digest, APPLIED)
        if self.rows.circle(circle_id) is not None:
            self.rows.mark_file(circle_id, item.digest)
        self.report.applied += 1

    def _outcome(self, item: Item, outcome: str, reason: str) -> None:
        # The reason is shown, never kept: it may quote what a file says.
        self.rows.set_seen(item.digest, outcome)
        if not item.reported and outcome != OTHER:
            self.report.refuse(item.name, reason)

    def _capped(self, item: Item, kind: str) -> bool:
        count = stanza_count(item.data)
        if count is None:
            self._outcome(item, REFUSED, "not an age file, or damaged")
            return True
        if count > MAX_STANZAS[kind]:
            self._outcome(item, REFUSED, f"addressed to more recipients than a {kind} file has")
            return True
        return False

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

    # -- stories and withdrawals -------------------------------------------------------

    def _open(self, item: Item, kind: str) -> tuple[str, EpochKey, bytes, bool]:
        """Decrypt with the keys of each circle the member is in (current key first).

        Returns:
            The circle, its *current* key (what is kept is moved to it), the
            plaintext, and whether the current key opened it.
        """
        me = self.circles.member.id
        for record, _status in self.rows.circles_of(me):
            current = self.circles.current_key(record.id)
            keys = [current] + [
                self.circles.key(record.id, epoch)
                for epoch in sorted(self.rows.grants_of(record.id, me), reverse=True)
                if epoch < record.epoch
            ]
            for is_current, tried in ((True, keys[:1]), (False, keys[1:])):
                if not tried:
                    continue
                try:
                    plaintext = vault.decrypt(item.data, [k.identity for k in tried])
                except vault.NoIdentityMatch:
                    continue
                except vault.AgeError:
                    raise CircleError("not an age file, or damaged") from None
                return record.id, current, plaintext, is_current
        raise PendingError(f"a {kind} that cannot be opened with your circles' keys")

    def _apply_story(self, item: Item) -> str:
        if self._capped(item, "story"):
            raise _Done
        circle_id, key, plaintext, current = self._open(item, "story")
        shared = read_circle_story(plaintext, circle_id, self._author_key(circle_id))
        if shared.epoch > key.epoch:
            raise EventError("a story that claims a key newer than the circle's")
        data = item.data
        if not current:
            # Shared at an older epoch and arriving late: kept under the current key.
            author = self.rows.member(circle_id, shared.story.author_id)
            assert author is not None
            # The author's own copy, of the epoch key's kind: a file never
            # mixes hybrid and classic keys (see circles.keysets).
            recipients = [vault.parse_recipient(key.recipient)]
            own = member_recipient(author.recipient, hybrid=key.hybrid)
            if own is not None:
                recipients.append(own)
            data = vault.encrypt(plaintext, recipients)
        self._store_story(circle_id, shared, data, key)
        return circle_id

    def _author_key(self, circle_id: str) -> Callable[[str], VerifyKey]:
        def lookup(author_id: str) -> VerifyKey:
            row = self.rows.member(circle_id, author_id)
            if row is None:
                raise PendingError("a story from someone not (yet) in the circle")
            if row.status == INVITED:
                raise PendingError("a story from a member whose acceptance has not arrived")
            if row.status != ACTIVE:
                raise CircleError("from a member who left or was removed")
            return verify_key(row.signing_public)

        return lookup

    def _store_story(self, circle_id: str, shared: SharedStory, data: bytes, key: EpochKey) -> None:
        story = shared.story
        if shared.seq <= self.rows.withdrawn_version(circle_id, story.id):
            raise CircleError(f"story {story.id} was withdrawn by its author")
        existing = self.rows.rows_of_story(circle_id, story.id)
        if any(r.author_id != story.author_id for r in existing):
            raise CircleError(f"story {story.id} claims the id of another member's story")
        if any((r.share_seq, r.version) == (shared.seq, story.version) for r in existing):
            return  # this very share is here already (a copy, maybe re-encrypted)
        newest = max((r.share_seq for r in existing), default=0)
        if shared.seq <= newest:
            raise CircleError(f"an older share of story {story.id} ({shared.seq}; have {newest})")
        # The file keeps the author's signed words; the list row is made
        # from cleaned ones, as if the story had been written here.
        try:
            listed = replace(
                story,
                title=clean_title(story.title, story.body),
                tags=canonical_tags(story.tags),
                content_notes=clean_notes(story.content_notes),
            )
        except StorycircleError as error:
            raise CircleError(f"story {story.id} is malformed ({error})") from None
        self.rows.delete_story(circle_id, story.id)
        self.sharing.store_row(circle_id, story.id, listed, data, key, shared.seq)

    def _apply_withdraw(self, item: Item) -> str:
        if self._capped(item, "withdraw"):
            raise _Done
        circle_id, key, plaintext, _current = self._open(item, "withdrawal")
        fields = read_event(plaintext)
        if fields["kind"] != "withdraw" or fields["circle"] != circle_id:
            raise EventError("not a withdrawal of this circle")
        if int(fields["epoch"]) > key.epoch:
            raise EventError("a withdrawal that claims a key newer than the circle's")
        signer = self.rows.member(circle_id, str(fields["signer"]))
        if signer is None:
            raise PendingError("a withdrawal signed by someone not (yet) in the circle")
        if signer.status != ACTIVE:
            raise EventError("a withdrawal signed by someone who is no longer in the circle")
        verify_event(fields, verify_key(signer.signing_public))
        story_id, seq = str(fields.get("story")), fields.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise EventError("a withdrawal without a valid share counter")
        rows = self.rows.rows_of_story(circle_id, story_id)
        if any(r.author_id != signer.member_id for r in rows):
            raise EventError("a withdrawal of a story by someone else")
        if not rows:
            if self.rows.withdrawn_version(circle_id, story_id) >= seq:
                return circle_id  # withdrawn here already
            raise PendingError("a withdrawal of a story not shared here")
        if seq > max(r.share_seq for r in rows):
            raise EventError("a withdrawal of a share newer than any made")
        self.rows.delete_story(circle_id, story_id)
        self.rows.set_withdrawn(circle_id, story_id, seq)
        return circle_id


class _Done(StorycircleError):
    """Raised after a file's outcome was already recorded (refused before any crypto)."""


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
