"""A member's journal: save, read, list, find by tag, delete, and drafts.

Each story is one signed age file encrypted to its author, plus a small sealed
summary for fast listing, plus keyed tag tokens. Nothing here writes a title,
body or tag name in clear.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path

from storycircle import vault
from storycircle.errors import StorycircleError, StoryNotFound
from storycircle.journal.cleaning import (
    MAX_BODY_BYTES,
    MAX_TITLE_LENGTH,
    clean_notes,
    clean_title,
)
from storycircle.journal.journal_reader import JournalReader
from storycircle.journal.members import UnlockedMember
from storycircle.models import JOURNAL_SCOPE, Draft, Story, StorySummary
from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.sealing.envelope import seal_story
from storycircle.sealing.keys import row_context
from storycircle.sealing.summaries import pack_summary
from storycircle.store import Store
from storycircle.store.records import DraftRecord, StoryRecord
from storycircle.tagging.tags import TagCache, canonical_tags

COPY_SUFFIX = " (edited copy)"


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What a save did.

    Attributes:
        story: The story as saved.
        kept_as_copy: True when the story had changed since it was opened, so
            this edit was saved as a separate copy instead of overwriting.
    """

    story: Story
    kept_as_copy: bool = False


def _new_id() -> str:
    return secrets.token_hex(8)


def _checked(
    title: str,
    body: str,
    tags: Iterable[str],
    content_notes: Iterable[str],
    tag_cache: TagCache | None,
) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """``(body, title, tags, notes)`` as stored: sanitized, checked, canonical.

    Raises:
        StorycircleError: too long, too many tags or notes, no title.
    """
    body = sanitize_text(body)
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise StorycircleError(f"a story can be at most {MAX_BODY_BYTES // 1024} KiB of text")
    title = clean_title(title, body)
    return body, title, canonical_tags(tags, cache=tag_cache), clean_notes(content_notes)


