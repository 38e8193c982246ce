"""The store: the only place that reads and writes rows, turning them into models.

Everything here is ids, coarse dates, sizes, tag tokens and ciphertext. No
method sees a title, a body or a tag name in clear.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from storycircle.errors import StoreError
from storycircle.models import DraftRecord, MemberRecord, StoryRecord
from storycircle.store.circle_store import CircleStore
from storycircle.store.database import connect, connect_read_only, transaction, utils_view
from storycircle.store.reaction_store import ReactionStore
from storycircle.store.search_store import SearchStore
from storycircle.store.version_store import VersionRecordStore

_STORY_COLUMNS = (
    "id, version, author_id, scope, epoch, created_day, updated_day, seq, size, blob, summary"
)
NEWEST_FIRST = "created_day DESC, seq DESC"
"""Listing order: by the story's own date (an import keeps its original one), then
by when it was written. Served by the ``stories_scope_day`` index."""
_MEMBER_COLUMNS = (
    "id, pseudonym, recipient, signing_public, identity_sealed, signing_sealed, created, "
    "hybrid_recipient"
)


def _story(row: Sequence[Any]) -> StoryRecord:
    return StoryRecord(*row)


def _member(row: Sequence[Any]) -> MemberRecord:
    return MemberRecord(*row)


class Store:
    """Rows of members, stories, tag tokens and drafts in one SQLite file.

    Use from the thread that opened it (SQLite connections are not shared
    across threads here).
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        """Wrap an open, migrated connection (use :meth:`open` or :meth:`memory`)."""
        self._conn = conn
        self.path = path
        """The database file, or None for an in-memory store."""
        self.circles = CircleStore(self._conn)
        """The circle tables of the same database."""
        self.reacting = ReactionStore(self._conn)
        """The reaction tables of the same database."""
        self.versions = VersionRecordStore(self._conn)
        """The rollback records of the same database."""
        self.search = SearchStore(self._conn)
        """The full-text search index's segments."""

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open or create the database file at ``path``."""
        return cls(connect(path), Path(path))

    @classmethod
    def open_read_only(cls, path: Path) -> Store:
        """Open an existing database file without ever writing to it."""
        return cls(connect_read_only(path), path)

    @classmethod
    def memory(cls) -> Store:
        """Open a private in-memory database (for tests and benchmarks)."""
        return cls(connect(":memory:"))

    @property
    def db(self) -> Any:
        """A ``sqlite_utils.Database`` view of the same connection (loaded at first use)."""
        return utils_view(self._conn)

    def batch(self) -> AbstractContextManager[object]:
        """Group many writes into one transaction (one disk sync).

        Each write inside stays all-or-nothing on its own; the batch commits
        when the block ends, or is rolled back whole if the block raises.
        """
        return transaction(self._conn)

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        self._conn.close()

    # -- members -----------------------------------------------------------

    def add_member(self, member: MemberRecord) -> None:
        """Insert a new member.

        Raises:
            StoreError: the pseudonym is already taken.
        """
        try:
            with transaction(self._conn):
                self._conn.execute(
                    f"INSERT INTO members ({_MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        member.id,
                        member.pseudonym,
                        member.recipient,
                        member.signing_public,
                        member.identity_sealed,
                        member.signing_sealed,
                        member.created,
                        member.hybrid_recipient,
                    ),
                )
        except sqlite3.IntegrityError:
            raise StoreError(f'the pseudonym "{member.pseudonym}" is already taken') from None

    def member(self, member_id: str) -> MemberRecord | None:
        """Return the member with this id, or None."""
        row = self._conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM members WHERE id = ?", (member_id,)
        ).fetchone()
        return _member(row) if row else None

    def member_by_pseudonym(self, pseudonym: str) -> MemberRecord | None:
        """Return the member with this pseudonym, or None."""
        row = self._conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM members WHERE pseudonym = ?", (pseudonym,)
        ).fetchone()
        return _member(row) if row else None

    def members(self) -> list[MemberRecord]:
        """Return every member, oldest first."""
        rows = self._conn.execute(f"SELECT {_MEMBER_COLUMNS} FROM members ORDER BY rowid")
        return [_member(row) for row in rows]

    def replace_identity(
        self, member_id: str, identity_sealed: bytes, hybrid_recipient: str | None = None
    ) -> None:
        """Store a re-wrapped identity file (after a passphrase change or a new hybrid key)."""
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE members SET identity_sealed = ? WHERE id = ?",
                (identity_sealed, member_id),
            )
            if hybrid_recipient is not None:
                self._conn.execute(
                    "UPDATE members SET hybrid_recipient = ? WHERE id = ?",
                    (hybrid_recipient, member_id),
                )

    def delete_member(self, member_id: str) -> bool:
        """Delete a member with their stories, drafts, reactions and preferences.

        One transaction: the member is wholly there or wholly gone.
        ``secure_delete`` zeroes the freed pages.
        """
        with transaction(self._conn):
            self._conn.execute(
                "DELETE FROM reactions WHERE story_id IN "
                "(SELECT id FROM stories WHERE author_id = ?)",
                (member_id,),
            )
            self._conn.execute(
                "DELETE FROM reactions_unsealed WHERE story_id IN "
                "(SELECT id FROM stories WHERE author_id = ?)",
                (member_id,),
            )
            self._conn.execute("DELETE FROM stories WHERE author_id = ?", (member_id,))
            # Their tokened reactions to others' stories cannot be told apart
            # without their key: they stay, as counts that name nobody.
            for table in (
                "drafts",
                "reactions_unsealed",
                "member_prefs",
                "circle_grants",
                "version_records",
            ):
                self._conn.execute(f"DELETE FROM {table} WHERE member_id = ?", (member_id,))
            # Their shared copies go with their journal; in their circles they
            # count as removed (their key is gone with them).
            self._conn.execute("DELETE FROM circle_stories WHERE author_id = ?", (member_id,))
            self._conn.execute(
                "UPDATE circle_members SET status = 'removed' WHERE member_id = ?", (member_id,)
            )
            self._conn.execute(
                "DELETE FROM circles WHERE id NOT IN (SELECT DISTINCT circle_id FROM circle_grants)"
            )
            cursor = self._conn.execute("DELETE FROM members WHERE id = ?", (member_id,))
        return cursor.rowcount == 1

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

    # -- drafts ------------------------------------------------------------

    def put_draft(self, draft: DraftRecord) -> None:
        """Insert or replace an autosaved draft."""
        with transaction(self._conn):
            self._conn.execute(
                "INSERT OR REPLACE INTO drafts (id, member_id, blob, updated_day) "
                "VALUES (?, ?, ?, ?)",
                (draft.id, draft.member_id, draft.blob, draft.updated_day),
            )

    def drafts(self, member_id: str) -> list[DraftRecord]:
        """Return a member's drafts."""
        rows = self._conn.execute(
            "SELECT id, member_id, blob, updated_day FROM drafts WHERE member_id = ?",
            (member_id,),
        )
        return [DraftRecord(*row) for row in rows]

    def delete_draft(self, member_id: str, draft_id: str) -> None:
        """Remove a draft once its story is saved or discarded."""
        with transaction(self._conn):
            self._conn.execute(
                "DELETE FROM drafts WHERE member_id = ? AND id = ?", (member_id, draft_id)
            )

    # -- reactions and preferences -----------------------------------------

    def put_prefs(self, member_id: str, blob: bytes) -> None:
        """Store a member's sealed preferences."""
        with transaction(self._conn):
            self._conn.execute(
                "INSERT OR REPLACE INTO member_prefs (member_id, blob) VALUES (?, ?)",
                (member_id, blob),
            )

    def prefs(self, member_id: str) -> bytes | None:
        """Return a member's sealed preferences, or None."""
        row = self._conn.execute(
            "SELECT blob FROM member_prefs WHERE member_id = ?", (member_id,)
        ).fetchone()
        return bytes(row[0]) if row else None

    # -- maintenance -------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """Run SQLite's integrity check; an empty list means the file is sound."""
        rows = [row[0] for row in self._conn.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file and truncate it."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


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
