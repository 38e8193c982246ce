"""Rows of reactions: a story id, a kind and a keyed token, never a member id.

A token is ``HMAC(member's reaction key, story id, kind)``: the member who
holds the key finds their own reaction again, everyone else sees only how
many of each kind a story has. Rows from before tokens (``reactions_unsealed``,
which still name the member) are moved under tokens when that member next
unlocks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from storycircle.store.database import transaction


class ReactionStore:
    """The reaction tables of one open database (same thread as its ``Store``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Use the connection of the owning store."""
        self._conn = conn

    def set(self, story_id: str, kind: str, token: bytes, on: bool) -> None:
        """Add or remove one reaction, named only by its token."""
        with transaction(self._conn):
            if on:
                self._conn.execute(
                    "INSERT OR IGNORE INTO reactions (story_id, kind, token) VALUES (?, ?, ?)",
                    (story_id, kind, token),
                )
            else:
                self._conn.execute(
                    "DELETE FROM reactions WHERE story_id = ? AND kind = ? AND token = ?",
                    (story_id, kind, token),
                )

    def of_story(self, story_id: str) -> list[tuple[str, bytes]]:
        """``(kind, token)`` of every tokened reaction to a story."""
        rows = self._conn.execute(
            "SELECT kind, token FROM reactions WHERE story_id = ?", (story_id,)
        )
        return [(row[0], bytes(row[1])) for row in rows]

    def unsealed_counts(self, story_id: str) -> dict[str, int]:
        """Per kind, how many reactions to a story still wait to be tokened."""
        rows = self._conn.execute(
            "SELECT kind, count(*) FROM reactions_unsealed WHERE story_id = ? GROUP BY kind",
            (story_id,),
        )
        return {row[0]: int(row[1]) for row in rows}

    def counts(self, kind: str) -> dict[str, int]:
        """How many members gave each story a reaction of ``kind``."""
        rows = self._conn.execute(
            "SELECT story_id, count(*) FROM ("
            " SELECT story_id FROM reactions WHERE kind = ?"
            " UNION ALL SELECT story_id FROM reactions_unsealed WHERE kind = ?"
            ") GROUP BY story_id",
            (kind, kind),
        )
        return {row[0]: int(row[1]) for row in rows}

    def seal_unsealed(self, member_id: str, token: Callable[[str, str], bytes]) -> int:
        """Move a member's old clear rows under their tokens, in one transaction.

        Args:
            member_id: The member, unlocked.
            token: ``token(story_id, kind)`` under the member's reaction key.

        Returns:
            How many rows were moved.
        """
        with transaction(self._conn):
            rows: Iterable[tuple[str, str]] = self._conn.execute(
                "SELECT story_id, kind FROM reactions_unsealed WHERE member_id = ?", (member_id,)
            ).fetchall()
            moved = [(story_id, kind, token(story_id, kind)) for story_id, kind in rows]
            self._conn.executemany(
                "INSERT OR IGNORE INTO reactions (story_id, kind, token) VALUES (?, ?, ?)", moved
            )
            self._conn.execute("DELETE FROM reactions_unsealed WHERE member_id = ?", (member_id,))
        return len(moved)
