"""An in-memory word index over the journal, for instant full-text search in the app.

The journal keeps every story as an encrypted file, so finding a word means
decrypting every story; at 100k stories that takes half a minute. The app
builds this index once, in a background worker, from the decrypted stories,
and keeps it in memory only: nothing of it is ever written to disk, and it is
dropped with the library when the member locks.

Matching is by word: each word of the query must occur inside some word of the
story's title, text or tags ("slept" finds "slept" and "oversleptness"). A
word's postings are compact arrays of story numbers, so 100k stories of 200
words take tens of megabytes, not hundreds.

The index is filled from a worker thread while the interface may save or
delete stories: every method takes the same lock, a save replaces an older
version of a story, and a delete is remembered so that a late background copy
of that story is not added back.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path

from storycircle.journal import Journal
from storycircle.members import UnlockedMember
from storycircle.models import StorySummary
from storycircle.store import Store

_WORD = re.compile(r"\w+")


def words_of(text: str) -> set[str]:
    """The distinct case-folded words of ``text``."""
    return set(_WORD.findall(text.casefold()))


class SearchIndex:
    """Words → stories of one journal, in memory only."""

    def __init__(self) -> None:
        """An empty index; it answers once :meth:`finish` is called."""
        self._lock = threading.Lock()
        self._postings: dict[str, array[int]] = {}
        self._rows: list[StorySummary | None] = []
        # Newest first, like the journal: the build adds stories newest first,
        # so among them a smaller number is newer; a story saved afterwards is
        # newer than all of them, and among those a larger number is newer.
        self._fresh: set[int] = set()
        self._number: dict[str, int] = {}
        self._removed: set[str] = set()
        self._ready = False

    @property
    def ready(self) -> bool:
        """True once every story has been added."""
        return self._ready

    def __len__(self) -> int:
        """How many stories the index holds."""
        return len(self._number)

    def add(self, summary: StorySummary, text: str, *, background: bool = False) -> None:
        """Index a story's title and text (``text``) and its tags.

        A newer version replaces an older one; an older or equal version is
        ignored. With ``background`` (the initial build), a story removed
        meanwhile is not added back.
        """
        words = words_of(text)
        for tag in summary.tags:
            words.update(words_of(tag))
        with self._lock:
            if background and summary.id in self._removed:
                return
            old = self._number.get(summary.id)
            if old is not None:
                current = self._rows[old]
                if current is not None and current.version >= summary.version:
                    return
                self._rows[old] = None
            number = len(self._rows)
            self._rows.append(summary)
            if not background:
                self._fresh.add(number)
            self._number[summary.id] = number
            for word in words:
                postings = self._postings.get(word)
                if postings is None:
                    postings = self._postings[word] = array("I")
                postings.append(number)

    def remove(self, story_id: str) -> None:
        """Forget a deleted story."""
        with self._lock:
            self._removed.add(story_id)
            number = self._number.pop(story_id, None)
            if number is not None:
                self._rows[number] = None

    def finish(self) -> None:
        """Mark the initial build as complete: :meth:`search` answers from now on."""
        self._ready = True

    def search(self, text: str) -> list[StorySummary] | None:
        """Stories containing every word of ``text``, newest first.

        Returns None until the index is ready (the caller then searches
        titles and tags only), and every story for a query without words.
        """
        if not self._ready:
            return None
        query = words_of(text)
        with self._lock:
            if not query:
                return self._ordered(range(len(self._rows)))
            found: set[int] | None = None
            for word in sorted(query, key=len, reverse=True):
                matching = [p for token, p in self._postings.items() if word in token]
                if found is None and len(query) == 1 and len(matching) == 1:
                    # The common case, one word in one posting list: it is
                    # already in order, no set needed.
                    return self._ordered(matching[0])
                numbers: set[int] = set()
                for postings in matching:
                    numbers.update(postings)
                found = numbers if found is None else found & numbers
                if not found:
                    return []
            assert found is not None
            return self._ordered(sorted(found))

    def _ordered(self, numbers: Iterable[int]) -> list[StorySummary]:
        # ``numbers`` ascend: the build's stories come out newest first (the
        # journal's order: by the story's own day, then by when written); the
        # few saved since go in front of their day, the latest first.
        rows = self._rows
        fresh = self._fresh
        if not fresh:
            return [row for number in numbers if (row := rows[number]) is not None]
        numbers = list(numbers)
        later = sorted((n for n in numbers if n in fresh), reverse=True)
        ordered = later + [n for n in numbers if n not in fresh]
        found = [row for n in ordered if (row := rows[n]) is not None]
        # A stable sort: the order inside one day is kept (reverse keeps it too).
        found.sort(key=lambda row: row.created[:10], reverse=True)
        return found


def build(
    index: SearchIndex,
    database: Path,
    member: UnlockedMember,
    cancelled: Callable[[], bool] = lambda: False,
) -> bool:
    """Fill ``index`` with every story of ``member``'s journal; run it in a worker thread.

    The worker opens its own connection to ``database`` (a connection belongs
    to the thread that opened it) and decrypts the stories a page at a time.

    Returns:
        True when the index is complete; False when ``cancelled`` said stop.
    """
    store = Store.open(database)
    try:
        for summary, text in Journal(store, member).texts():
            if cancelled():
                return False
            index.add(summary, text, background=True)
    finally:
        store.close()
    index.finish()
    return True
