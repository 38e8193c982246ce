"""What a machine remembers about circle folders: files applied, refused or pending,
withdrawals, circles it left, and the circles each author shared a story to.

Mixed into :class:`~storycircle.store.circle_store.CircleStore`; like it, it
sees ids and hashes only.
"""

from __future__ import annotations

import sqlite3

from storycircle.store.database import transaction


class CircleLedger:
    """Folder bookkeeping of the circle tables (needs ``_conn``)."""

    _conn: sqlite3.Connection

    # -- folder bookkeeping ------------------------------------------------------

    def file_applied(self, circle_id: str, digest: bytes) -> bool:
        """True when a folder file with this content was already applied here."""
        row = self._conn.execute(
            "SELECT 1 FROM circle_files WHERE circle_id = ? AND digest = ?", (circle_id, digest)
        ).fetchone()
        return row is not None

    def mark_file(self, circle_id: str, digest: bytes) -> None:
        """Remember that a folder file was applied (or written) here."""
        with transaction(self._conn):
            self._conn.execute(
                "INSERT OR IGNORE INTO circle_files (circle_id, digest) VALUES (?, ?)",
                (circle_id, digest),
            )

    def withdrawn_version(self, circle_id: str, story_id: str) -> int:
        """The highest withdrawn version of a story in a circle, 0 when none."""
        row = self._conn.execute(
            "SELECT version FROM circle_withdrawn WHERE circle_id = ? AND story_id = ?",
            (circle_id, story_id),
        ).fetchone()
        return int(row[0]) if row else 0

    def set_withdrawn(self, circle_id: str, story_id: str, version: int) -> None:
        """Record that versions up to ``version`` of a story were withdrawn."""
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO circle_withdrawn (circle_id, story_id, version) VALUES (?, ?, ?) "
                "ON CONFLICT (circle_id, story_id) DO UPDATE SET "
                "version = max(version, excluded.version)",
                (circle_id, story_id, version),
            )

    def clear_withdrawn(self, circle_id: str, story_id: str) -> None:
        """Forget a withdrawal (the author shares the story again)."""
        with transaction(self._conn):
            self._conn.execute(
                "DELETE FROM circle_withdrawn WHERE circle_id = ? AND story_id = ?",
                (circle_id, story_id),
            )

    # -- what this machine decided about folder files, and circles it left -----------

    def seen(self, digest: bytes) -> str | None:
        """The outcome remembered for a folder file, or None when it is new."""
        row = self._conn.execute(
            "SELECT outcome FROM circle_seen WHERE digest = ?", (digest,)
        ).fetchone()
        return str(row[0]) if row else None

    def set_seen(self, digest: bytes, outcome: str) -> None:
        """Remember what was decided about a folder file (applied, refused, pending).

        Only the outcome is kept, never the reason: a reason may quote the file.
        """
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO circle_seen (digest, outcome) VALUES (?, ?) "
                "ON CONFLICT (digest) DO UPDATE SET outcome = excluded.outcome",
                (digest, outcome),
            )

    def mark_gone(self, circle_id: str, epoch: int) -> None:
        """Remember a circle this machine left or was removed from, and its last epoch."""
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO circle_gone (circle_id, epoch) VALUES (?, ?) "
                "ON CONFLICT (circle_id) DO UPDATE SET epoch = max(epoch, excluded.epoch)",
                (circle_id, epoch),
            )

    def gone_epoch(self, circle_id: str) -> int | None:
        """The last epoch of a circle this machine left or was removed from, or None."""
        row = self._conn.execute(
            "SELECT epoch FROM circle_gone WHERE circle_id = ?", (circle_id,)
        ).fetchone()
        return int(row[0]) if row else None

    def put_own_share(self, circle_id: str, story_id: str, member_id: str) -> None:
        """Record that the author on this machine shared a story to a circle."""
        with transaction(self._conn):
            self._conn.execute(
                "INSERT OR REPLACE INTO circle_own_shares (circle_id, story_id, member_id) "
                "VALUES (?, ?, ?)",
                (circle_id, story_id, member_id),
            )

    def drop_own_share(self, circle_id: str, story_id: str) -> None:
        """Forget an own share (the story was withdrawn from that circle)."""
        with transaction(self._conn):
            self._conn.execute(
                "DELETE FROM circle_own_shares WHERE circle_id = ? AND story_id = ?",
                (circle_id, story_id),
            )

    def own_shares(self, story_id: str, member_id: str) -> list[str]:
        """Circles this machine recorded the member sharing a story to."""
        rows = self._conn.execute(
            "SELECT circle_id FROM circle_own_shares WHERE story_id = ? AND member_id = ?",
            (story_id, member_id),
        )
        return [row[0] for row in rows]
