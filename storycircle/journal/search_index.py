"""The journal's full-text index: sealed segments in the database, opened at unlock.

Finding a word without an index means decrypting every story (half a minute
at 100k). The index is kept in the ``search_segments`` table as sealed,
immutable segments (see :mod:`storycircle.journal.search_segments`), each naming the
story versions it holds by their ``seq``, the save-order number a save never
reuses. Opening the index reads the journal's ``(seq, id, version)`` rows:

* a version whose seq no segment holds (saved by the command line, by an
  import, or by a process killed before it wrote its segment) is decrypted
  and indexed into a new segment, so nothing saved is ever missed;
* a seq a segment holds but no row has any more (the story was edited or
  deleted) is a tombstone: it is never returned, and the next merge leaves
  its words out of the index for good.

A query word matches every word it begins ("sle" finds "sleep" and "slept"):
each segment bisects its sorted terms for the words with that prefix. Posting
lists are combined as bitmaps (Python integers, AND/OR run in C), and the
matches are read newest first, lazily, so a screen that shows the newest N
stops there. The opened index lives in memory only and is dropped on lock
(the live stories by seq and a query's matches are in
:mod:`storycircle.journal.search_matches`).
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence

from storycircle.errors import DamagedStory, StorycircleError
from storycircle.journal.members import UnlockedMember
from storycircle.journal.search_layout import SHORT_SPAN, Segment, SegmentError, bitmap_of
from storycircle.journal.search_matches import LiveStories, Matches
from storycircle.journal.search_segments import (
    build,
    index_keys,
    merge,
    open_segment,
    seal_segment,
    words_of,
)
from storycircle.models import JOURNAL_SCOPE, Story, StorySummary
from storycircle.sealing.envelope import read_text
from storycircle.sealing.keys import SealError, row_context
from storycircle.sealing.summaries import unpack_summary
from storycircle.store import SqliteError, Store

BUILD_CHUNK = 20_000
"""Stories per segment when indexing many at once (the first unlock, an import)."""
MAX_SEGMENTS = 8
"""More segments than this are merged (each query word bisects every segment)."""


class _Cancelled(Exception):
    """The worker opening the index was told to stop."""


class SearchIndex:
    """One member's opened index; safe to share between a worker and the UI thread."""

    def __init__(self, member: UnlockedMember) -> None:
        """An index of ``member``'s journal; it answers once :meth:`load` has run."""
        self._member = member
        self._keys = index_keys(member.journal)
        self._lock = threading.Lock()
        self._segments: list[Segment] = []
        self._live = LiveStories()
        self._removed: set[str] = set()
        self._live_bits = 0
        self._width = 0
        self._ready = False

    @property
    def ready(self) -> bool:
        """True once :meth:`load` has opened the segments and caught up."""
        return self._ready

    @property
    def segment_count(self) -> int:
        """How many segments are open."""
        return len(self._segments)

    def __len__(self) -> int:
        """How many stories the index answers for."""
        return len(self._live)

    # -- opening ----------------------------------------------------------------

    def load(self, store: Store, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Open the member's segments and index what they miss; run it in a worker.

        ``store`` is a connection of the calling thread. Segments that do not
        open are dropped once their stories are indexed again.

        Returns:
            True when the index is ready; False when ``cancelled`` said stop.
        """
        member_id = self._member.id
        rows = store.search.journal_rows(member_id)
        segments: list[Segment] = []
        damaged: list[str] = []
        for segment_id, sealed in store.search.segments(member_id):
            try:
                segments.append(open_segment(self._keys, member_id, segment_id, sealed))
            except SegmentError:
                damaged.append(segment_id)
        held: set[int] = set()
        for segment in segments:
            held.update(segment.docs)
        missing = sorted(seq for seq, _, _ in rows if seq not in held)
        for start in range(0, len(missing), BUILD_CHUNK):
            chunk = missing[start : start + BUILD_CHUNK]
            try:
                made = self._write(store, self._words(store, chunk, cancelled))
            except _Cancelled:
                return False  # what was written so far stays; the next load goes on
            if made is not None:
                segments.append(made)
        if damaged:
            store.search.drop_segments(member_id, damaged)
        with self._lock:
            # Saves and deletes made while this ran are already in place.
            self._segments = segments + self._segments
            known = set(self._live.ids()) | self._removed  # few: saved meanwhile
            self._live.extend(row for row in rows if row[1] not in known)
            del rows
            ends = [s.base + s.span for s in segments]  # one past each segment's last seq
            self._width = max(self._width, *ends, self._live.last() + 1)
            self._live_bits = bitmap_of(self._live.seqs(), 0, self._width)
            self._ready = True
        return True

    def _words(
        self, store: Store, seqs: Sequence[int], cancelled: Callable[[], bool]
    ) -> Iterator[tuple[int, set[str]]]:
        """Decrypt the stories with these seqs and yield their words (title, text, tags)."""
        member = self._member
        for number, record in enumerate(store.search.records(member.id, seqs)):
            if number % 500 == 0 and cancelled():
                raise _Cancelled  # locked, or the screen went away
            if record.scope != JOURNAL_SCOPE or record.author_id != member.id:
                continue
            try:
                words = words_of(read_text(record, member.identities))
            except DamagedStory:
                words = set()  # indexed with no words, so it is not retried each time
            try:
                opened = member.journal.open(
                    record.summary, row_context(JOURNAL_SCOPE, record.id, record.version)
                )
                tags = unpack_summary(opened, record.id, record.version, member.id, "").tags
            except (SealError, ValueError, TypeError):
                tags = ()
            for tag in tags:
                words |= words_of(tag)
            yield record.seq, words

    def _write(
        self, store: Store, docs: Iterable[tuple[int, set[str]]], replaces: Sequence[str] = ()
    ) -> Segment | None:
        plain = build(docs)
        return None if plain is None else self._put(store, plain, replaces)

    def _put(self, store: Store, plain: bytes, replaces: Sequence[str] = ()) -> Segment | None:
        segment = Segment(secrets.token_hex(8), plain)
        return segment if self._store_segment(store, segment, plain, replaces) else None

    def _store_segment(
        self, store: Store, segment: Segment, plain: bytes, replaces: Sequence[str] = ()
    ) -> bool:
        sealed = seal_segment(self._keys, self._member.id, segment.id, plain)
        return store.search.put_segment(self._member.id, segment.id, sealed, replaces)

    # -- keeping it current -----------------------------------------------------------

    def saved(self, store: Store, story: Story) -> None:
        """Index a story just saved (one small segment), replacing its older version."""
        seq = store.search.seq_of(story.id, story.version)
        if seq is None:
            return  # edited or deleted meanwhile: the next load sees what is there
        words = words_of(story.title + "\n" + story.body)
        for tag in story.tags:
            words |= words_of(tag)
        plain = build([(seq, words)])
        assert plain is not None
        segment = Segment(secrets.token_hex(8), plain)
        # The story is saved even when its segment is not (disk full...): it
        # is searchable from memory now, and the next open indexes it.
        with contextlib.suppress(StorycircleError, SqliteError):
            self._store_segment(store, segment, plain)
        with self._lock:
            self._segments.append(segment)
            self._width = max(self._width, segment.base + segment.span)
            self._forget(story.id)
            self._removed.discard(story.id)
            self._live.put(seq, story.id, story.version)
            self._width = max(self._width, seq + 1)
            self._live_bits |= 1 << seq

    def deleted(self, story_id: str) -> None:
        """Forget a deleted story; its words stay sealed in a segment until the next merge."""
        with self._lock:
            self._forget(story_id)
            self._removed.add(story_id)

    def _forget(self, story_id: str) -> None:
        old = self._live.remove(story_id)
        if old is not None:
            self._live_bits &= ~(1 << old)

    # -- searching --------------------------------------------------------------------

    def search(self, text: str) -> Matches | None:
        """Stories holding a word that begins with each word of ``text``.

        Returns None until the index is ready, and for a query without words.
        """
        query = words_of(text)
        if not self._ready or not query:
            return None
        with self._lock:
            found = self._live_bits
            # Longest first: the most selective, so an empty result comes soonest.
            for word in sorted(query, key=len, reverse=True):
                found &= self._bits(word)
                if not found:
                    break
            return Matches(found, self._live)

    def _bits(self, word: str) -> int:
        bits = 0
        spill: bytearray | None = None
        for segment in self._segments:
            relative, arrays = segment.match(word)
            if relative:
                bits |= relative << segment.base
            for values in arrays:
                if spill is None:
                    spill = bytearray((self._width >> 3) + 1)
                for seq in values:
                    spill[seq >> 3] |= 1 << (seq & 7)
        if spill is not None:
            bits |= int.from_bytes(spill, "little")
        return bits

    # -- merging ------------------------------------------------------------------------

    def merge_plan(self) -> list[Segment]:
        """The segments the next merge would rewrite (empty: nothing to do).

        Segments holding tombstones are rewritten, so deleted words leave
        the index; small segments are folded together once there are too many.
        """
        with self._lock:
            live = set(self._live.seqs())
            segments = list(self._segments)
        dead = [s for s in segments if not live.issuperset(s.docs)]
        plan = list(dead)
        if len(plan) > 1 and _span(plan) > SHORT_SPAN:
            # One at a time: merged into one segment spanning more seqs, their
            # posting arrays would take 4 bytes a posting in memory, not 2.
            return plan[:1]
        if len(segments) > MAX_SEGMENTS:
            # Fold the smallest clean ones, leaving about half the limit.
            rest = sorted((s for s in segments if s not in dead), key=lambda s: len(s.docs))
            plan += rest[: max(2, len(rest) - MAX_SEGMENTS // 2 + 1)]
        return plan if dead or len(plan) >= 2 else []

    def merge(self, store: Store, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Rewrite the segments of :meth:`merge_plan` as one; run it in a worker.

        Returns:
            True when something was merged.
        """
        plan = self.merge_plan()
        if not plan or cancelled():
            return False
        with self._lock:
            live = set(self._live.seqs())
        plain = merge(plan, live)
        replaced = [segment.id for segment in plan]
        if plain is None:
            store.search.drop_segments(self._member.id, replaced)
            made = None
        else:
            made = self._put(store, plain, replaced)
            if made is None:
                return False  # another instance merged them first; the next load sees it
        with self._lock:
            gone = set(replaced)
            self._segments = [s for s in self._segments if s.id not in gone]
            if made is not None:
                self._segments.append(made)
        return True


def _span(segments: Sequence[Segment]) -> int:
    """How many seqs one segment merged from ``segments`` would span."""
    return max(s.base + s.span for s in segments) - min(s.base for s in segments)


def rebuild(store: Store, member: UnlockedMember) -> SearchIndex:
    """Drop the member's index and index every story again (``doctor --repair``)."""
    store.search.drop_segments(member.id)
    index = SearchIndex(member)
    index.load(store)
    while index.merge(store):
        pass
    return index


def search_journal(
    store: Store, member: UnlockedMember, text: str, damaged: set[str] | None = None
) -> list[StorySummary]:
    """Every story of ``member``'s journal matching ``text``, newest first (the CLI).

    Opens the index (indexing what it misses), then opens only the listing
    summaries of the matches; the ids of those that do not open go into
    ``damaged`` (``doctor`` names them).

    Raises:
        StorycircleError: ``text`` has no word to look for.
    """
    index = SearchIndex(member)
    index.load(store)
    if index.segment_count > 2 * MAX_SEGMENTS:
        index.merge(store)  # the app merges in the background; the CLI only when many
    matches = index.search(text)
    if matches is None:
        raise StorycircleError("search for at least one word (letters or digits)")
    hits = list(matches.stories())
    sealed = store.search.sealed_summaries(member.id, [seq for seq, _, _ in hits])
    rows: list[StorySummary] = []
    for seq, story_id, version in hits:
        row = sealed.get(seq)
        if row is None or row[0] != story_id or row[1] != version:
            continue
        try:
            opened = member.journal.open(row[3], row_context(JOURNAL_SCOPE, story_id, version))
            rows.append(unpack_summary(opened, story_id, version, row[2], JOURNAL_SCOPE))
        except (SealError, ValueError, TypeError):
            if damaged is not None:
                damaged.add(story_id)
    # Newest first as `list` shows it: by each story's own day, then by when
    # written (the matches came in the order written; the sort is stable).
    rows.sort(key=lambda row: row.created[:10], reverse=True)
    return rows
