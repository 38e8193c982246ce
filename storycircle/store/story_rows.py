"""The story rows of the store: saving, listing, re-indexing and deleting stories.

Mixed into :class:`~storycircle.store.store.Store`, and kept apart from it so
each stays short. Like the rest of the store it sees ids, coarse dates, sizes,
tag tokens and ciphertext, never a title, a body or a tag name in clear.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from storycircle.store.database import transaction
from storycircle.store.records import StoryRecord

_STORY_COLUMNS = (
    "id, version, author_id, scope, epoch, created_day, updated_day, seq, size, blob, summary"
)
NEWEST_FIRST = "created_day DESC, seq DESC"
"""Listing order: by the story's own date (an import keeps its original one), then
by when it was written. Served by the ``stories_scope_day`` index."""


def _story(row: Sequence[Any]) -> StoryRecord:
    return StoryRecord(*row)


class StoryRows:
    """The stories and tag tokens of :class:`~storycircle.store.store.Store` (needs ``_conn``)."""

    _conn: sqlite3.Connection

    # -- stories -----------------------------------------------------------

    def save_story(
        self, record: StoryRecord, tokens: Iterable[bytes], *, expected_version: int
    ) -> bool:
        """Insert or replace a story and its tag tokens in one transaction.

        Args:
            record: The new row. Its version must be ``expected_version + 1``;
                its ``seq`` is replaced by the next save-order number.
            tokens: Keyed tag tokens for the story's scope.
            expected_version: 0 for a new story; otherwise the version the
                edit started from.

        Returns:
            False when the stored version is no longer ``expected_version``
            (someone saved in between); nothing was written then.
        """
        with transaction(self._conn):
            # The save order is taken inside the same transaction, so two
            # instances never hand out the same number.
            seq = self._conn.execute(
                "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value"
            ).fetchone()[0]
            values = _story_values(record, seq)
            if expected_version == 0:
                try:
                    self._conn.execute(
                        f"INSERT INTO stories ({_STORY_COLUMNS}) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        values,
                    )
                except sqlite3.IntegrityError:
                    return False
            else:
                cursor = self._conn.execute(
                    "UPDATE stories SET version = ?, author_id = ?, scope = ?, epoch = ?, "
                    "created_day = ?, updated_day = ?, seq = ?, size = ?, blob = ?, summary = ? "
                    "WHERE id = ? AND version = ?",
                    (*values[1:], record.id, expected_version),
                )
                if cursor.rowcount != 1:
                    return False
                self._conn.execute("DELETE FROM tag_tokens WHERE story_id = ?", (record.id,))
            self._conn.executemany(
                "INSERT OR IGNORE INTO tag_tokens (scope, token, story_id) VALUES (?, ?, ?)",
                [(record.scope, token, record.id) for token in tokens],
            )
        return True

    def insert_stories(self, rows: Sequence[tuple[StoryRecord, Sequence[bytes]]]) -> bool:
        """Insert new stories and their tag tokens in one transaction (imports).

        Three statements for all of them instead of four per story; their
        ``seq`` numbers follow one another in the order given.

        Returns:
            False when one of the ids is already taken; nothing was written then.
        """
        if not rows:
            return True
        try:
            with transaction(self._conn):
                last = self._conn.execute(
                    "UPDATE counters SET value = value + ? WHERE name = 'seq' RETURNING value",
                    (len(rows),),
                ).fetchone()[0]
                first = last - len(rows) + 1
                try:
                    self._conn.executemany(
                        f"INSERT INTO stories ({_STORY_COLUMNS}) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [_story_values(record, first + n) for n, (record, _) in enumerate(rows)],
                    )
                except sqlite3.IntegrityError:
                    raise _IdTaken from None  # rolls the counter back too
                self._conn.executemany(
                    "INSERT OR IGNORE INTO tag_tokens (scope, token, story_id) VALUES (?, ?, ?)",
                    [
                        (record.scope, token, record.id)
                        for record, tokens in rows
                        for token in tokens
                    ],
                )
        except _IdTaken:
            return False
        return True

    def story(self, story_id: str) -> StoryRecord | None:
        """Return the stored row of a story, or None."""
        row = self._conn.execute(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        return _story(row) if row else None

    def stories(
        self, scope: str, *, author_id: str | None = None, limit: int = -1, offset: int = 0
    ) -> list[StoryRecord]:
        """Return a scope's stories, newest first, one page at a time (see :data:`NEWEST_FIRST`)."""
        sql = f"SELECT {_STORY_COLUMNS} FROM stories WHERE scope = ?"
        args: list[Any] = [scope]
        if author_id is not None:
            sql += " AND author_id = ?"
            args.append(author_id)
        sql += f" ORDER BY {NEWEST_FIRST} LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [_story(row) for row in self._conn.execute(sql, args)]

    def summaries(
        self, scope: str, *, author_id: str | None = None
    ) -> Iterator[tuple[str, int, str, bytes]]:
        """Yield ``(id, version, author_id, summary)`` of a scope, newest first.

        Listing needs only the small sealed summaries, not the story files.
        Rows are read as they are consumed, so a worker that stops early has
        not read them all.
        """
        sql = "SELECT id, version, author_id, summary FROM stories WHERE scope = ?"
        args: list[Any] = [scope]
        if author_id is not None:
            sql += " AND author_id = ?"
            args.append(author_id)
        sql += f" ORDER BY {NEWEST_FIRST}"
        for r in self._conn.execute(sql, args):
            yield r[0], r[1], r[2], r[3]

    def count_stories(self, scope: str, *, author_id: str | None = None) -> int:
        """Count a scope's stories."""
        sql = "SELECT count(*) FROM stories WHERE scope = ?"
        args: list[Any] = [scope]
        if author_id is not None:
            sql += " AND author_id = ?"
            args.append(author_id)
        return int(self._conn.execute(sql, args).fetchone()[0])

    def delete_story(self, story_id: str) -> bool:
        """Delete a story and its tokens; ``secure_delete`` zeroes the freed pages."""
        with transaction(self._conn):
            cursor = self._conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
            for table in ("reactions", "reactions_unsealed"):
                self._conn.execute(f"DELETE FROM {table} WHERE story_id = ?", (story_id,))
        return cursor.rowcount == 1

    def story_tokens(self, story_id: str) -> set[bytes]:
        """Return the tag tokens stored for one story."""
        rows = self._conn.execute("SELECT token FROM tag_tokens WHERE story_id = ?", (story_id,))
        return {bytes(row[0]) for row in rows}

    def reindex_story(
        self, story_id: str, version: int, summary: bytes, tokens: Iterable[bytes]
    ) -> bool:
        """Replace a story's sealed summary and tag tokens, keeping its version.

        Returns:
            False when the story is no longer at ``version``; nothing changed.
        """
        with transaction(self._conn):
            cursor = self._conn.execute(
                "UPDATE stories SET summary = ? WHERE id = ? AND version = ?",
                (summary, story_id, version),
            )
            if cursor.rowcount != 1:
                return False
            scope = self._conn.execute(
                "SELECT scope FROM stories WHERE id = ?", (story_id,)
            ).fetchone()[0]
            self._conn.execute("DELETE FROM tag_tokens WHERE story_id = ?", (story_id,))
            self._conn.executemany(
                "INSERT OR IGNORE INTO tag_tokens (scope, token, story_id) VALUES (?, ?, ?)",
                [(scope, token, story_id) for token in tokens],
            )
        return True

    def story_ids_with_prefix(
        self, scope: str, author_id: str, prefix: str, *, limit: int
    ) -> list[str]:
        """Return up to ``limit`` ids of an author's stories starting with ``prefix`` (hex)."""
        rows = self._conn.execute(
            "SELECT id FROM stories WHERE scope = ? AND author_id = ? AND substr(id, 1, ?) = ? "
            "ORDER BY id LIMIT ?",
            (scope, author_id, len(prefix), prefix, limit),
        )
        return [row[0] for row in rows]

    def story_ids_with_token(self, scope: str, token: bytes) -> list[str]:
        """Return the ids of a scope's stories that carry a tag token."""
        rows = self._conn.execute(
            "SELECT story_id FROM tag_tokens WHERE scope = ? AND token = ?", (scope, token)
        )
        return [row[0] for row in rows]

    def token_counts(self, scope: str) -> dict[bytes, int]:
        """Return how many stories of a scope carry each tag token."""
        rows = self._conn.execute(
            "SELECT token, count(*) FROM tag_tokens WHERE scope = ? GROUP BY token", (scope,)
        )
        return {row[0]: int(row[1]) for row in rows}


class _IdTaken(Exception):
    """Raised inside :meth:`Store.insert_stories` to roll its transaction back."""


def _story_values(record: StoryRecord, seq: int) -> tuple[Any, ...]:
    return (
        record.id,
        record.version,
        record.author_id,
        record.scope,
        record.epoch,
        record.created_day,
        record.updated_day,
        seq,
        record.size,
        record.blob,
        record.summary,
    )
