"""Reactions say how many, never who: keyed tokens, and old rows moved under them."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from storycircle.journal.journal import Journal
from storycircle.journal.reactions import Reactions
from storycircle.store import Store
from storycircle.store.schema import APPLICATION_ID, MIGRATIONS
from tests.support.people import FakeClock, make_member


def _rows_naming(conn: sqlite3.Connection, *needles: str) -> list[tuple[str, tuple[object, ...]]]:
    """Every row of every table that holds all of ``needles`` (as text or bytes)."""
    found = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            cells = [c.decode("latin-1") if isinstance(c, bytes) else str(c) for c in row]
            if all(any(n in cell for cell in cells) for n in needles):
                found.append((table, tuple(row)))
    return found


def test_no_row_says_who_reacted_to_which_story(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "storycircle.db")
    author, reader = make_member(store, "river"), make_member(store, "oak")
    story = Journal(store, author, clock=FakeClock()).save(title="t", body="b").story
    reactions = Reactions(store, reader)
    assert reactions.toggle(story.id, "me-too").mine == {"me-too"}
    assert reactions.toggle(story.id, "hope").hope == 1
    assert _rows_naming(store._conn, story.id, reader.id) == []
    assert _rows_naming(store._conn, reader.id, "hope") == []
    # The author sees the counts but not that they are oak's.
    theirs = Reactions(store, author).summary(story.id)
    assert (theirs.me_too, theirs.hope, theirs.mine) == (1, 1, frozenset())
    assert Reactions(store, reader).summary(story.id).mine == {"me-too", "hope"}
    assert reactions.toggle(story.id, "hope").hope == 0
    assert reactions.hope_counts() == {}
    store.close()


def test_tokens_differ_per_member_story_and_kind(store: Store) -> None:
    river = Reactions(store, make_member(store, "river"))
    oak = Reactions(store, make_member(store, "oak"))
    tokens = {
        river.token("s1", "hope"),
        river.token("s2", "hope"),
        river.token("s1", "me-too"),
        oak.token("s1", "hope"),
    }
    assert len(tokens) == 4 and all(len(t) == 16 for t in tokens)
    assert river._key.hex() not in repr(river) and repr(river) == "Reactions(<keyed>)"


def _old_database(path: Path, upto: int) -> None:
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:upto]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {upto}")
    conn.commit()
    conn.close()


def test_reactions_from_before_tokens_move_under_them_at_the_next_unlock(tmp_path: Path) -> None:
    # The migration that introduced tokens, wherever it sits in the list.
    upto = next(
        n for n, m in enumerate(MIGRATIONS) if any("RENAME TO reactions_unsealed" in s for s in m)
    )
    path = tmp_path / "storycircle.db"
    _old_database(path, upto)
    keys = Store.memory()
    river, oak = make_member(keys, "river"), make_member(keys, "oak")
    conn = sqlite3.connect(path)
    # The members table as it was then: later migrations add columns at its end.
    width = len(conn.execute("PRAGMA table_info(members)").fetchall())
    for member in (river, oak):
        columns = dataclasses.astuple(member.record)[:width]
        conn.execute(f"INSERT INTO members VALUES ({', '.join('?' * len(columns))})", columns)
    # Ids long enough that no random key bytes in the members table hold them.
    s1, s2 = "story-one-00001", "story-two-00002"
    old = [(s1, river.id, "hope"), (s1, oak.id, "hope"), (s2, river.id, "me-too")]
    conn.executemany("INSERT INTO reactions (story_id, member_id, kind) VALUES (?, ?, ?)", old)
    conn.commit()
    conn.close()

    store = Store.open(path)  # migrates: the old rows wait, still counted
    assert store.reacting.counts("hope") == {s1: 2}
    reactions = Reactions(store, river)  # river unlocks: their rows are tokened
    assert reactions.summary(s1).mine == {"hope"} and reactions.summary(s1).hope == 2
    assert reactions.summary(s2).mine == {"me-too"}
    assert _rows_naming(store._conn, river.id, s1) == []
    assert _rows_naming(store._conn, river.id, s2) == []
    assert len(_rows_naming(store._conn, oak.id, s1)) == 1  # oak has not unlocked yet
    Reactions(store, oak)
    assert _rows_naming(store._conn, oak.id, s1) == []
    assert store.reacting.counts("hope") == {s1: 2}
    assert store._conn.execute("SELECT count(*) FROM reactions_unsealed").fetchone()[0] == 0
    store.close()
