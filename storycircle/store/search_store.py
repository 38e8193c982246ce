"""Rows of the full-text search index: sealed segments, and the save order they follow.

A segment is opaque here (ciphertext); the index identifies a saved version
of a story by its ``seq``, the store-wide save-order number, which a save
never reuses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from storycircle.models import JOURNAL_SCOPE
from storycircle.store.database import transaction
from storycircle.store.records import StoryRecord

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
_RECORD_COLUMNS = (
    "id, version, author_id, scope, epoch, created_day, updated_day, seq, size, blob, summary"
)


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class SearchStore:
    """The ``search_segments`` table and the journal rows the index follows."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Use the store's connection (same thread rules as the store)."""
        self._conn = conn

    def segments(self, member_id: str) -> Iterator[tuple[str, bytes]]:
        """Every sealed segment of a member's index as ``(segment id, blob)``.

        One at a time, as they are consumed: the caller opens each and lets
        its ciphertext go before the next is read.
        """
        ids = [
            row[0]
            for row in self._conn.execute(
                "SELECT id FROM search_segments WHERE member_id = ? ORDER BY rowid", (member_id,)
            )
        ]
        for segment_id in ids:
            row = self._conn.execute(
                "SELECT blob FROM search_segments WHERE member_id = ? AND id = ?",
                (member_id, segment_id),
            ).fetchone()
            if row is not None:
                yield segment_id, bytes(row[0])

    def put_segment(
        self, member_id: str, segment_id: str, blob: bytes, replaces: Iterable[str] = ()
    ) -> bool:
        """Add a segment and drop the ones it replaces, in one transaction.

        Returns:
            False when a segment to replace was already gone (another instance
            merged it meanwhile); nothing was written then.
        """
        replaced = list(replaces)
        try:
            with transaction(self._conn):
                gone = 0
                for old in replaced:
                    gone += self._conn.execute(
                        "DELETE FROM search_segments WHERE member_id = ? AND id = ?",
                        (member_id, old),
                    ).rowcount
                if gone != len(replaced):
                    raise _Raced  # rolls the deletes back
                self._conn.execute(
                    "INSERT INTO search_segments (member_id, id, blob) VALUES (?, ?, ?)",
                    (member_id, segment_id, blob),
                )
        except _Raced:
            return False
        return True

    def drop_segments(self, member_id: str, segment_ids: Iterable[str] | None = None) -> None:
        """Delete some (or, with None, all) of a member's segments."""
        with transaction(self._conn):
            if segment_ids is None:
                self._conn.execute("DELETE FROM search_segments WHERE member_id = ?", (member_id,))
                return
            self._conn.executemany(
                "DELETE FROM search_segments WHERE member_id = ? AND id = ?",
                [(member_id, segment_id) for segment_id in segment_ids],
            )

    def journal_rows(self, member_id: str) -> list[tuple[int, str, int]]:
        """``(seq, story id, version)`` of every story in a member's journal."""
        rows = self._conn.execute(
            "SELECT seq, id, version FROM stories WHERE scope = ? AND author_id = ?",
            (JOURNAL_SCOPE, member_id),
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def seq_of(self, story_id: str, version: int) -> int | None:
        """The save-order number of one saved version, or None when it is gone."""
        row = self._conn.execute(
            "SELECT seq FROM stories WHERE id = ? AND version = ?", (story_id, version)
        ).fetchone()
        return int(row[0]) if row else None

    def records(self, member_id: str, seqs: Sequence[int]) -> Iterator[StoryRecord]:
        """The journal rows of a member with these save-order numbers (those still there)."""
        for chunk in _chunks(seqs):
            marks = ", ".join("?" * len(chunk))
            # scope and author first: the (scope, author_id, seq) index finds
            # each seq, where seq alone would scan the table once per chunk.
            rows = self._conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM stories "
                f"WHERE scope = ? AND author_id = ? AND seq IN ({marks})",
                (JOURNAL_SCOPE, member_id, *chunk),
            )
            for row in rows:
                yield StoryRecord(*row)

    def sealed_summaries(
        self, member_id: str, seqs: Sequence[int]
    ) -> dict[int, tuple[str, int, str, bytes]]:
        """``seq → (id, version, author_id, sealed summary)`` of these journal rows."""
        found: dict[int, tuple[str, int, str, bytes]] = {}
        for chunk in _chunks(seqs):
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT seq, id, version, author_id, summary FROM stories "
                f"WHERE scope = ? AND author_id = ? AND seq IN ({marks})",
                (JOURNAL_SCOPE, member_id, *chunk),
            )
            for row in rows:
                found[row[0]] = (row[1], row[2], row[3], bytes(row[4]))
        return found


class _Raced(Exception):
    """Raised inside the transaction to roll it back; see :meth:`SearchStore.put_segment`."""
