"""The per-member version record row: one sealed blob, opaque to the store."""

from __future__ import annotations

import sqlite3

from storycircle.store.database import transaction


class VersionRecordStore:
    """The ``version_records`` table of one open database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Use the connection of the owning store."""
        self._conn = conn

    def get(self, member_id: str) -> bytes | None:
        """The sealed record of a member, or None when there is none yet."""
        row = self._conn.execute(
            "SELECT blob FROM version_records WHERE member_id = ?", (member_id,)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def put(self, member_id: str, blob: bytes) -> None:
        """Store a member's sealed record (inside the caller's batch, if any)."""
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO version_records (member_id, blob) VALUES (?, ?) "
                "ON CONFLICT (member_id) DO UPDATE SET blob = excluded.blob",
                (member_id, blob),
            )

    def journal_versions(self, scope: str, author_id: str) -> dict[str, int]:
        """``{story id: version}`` of a member's journal rows as they are now."""
        rows = self._conn.execute(
            "SELECT id, version FROM stories WHERE scope = ? AND author_id = ?", (scope, author_id)
        )
        return {row[0]: int(row[1]) for row in rows}
