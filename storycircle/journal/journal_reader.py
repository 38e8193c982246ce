"""A member's journal, read: load, list, page, find by tag, and search.

:class:`~storycircle.journal.journal.Journal` builds on :class:`JournalReader`
with saving, deleting and drafts; they are kept apart so each stays short.
Nothing here writes to the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from storycircle.clock import Clock, utc_now
from storycircle.errors import DamagedStory, RolledBack, StoryNotFound
from storycircle.journal.members import UnlockedMember, signing_public_key
from storycircle.journal.versions import VersionRecord
from storycircle.models import JOURNAL_SCOPE, Page, Story, StorySummary
from storycircle.sanitize import sanitize_line
from storycircle.sealing.envelope import open_story, read_text
from storycircle.sealing.keys import SealError, row_context
from storycircle.sealing.summaries import unpack_summary
from storycircle.store import Store
from storycircle.store.records import StoryRecord
from storycircle.tagging.tags import search_forms


class JournalReader:
    """The journal of one unlocked member, read (the base of ``Journal``)."""

    def __init__(self, store: Store, member: UnlockedMember, *, clock: Clock = utc_now) -> None:
        """Bind the journal to a store and an unlocked member."""
        self._store = store
        self._member = member
        self._clock = clock
        self._keys = member.journal
        # Keyed by id alone (the version is checked on use): a new version
        # replaces the old row, and no (id, version) tuple is kept per story.
        self._summary_cache: dict[str, StorySummary] = {}
        self.damaged: set[str] = set()
        """Ids of stories whose sealed summary failed to open on listing."""
        self.listed = False
        """True once every row has been decrypted for a list (then listing is cheap)."""
        self.versions = VersionRecord(store, member)
        """The sealed record of the newest version of each story (rollback check)."""
        self._pending: dict[str, int] | None = None

    @property
    def member(self) -> UnlockedMember:
        """The member whose journal this is."""
        return self._member

    # -- reading -----------------------------------------------------------

    def load(self, story_id: str) -> Story:
        """Decrypt and verify one story.

        Raises:
            StoryNotFound: no such story in this journal.
            DamagedStory: it fails to decrypt, verify, or match its row.
        """
        record = self._store.story(story_id)
        if record is None or record.scope != JOURNAL_SCOPE or record.author_id != self._member.id:
            raise StoryNotFound(f"there is no story {sanitize_line(story_id)} in your journal")
        story = self._read_record(record)
        newest = self.versions.recorded(story_id)
        if newest is not None and record.version < newest:
            raise RolledBack(
                f"story {story_id} is older (version {record.version}) than the last version "
                f"saved here ({newest}): it may have been rolled back; run storycircle doctor"
            )
        return story

    def _read_record(self, record: StoryRecord) -> Story:
        author = self._store.member(record.author_id)
        if author is None:
            raise DamagedStory(f"story {record.id} names an author who is not here")
        return open_story(record, self._member.identities, signing_public_key(author))

    def summaries(self) -> list[StorySummary]:
        """Every story of the journal as list rows, newest first."""
        listed = list(self.each_summary())
        self.listed = True
        return listed

    def each_summary(self) -> Iterator[StorySummary]:
        """The list rows one at a time, newest first (a worker may stop between them)."""
        for row in self._store.summaries(JOURNAL_SCOPE, author_id=self._member.id):
            summary = self._summary(*row)
            if summary is not None:
                yield summary

    def adopt(self, summaries: Iterable[StorySummary], damaged: Iterable[str] = ()) -> None:
        """Take list rows decrypted elsewhere (a worker's own connection, see
        :func:`~storycircle.journal.journal.read_summaries`) so the next
        :meth:`summaries` decrypts nothing."""
        for summary in summaries:
            self._summary_cache[summary.id] = summary
        self.damaged.update(damaged)
        self.listed = True

    def page(self, offset: int = 0, limit: int = 50) -> Page:
        """One page of list rows, newest first; only that page is decrypted."""
        total = self._store.count_stories(JOURNAL_SCOPE, author_id=self._member.id)
        records = self._store.stories(
            JOURNAL_SCOPE, author_id=self._member.id, limit=limit, offset=offset
        )
        items = (self._summary(r.id, r.version, r.author_id, r.summary) for r in records)
        return Page(tuple(s for s in items if s is not None), total, offset)

    def count(self) -> int:
        """How many stories the journal holds."""
        return self._store.count_stories(JOURNAL_SCOPE, author_id=self._member.id)

    def _summary(
        self, story_id: str, version: int, author_id: str, sealed: bytes
    ) -> StorySummary | None:
        cached = self._summary_cache.get(story_id)
        if cached is not None and cached.version == version:
            return cached
        if author_id == self._member.id:
            author_id = self._member.id  # one string for every row, not one per row read
        try:
            opened = self._keys.open(sealed, row_context(JOURNAL_SCOPE, story_id, version))
            summary = unpack_summary(opened, story_id, version, author_id, JOURNAL_SCOPE)
        except (SealError, ValueError, KeyError, TypeError):
            self.damaged.add(story_id)
            return None
        self._summary_cache[story_id] = summary
        return summary

    def listed_row(self, story_id: str, version: int) -> StorySummary | None:
        """The list row of this version of a story if it was decrypted already
        (listing fills them); None otherwise. Decrypts nothing."""
        cached = self._summary_cache.get(story_id)
        return cached if cached is not None and cached.version == version else None

    def with_tag(self, tag: str, limit: int | None = None) -> list[StorySummary]:
        """Stories carrying ``tag``, found through its keyed token, newest first.

        Only the rows returned are decrypted: the token picks them out first,
        and ``limit`` stops after that many.
        """
        wanted: set[str] = set()
        for form in search_forms(tag):  # stories saved before 2.0 and joiners were kept
            token = self._keys.tag_token(form)
            wanted.update(self._store.story_ids_with_token(JOURNAL_SCOPE, token))
        found: list[StorySummary] = []
        for row in self._store.summaries(JOURNAL_SCOPE, author_id=self._member.id):
            if row[0] not in wanted:
                continue
            summary = self._summary(*row)
            if summary is not None:
                found.append(summary)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def texts(self, page_size: int = 500) -> Iterator[tuple[StorySummary, str]]:
        """Every story's list row with its decrypted title and body, newest first.

        For matching words only (see :func:`~storycircle.sealing.envelope.read_text`:
        the text is not signature-checked). Stories are read ``page_size`` at a
        time, so a large journal is never in memory at once; damaged ones are
        skipped and noted in :attr:`damaged`.
        """
        offset = 0
        while True:
            records = self._store.stories(
                JOURNAL_SCOPE, author_id=self._member.id, limit=page_size, offset=offset
            )
            for record in records:
                summary = self._summary(record.id, record.version, record.author_id, record.summary)
                if summary is None:
                    continue
                try:
                    yield summary, read_text(record, self._member.identities)
                except DamagedStory:
                    self.damaged.add(record.id)
            if len(records) < page_size:
                return
            offset += page_size

    def search(self, text: str) -> list[StorySummary]:
        """Stories whose title, text or tags contain ``text`` (case-insensitive), newest first.

        Every story is decrypted to look inside it; a story found is
        signature-checked before it is listed.
        """
        needle = sanitize_line(text).casefold()
        found: list[StorySummary] = []
        for summary, words in self.texts():
            matches = needle in words.casefold() or any(needle in tag for tag in summary.tags)
            if matches and self._verified(summary.id):
                found.append(summary)
        return found

    def _verified(self, story_id: str) -> bool:
        try:
            self.load(story_id)
        except (DamagedStory, StoryNotFound):
            self.damaged.add(story_id)
            return False
        return True

    def tag_counts(self) -> dict[str, int]:
        """How many stories carry each tag, most common first."""
        counts: dict[str, int] = {}
        for summary in self.summaries():
            for tag in summary.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
