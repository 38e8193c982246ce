"""The full-text index in memory: the live story versions by seq, and a query's matches.

Kept apart from :mod:`storycircle.journal.search_index` (opening, keeping
current, searching and merging the sealed segments) so each stays short.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator

_WINDOW = 4096


class LiveStories:
    """The live story versions by seq: ``seq -> (story id, version)``.

    Kept as sorted arrays rather than a dict of tuples (plus its reverse):
    the seqs, the versions, and the ids written one after another in a
    single string with the end of each in an array. At 100k stories that is
    about 4 MiB instead of 26 (an id as a string object of its own is 57 to
    65 bytes; in the shared string, 8 to 16). A seq is found by bisection; a
    story id by a search of the string (in C), which only a save or a delete
    asks for. Seqs only grow, so a save appends; anything older is inserted
    in place.
    """

    __slots__ = ("_ends", "_seqs", "_text", "_versions")

    def __init__(self) -> None:
        """Start empty."""
        self._seqs: array[int] = array("Q")
        self._versions: array[int] = array("Q")
        self._text = ""
        self._ends: array[int] = array("Q")

    def __len__(self) -> int:
        """How many stories are live."""
        return len(self._seqs)

    def __contains__(self, seq: object) -> bool:
        """Whether ``seq`` is a live version."""
        return isinstance(seq, int) and self._at(seq) is not None

    def seqs(self) -> array[int]:
        """The live seqs, ascending (do not modify)."""
        return self._seqs

    def ids(self) -> list[str]:
        """The live story ids, in seq order (a new list)."""
        return [self._id(at) for at in range(len(self._seqs))]

    def last(self) -> int:
        """The largest live seq, or -1."""
        return self._seqs[-1] if self._seqs else -1

    def _at(self, seq: int) -> int | None:
        seqs = self._seqs
        at = bisect_left(seqs, seq)
        return at if at < len(seqs) and seqs[at] == seq else None

    def _start(self, at: int) -> int:
        return self._ends[at - 1] if at else 0

    def _id(self, at: int) -> str:
        return self._text[self._start(at) : self._ends[at]]

    def _find(self, story_id: str) -> int | None:
        """Where a story id is, or None (ids are not split by a separator:
        a match counts only where one id starts and ends)."""
        if not story_id:
            return None
        text, ends, size = self._text, self._ends, len(story_id)
        found = text.find(story_id)
        while found != -1:
            at = bisect_left(ends, found + size)
            if at < len(ends) and ends[at] == found + size and self._start(at) == found:
                return at
            found = text.find(story_id, found + 1)
        return None

    def get(self, seq: int) -> tuple[str, int] | None:
        """``(story id, version)`` of a live seq, or None."""
        at = self._at(seq)
        return None if at is None else (self._id(at), self._versions[at])

    def newest(self, seqs: Iterable[int]) -> Iterator[tuple[int, str, int]]:
        """``(seq, story id, version)`` of those of ``seqs`` that are live.

        ``seqs`` must come in descending order (as :meth:`Matches.seqs` reads
        them): each bisection then only looks below the one before.
        """
        live, versions, text, ends = self._seqs, self._versions, self._text, self._ends
        high = len(live)
        for seq in seqs:
            at = bisect_left(live, seq, 0, high)
            if at < high and live[at] == seq:
                yield seq, text[ends[at - 1] if at else 0 : ends[at]], versions[at]
            high = at

    def seq_of(self, story_id: str) -> int | None:
        """The live seq of a story, or None."""
        at = self._find(story_id)
        return None if at is None else self._seqs[at]

    def put(self, seq: int, story_id: str, version: int) -> None:
        """Add a live version (its story must not be live under another seq)."""
        seqs = self._seqs
        at = len(seqs) if not seqs or seqs[-1] < seq else bisect_left(seqs, seq)
        if at < len(seqs) and seqs[at] == seq:
            self._cut(at)  # the same seq again: replace it
        if at == len(seqs):
            seqs.append(seq)
            self._versions.append(version)
            self._text += story_id
            self._ends.append(len(self._text))
            return
        start = self._start(at)
        seqs.insert(at, seq)
        self._versions.insert(at, version)
        self._text = self._text[:start] + story_id + self._text[start:]
        self._ends.insert(at, start)
        self._shift(at, len(story_id))

    def extend(self, rows: Iterable[tuple[int, str, int]]) -> None:
        """Add ``(seq, story id, version)`` rows (what :meth:`put` does for each)."""
        rows = sorted(rows)
        if rows and (not self._seqs or self._seqs[-1] < rows[0][0]):
            # All newer than what is here: one pass, no insertion.
            self._seqs.extend(row[0] for row in rows)
            self._versions.extend(row[2] for row in rows)
            end = len(self._text)
            ends = self._ends
            for row in rows:
                end += len(row[1])
                ends.append(end)
            self._text += "".join(row[1] for row in rows)
            return
        for seq, story_id, version in rows:
            self.put(seq, story_id, version)

    def remove(self, story_id: str) -> int | None:
        """Drop a story; returns the seq it had, or None."""
        at = self._find(story_id)
        if at is None:
            return None
        seq = self._seqs[at]
        self._cut(at)
        return seq

    def _cut(self, at: int) -> None:
        start, end = self._start(at), self._ends[at]
        self._text = self._text[:start] + self._text[end:]
        del self._seqs[at], self._versions[at], self._ends[at]
        self._shift(at, start - end)

    def _shift(self, at: int, by: int) -> None:
        """Move the ends from ``at`` on by ``by`` characters (the text changed there)."""
        ends = self._ends
        ends[at:] = array("Q", map(by.__add__, ends[at:]))


class Matches:
    """The stories matching a query; read them newest first with :meth:`stories`."""

    def __init__(self, bits: int, live: LiveStories) -> None:
        """Wrap a bitmap of matching seqs and the live stories by seq."""
        self._bits = bits
        self._live = live

    @property
    def count(self) -> int:
        """How many stories match."""
        return self._bits.bit_count()

    def seqs(self) -> Iterator[int]:
        """The matching seqs, newest (largest) first, decoded a window at a time."""
        bits = self._bits
        high = bits.bit_length()
        while high > 0:
            low = max(0, high - _WINDOW)
            window = (bits >> low) & ((1 << (high - low)) - 1)
            if window:
                text = bin(window)[2:]  # most significant bit first
                top = low + len(text) - 1
                at = text.find("1")
                while at != -1:
                    yield top - at
                    at = text.find("1", at + 1)
            high = low

    def stories(self) -> Iterator[tuple[int, str, int]]:
        """``(seq, story id, version)`` of the matches, newest first."""
        return self._live.newest(self.seqs())
