"""Applying story and withdrawal files, and what is remembered of every file's outcome.

:class:`~storycircle.circles.inbox.Applier` builds on :class:`StoryApplier`
with lists of members and the order a refresh applies files in; they are kept
apart so each stays short.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from storycircle import vault
from storycircle.circles.epochs import EpochKey
from storycircle.circles.events import EventError, read_event, verify_event
from storycircle.circles.folder import MAX_STANZAS, FolderReport, stanza_count
from storycircle.circles.keysets import member_recipient
from storycircle.circles.roster import ACTIVE, INVITED, PendingError
from storycircle.circles.service import CircleError
from storycircle.circles.sharing import Sharing
from storycircle.circles.stories import SharedStory, read_circle_story
from storycircle.errors import StorycircleError
from storycircle.journal.cleaning import clean_notes, clean_title
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


class StoryApplier:
    """Applies story and withdrawal files, remembering each file's outcome (see ``Applier``)."""

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
