"""Rows of circles: members, grants, shared stories, tag tokens, folder files.

Like the rest of the store it sees ids, epochs, recipients and ciphertext,
never a circle's name, a pseudonym or a word of a story.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from storycircle.store.circle_ledger import CircleLedger
from storycircle.store.database import transaction
from storycircle.store.records import CircleMemberRecord, CircleRecord, CircleStoryRecord

_CIRCLE_COLUMNS = "id, epoch, revision, host_id, epoch_recipient, meta_sealed, created_day"
_MEMBER_COLUMNS = "circle_id, member_id, recipient, signing_public, status, profile_sealed"
_STORY_COLUMNS = (
    "circle_id, row_id, story_id, version, author_id, epoch, created_day, updated_day, "
    "seq, size, digest, blob, summary, share_seq"
)


def _circle(row: Sequence[Any]) -> CircleRecord:
    return CircleRecord(*row)


def _member(row: Sequence[Any]) -> CircleMemberRecord:
    return CircleMemberRecord(*row)


def _story(row: Sequence[Any]) -> CircleStoryRecord:
    return CircleStoryRecord(*row)


class CircleStore(CircleLedger):
    """The circle tables of one open database (same thread as its :class:`Store`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Wrap the connection of an open, migrated store."""
        self._conn = conn

    # -- circles -------------------------------------------------------------

    def put_circle(self, circle: CircleRecord) -> None:
        """Insert a circle or replace its row (epoch, revision, sealed meta)."""
        with transaction(self._conn):
            self._conn.execute(
                # An upsert: a REPLACE would delete the row and cascade to
                # every member, grant and story of the circle.
                f"INSERT INTO circles ({_CIRCLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, "
                "revision = excluded.revision, epoch_recipient = excluded.epoch_recipient, "
                "meta_sealed = excluded.meta_sealed",
                (
                    circle.id,
                    circle.epoch,
                    circle.revision,
                    circle.host_id,
                    circle.epoch_recipient,
                    circle.meta_sealed,
                    circle.created_day,
                ),
            )

    def circle(self, circle_id: str) -> CircleRecord | None:
        """Return a circle's row, or None."""
        row = self._conn.execute(
            f"SELECT {_CIRCLE_COLUMNS} FROM circles WHERE id = ?", (circle_id,)
        ).fetchone()
        return _circle(row) if row else None

    def circles_of(self, member_id: str) -> list[tuple[CircleRecord, str]]:
        """Circles where a member is invited or active, with their status, oldest first."""
        rows = self._conn.execute(
            f"SELECT {', '.join('c.' + c for c in _CIRCLE_COLUMNS.split(', '))}, m.status "
            "FROM circles c JOIN circle_members m ON m.circle_id = c.id "
            "WHERE m.member_id = ? AND m.status IN ('invited', 'active') ORDER BY c.rowid",
            (member_id,),
        )
        return [(_circle(row[:-1]), row[-1]) for row in rows]

    def delete_circle(self, circle_id: str) -> None:
        """Forget a circle and everything of it on this machine."""
        with transaction(self._conn):
            self._conn.execute("DELETE FROM circles WHERE id = ?", (circle_id,))

    # -- members and grants --------------------------------------------------

    def put_member(self, member: CircleMemberRecord) -> None:
        """Insert a circle member or replace their row."""
        with transaction(self._conn):
            self._conn.execute(
                # An upsert, not a replace: the row keeps its place in join order.
                f"INSERT INTO circle_members ({_MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (circle_id, member_id) DO UPDATE SET recipient = excluded.recipient, "
                "signing_public = excluded.signing_public, status = excluded.status, "
                "profile_sealed = excluded.profile_sealed",
                (
                    member.circle_id,
                    member.member_id,
                    member.recipient,
                    member.signing_public,
                    member.status,
                    member.profile_sealed,
                ),
            )

    def members(self, circle_id: str) -> list[CircleMemberRecord]:
        """Every member row of a circle, including those who left or were removed."""
        rows = self._conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM circle_members WHERE circle_id = ? ORDER BY rowid",
            (circle_id,),
        )
        return [_member(row) for row in rows]

    def member(self, circle_id: str, member_id: str) -> CircleMemberRecord | None:
        """One member row of a circle, or None."""
        row = self._conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM circle_members WHERE circle_id = ? AND member_id = ?",
            (circle_id, member_id),
        ).fetchone()
        return _member(row) if row else None

    def keep_members(self, circle_id: str, member_ids: list[str]) -> None:
        """Delete the member rows of a circle other than ``member_ids``."""
        marks = ", ".join("?" * len(member_ids))
        with transaction(self._conn):
            self._conn.execute(
                f"DELETE FROM circle_members WHERE circle_id = ? AND member_id NOT IN ({marks})",
                (circle_id, *member_ids),
            )

    def put_grants(self, circle_id: str, epoch: int, grants: dict[str, bytes]) -> None:
        """Store the grants of an epoch, one per member id."""
        with transaction(self._conn):
            self._conn.executemany(
                "INSERT OR REPLACE INTO circle_grants (circle_id, epoch, member_id, blob) "
                "VALUES (?, ?, ?, ?)",
                [(circle_id, epoch, member_id, blob) for member_id, blob in grants.items()],
            )

    def grant(self, circle_id: str, epoch: int, member_id: str) -> bytes | None:
        """The grant of one member to one epoch, or None."""
        row = self._conn.execute(
            "SELECT blob FROM circle_grants WHERE circle_id = ? AND epoch = ? AND member_id = ?",
            (circle_id, epoch, member_id),
        ).fetchone()
        return bytes(row[0]) if row else None

    def grants(self, circle_id: str, epoch: int) -> dict[str, bytes]:
        """Every grant to one epoch, by member id."""
        rows = self._conn.execute(
            "SELECT member_id, blob FROM circle_grants WHERE circle_id = ? AND epoch = ?",
            (circle_id, epoch),
        )
        return {row[0]: bytes(row[1]) for row in rows}

    def grants_of(self, circle_id: str, member_id: str) -> dict[int, bytes]:
        """Every grant a member holds in a circle, by epoch."""
        rows = self._conn.execute(
            "SELECT epoch, blob FROM circle_grants WHERE circle_id = ? AND member_id = ?",
            (circle_id, member_id),
        )
        return {int(row[0]): bytes(row[1]) for row in rows}

    def drop_grants(
        self, circle_id: str, *, before_epoch: int | None = None, member_id: str | None = None
    ) -> None:
        """Delete grants of a circle: of older epochs, of one member, or both."""
        sql = "DELETE FROM circle_grants WHERE circle_id = ?"
        args: list[Any] = [circle_id]
        if before_epoch is not None:
            sql += " AND epoch < ?"
            args.append(before_epoch)
        if member_id is not None:
            sql += " AND member_id = ?"
            args.append(member_id)
        with transaction(self._conn):
            self._conn.execute(sql, args)

    # -- shared stories ----------------------------------------------------------

    def put_story(self, record: CircleStoryRecord, tokens: Iterable[bytes]) -> None:
        """Insert or replace a shared story row and its tag tokens in one transaction."""
        with transaction(self._conn):
            seq = self._conn.execute(
                "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value"
            ).fetchone()[0]
            self._conn.execute(
                "DELETE FROM circle_stories WHERE circle_id = ? AND row_id = ?",
                (record.circle_id, record.row_id),
            )
            self._conn.execute(
                f"INSERT INTO circle_stories ({_STORY_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.circle_id,
                    record.row_id,
                    record.story_id,
                    record.version,
                    record.author_id,
                    record.epoch,
                    record.created_day,
                    record.updated_day,
                    seq,
                    record.size,
                    record.digest,
                    record.blob,
                    record.summary,
                    record.share_seq,
                ),
            )
            self._conn.executemany(
                "INSERT OR IGNORE INTO circle_tag_tokens (circle_id, token, row_id) "
                "VALUES (?, ?, ?)",
                [(record.circle_id, token, record.row_id) for token in tokens],
            )

    def replace_sealed(
        self,
        record: CircleStoryRecord,
        epoch: int,
        blob: bytes,
        summary: bytes,
        tokens: Iterable[bytes],
    ) -> None:
        """Store a re-keyed story: new file, summary and tokens, same row and order."""
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE circle_stories SET epoch = ?, blob = ?, summary = ?, size = ? "
                "WHERE circle_id = ? AND row_id = ?",
                (epoch, blob, summary, len(blob), record.circle_id, record.row_id),
            )
            self._conn.execute(
                "DELETE FROM circle_tag_tokens WHERE circle_id = ? AND row_id = ?",
                (record.circle_id, record.row_id),
            )
            self._conn.executemany(
                "INSERT OR IGNORE INTO circle_tag_tokens (circle_id, token, row_id) "
                "VALUES (?, ?, ?)",
                [(record.circle_id, token, record.row_id) for token in tokens],
            )

    def story(self, circle_id: str, row_id: str) -> CircleStoryRecord | None:
        """One shared story row, or None."""
        row = self._conn.execute(
            f"SELECT {_STORY_COLUMNS} FROM circle_stories WHERE circle_id = ? AND row_id = ?",
            (circle_id, row_id),
        ).fetchone()
        return _story(row) if row else None

    def stories(self, circle_id: str) -> Iterator[CircleStoryRecord]:
        """Every story row of a circle, newest first."""
        rows = self._conn.execute(
            f"SELECT {_STORY_COLUMNS} FROM circle_stories WHERE circle_id = ? "
            "ORDER BY created_day DESC, seq DESC",
            (circle_id,),
        )
        return (_story(row) for row in rows.fetchall())

    def rows_of_story(self, circle_id: str, story_id: str) -> list[CircleStoryRecord]:
        """Every row of one story in a circle (the story and any kept second edits)."""
        rows = self._conn.execute(
            f"SELECT {_STORY_COLUMNS} FROM circle_stories WHERE circle_id = ? AND story_id = ?",
            (circle_id, story_id),
        )
        return [_story(row) for row in rows]

    def summaries(self, circle_id: str) -> list[tuple[str, str, int, str, bytes]]:
        """``(row_id, story_id, version, author_id, summary)`` of a circle, newest first."""
        rows = self._conn.execute(
            "SELECT row_id, story_id, version, author_id, summary FROM circle_stories "
            "WHERE circle_id = ? ORDER BY created_day DESC, seq DESC",
            (circle_id,),
        )
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def count_stories(self, circle_id: str) -> int:
        """How many story rows a circle holds."""
        row = self._conn.execute(
            "SELECT count(*) FROM circle_stories WHERE circle_id = ?", (circle_id,)
        ).fetchone()
        return int(row[0])

    def story_versions(self, circle_id: str) -> dict[str, tuple[str, int]]:
        """``row_id -> (author_id, version)`` of a circle's stories (reads no blob)."""
        rows = self._conn.execute(
            "SELECT row_id, author_id, version FROM circle_stories WHERE circle_id = ?",
            (circle_id,),
        )
        return {row[0]: (row[1], int(row[2])) for row in rows}

    def delete_story(self, circle_id: str, story_id: str) -> int:
        """Delete every row of a story in a circle (its copies too); return how many."""
        with transaction(self._conn):
            cursor = self._conn.execute(
                "DELETE FROM circle_stories WHERE circle_id = ? AND story_id = ?",
                (circle_id, story_id),
            )
        return cursor.rowcount

    def delete_stories_of(self, circle_id: str, author_id: str) -> int:
        """Delete every story row of one author in a circle; return how many."""
        with transaction(self._conn):
            cursor = self._conn.execute(
                "DELETE FROM circle_stories WHERE circle_id = ? AND author_id = ?",
                (circle_id, author_id),
            )
        return cursor.rowcount

    def row_ids_with_token(self, circle_id: str, token: bytes) -> list[str]:
        """Row ids of a circle's stories carrying a tag token."""
        rows = self._conn.execute(
            "SELECT row_id FROM circle_tag_tokens WHERE circle_id = ? AND token = ?",
            (circle_id, token),
        )
        return [row[0] for row in rows]
