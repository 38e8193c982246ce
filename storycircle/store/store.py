"""The store: the only place that reads and writes rows, turning them into models.

Everything here is ids, coarse dates, sizes, tag tokens and ciphertext. No
method sees a title, a body or a tag name in clear.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from storycircle.errors import StoreError
from storycircle.models import MemberRecord
from storycircle.store.circle_store import CircleStore
from storycircle.store.database import connect, connect_read_only, transaction, utils_view
from storycircle.store.reaction_store import ReactionStore
from storycircle.store.records import DraftRecord
from storycircle.store.search_store import SearchStore
from storycircle.store.story_rows import StoryRows
from storycircle.store.version_store import VersionRecordStore

_MEMBER_COLUMNS = (
    "id, pseudonym, recipient, signing_public, identity_sealed, signing_sealed, created, "
    "hybrid_recipient"
)


def _member(row: Sequence[Any]) -> MemberRecord:
    return MemberRecord(*row)


class Store(StoryRows):
    """Rows of members, stories, tag tokens and drafts in one SQLite file.

    Use from the thread that opened it (SQLite connections are not shared
    across threads here). The story rows are :class:`StoryRows`.
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