class Journal(JournalReader):
    """The journal of one unlocked member (reading it is :class:`JournalReader`)."""

    # -- saving ------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Save many stories in one transaction; see :meth:`Store.batch`.

        The version record is written once, at the end, not once per story.
        (Import writes new stories with :meth:`write_new`, which is faster.)
        """
        if self._pending is not None:
            yield
            return
        with self._store.batch():
            self._pending = self.versions.current()
            try:
                yield
                self.versions.write(self._pending)
            finally:
                self._pending = None

    def save(
        self,
        *,
        title: str,
        body: str,
        tags: Iterable[str] = (),
        content_notes: Iterable[str] = (),
        story_id: str | None = None,
        base_version: int = 0,
        tag_cache: TagCache | None = None,
    ) -> SaveResult:
        """Save a new story, or a new version of one, in one transaction.

        Args:
            title: Title; when empty the body's first line is used.
            body: Markdown body.
            tags: Tags as typed; they are canonicalised.
            content_notes: Content notes as typed.
            story_id: The story being edited, or None for a new story.
            base_version: The version the edit started from (0 when new).
            tag_cache: Tags already canonicalised (an import's), or None.

        Raises:
            StorycircleError: bad input (too long, too many tags...); nothing
                is written then.
        """
        body, clean, canonical, notes = _checked(title, body, tags, content_notes, tag_cache)
        now = self._clock().astimezone(UTC)
        created = now.isoformat(timespec="seconds")
        if story_id is not None and base_version > 0:
            old = self._store.story(story_id)
            if old is not None and old.author_id == self._member.id:
                created = self._read_record(old).created
        story = Story(
            id=story_id or _new_id(),
            version=base_version + 1,
            title=clean,
            body=body,
            tags=canonical,
            content_notes=notes,
            author_id=self._member.id,
            created=created,
            updated=now.isoformat(timespec="seconds"),
        )
        if self._write(story, expected_version=base_version):
            return SaveResult(story)
        # Someone saved this story since it was opened: keep both versions.
        copy = Story(
            id=_new_id(),
            version=1,
            title=(clean + COPY_SUFFIX)[: MAX_TITLE_LENGTH + len(COPY_SUFFIX)],
            body=body,
            tags=canonical,
            content_notes=notes,
            author_id=self._member.id,
            created=story.updated,
            updated=story.updated,
        )
        if not self._write(copy, expected_version=0):
            raise StorycircleError("the story could not be saved; please try again")
        return SaveResult(copy, kept_as_copy=True)

    def compose(
        self,
        *,
        title: str,
        body: str,
        tags: Iterable[str] = (),
        content_notes: Iterable[str] = (),
        tag_cache: TagCache | None = None,
    ) -> Story:
        """A new story, checked and canonicalised as :meth:`save` does, not yet written.

        Dated now by the journal's clock. Write it with :meth:`write_new`,
        which writes many at once (imports).

        Raises:
            StorycircleError: bad input, as for :meth:`save`.
        """
        body, clean, canonical, notes = _checked(title, body, tags, content_notes, tag_cache)
        now = self._clock().astimezone(UTC).isoformat(timespec="seconds")
        return Story(
            id=_new_id(),
            version=1,
            title=clean,
            body=body,
            tags=canonical,
            content_notes=notes,
            author_id=self._member.id,
            created=now,
            updated=now,
        )

    def write_new(self, stories: Sequence[Story]) -> list[Story]:
        """Write new stories made by :meth:`compose`, all in one transaction.

        Each story is signed, encrypted to its author, summarised and tagged
        exactly as :meth:`save` does it; only the database work is shared (one
        statement for all the rows instead of four per story). Inside
        :meth:`batch` they commit with the batch.

        Returns:
            The stories as written: the same ones, unless an id turned out to
            be taken (64 random bits: not in practice), in which case that
            story was written under a fresh id.

        Raises:
            StoreError: the database could not be written; none of them was.
        """
        tokens: dict[str, bytes] = {}  # a batch repeats its common tags many times
        rows = [self._row(story, tokens) for story in stories]
        with self._store.batch():
            if not self._store.insert_stories(rows):
                # Some id is taken: write them one by one, each under a fresh
                # id if need be (its envelope is signed again with that id).
                return [self._write_fresh(story) for story in stories]
            if self._pending is not None:
                self._pending.update((story.id, story.version) for story in stories)
            else:
                versions = self.versions.current()
                versions.update((story.id, story.version) for story in stories)
                self.versions.write(versions)
        return list(stories)

    def _write_fresh(self, story: Story) -> Story:
        while not self._write(story, expected_version=0):
            story = replace(story, id=_new_id())
        return story

    def _row(
        self, story: Story, tokens: dict[str, bytes] | None = None
    ) -> tuple[StoryRecord, list[bytes]]:
        """The sealed row of ``story`` and its keyed tag tokens (kept in ``tokens``)."""
        blob = seal_story(story, self._member.signing_key, [self._member.own_recipient])
        sealed = self._keys.seal(
            pack_summary(story), row_context(JOURNAL_SCOPE, story.id, story.version)
        )
        record = StoryRecord(
            id=story.id,
            version=story.version,
            author_id=story.author_id,
            scope=JOURNAL_SCOPE,
            epoch=0,
            created_day=story.created[:10],
            updated_day=story.updated[:10],
            seq=0,
            size=len(blob),
            blob=blob,
            summary=sealed,
        )
        if tokens is None:
            return record, [self._keys.tag_token(tag) for tag in story.tags]
        for tag in story.tags:
            if tag not in tokens:
                tokens[tag] = self._keys.tag_token(tag)
        return record, [tokens[tag] for tag in story.tags]

    def _write(self, story: Story, *, expected_version: int) -> bool:
        record, tokens = self._row(story)
        # The story and the record of its newest version commit together.
        with self._store.batch():
            if not self._store.save_story(record, tokens, expected_version=expected_version):
                return False
            if self._pending is not None:
                self._pending[story.id] = story.version
            else:
                self.versions.saved(story.id, story.version)
        return True

    def delete(self, story_id: str) -> None:
        """Delete a story for good (``secure_delete`` zeroes its pages).

        Raises:
            StoryNotFound: no such story in this journal.
        """
        record = self._store.story(story_id)
        if record is None or record.author_id != self._member.id:
            raise StoryNotFound(f"there is no story {sanitize_line(story_id)} in your journal")
        with self._store.batch():
            self._store.delete_story(story_id)
            if self._pending is not None:
                self._pending.pop(story_id, None)
            else:
                self.versions.deleted(story_id)
        self._store.delete_draft(self._member.id, story_id)

    # -- drafts ------------------------------------------------------------

    def save_draft(self, draft: Draft) -> None:
        """Autosave a draft, encrypted to the author."""
        payload = {
            "id": draft.id,
            "title": draft.title,
            "body": draft.body,
            "tags": list(draft.tags),
            "content_notes": list(draft.content_notes),
            "base_version": draft.base_version,
            "saved_at": self._clock().astimezone(UTC).isoformat(timespec="seconds"),
        }
        blob = vault.encrypt(
            json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            [self._member.own_recipient],
        )
        day = self._clock().astimezone(UTC).strftime("%Y-%m-%d")
        self._store.put_draft(DraftRecord(draft.id, self._member.id, blob, day))

    def drafts(self) -> list[Draft]:
        """Drafts left by an interrupted session (damaged ones are skipped)."""
        result: list[Draft] = []
        for record in self._store.drafts(self._member.id):
            try:
                data = json.loads(vault.decrypt(record.blob, self._member.identities))
                result.append(
                    Draft(
                        id=str(data["id"]),
                        title=str(data["title"]),
                        body=str(data["body"]),
                        tags=tuple(str(t) for t in data["tags"]),
                        content_notes=tuple(str(n) for n in data["content_notes"]),
                        base_version=int(data["base_version"]),
                        saved_at=str(data["saved_at"]),
                    )
                )
            except (vault.AgeError, ValueError, KeyError, TypeError):
                self.damaged.add(record.id)
        return result

    def discard_draft(self, draft_id: str) -> None:
        """Remove a draft (after its story is saved, or when the writer discards it)."""
        self._store.delete_draft(self._member.id, draft_id)

    @staticmethod
    def new_draft_id() -> str:
        """A fresh id for a draft of a new story."""
        return _new_id()


def read_summaries(
    database: Path, member: UnlockedMember, cancelled: Callable[[], bool] = lambda: False
) -> tuple[list[StorySummary], set[str]] | None:
    """Every list row of ``member``'s journal, and the ids of damaged ones.

    For a worker thread: it opens its own connection to ``database`` (a
    connection belongs to the thread that opened it) and hands the result to
    :meth:`Journal.adopt` on the caller's thread. Returns None as soon as
    ``cancelled`` says stop (asked every thousand rows).
    """
    store = Store.open(database)
    try:
        journal = Journal(store, member)
        listed: list[StorySummary] = []
        for number, summary in enumerate(journal.each_summary()):
            if number % 1000 == 0 and cancelled():
                return None
            listed.append(summary)
        return listed, journal.damaged
    finally:
        store.close()
