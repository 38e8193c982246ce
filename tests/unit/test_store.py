"""The store: pragmas, permissions, migrations, refusing files that are not ours."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from storycircle.errors import StoreError
from storycircle.models import JOURNAL_SCOPE
from storycircle.store import Store
from storycircle.store.records import StoryRecord
from storycircle.store.schema import MIGRATIONS


def _record(story_id: str, version: int = 1, author: str = "a1") -> StoryRecord:
    return StoryRecord(
        id=story_id,
        version=version,
        author_id=author,
        scope=JOURNAL_SCOPE,
        epoch=0,
        created_day="2026-03-01",
        updated_day="2026-03-01",
        seq=0,
        size=3,
        blob=b"age",
        summary=b"sum",
    )


def _add_author(store: Store, author: str = "a1") -> None:
    from storycircle.models import MemberRecord

    store.add_member(MemberRecord(author, f"name-{author}", "age1x", b"k" * 32, b"i", b"s", "d"))


def test_file_database_pragmas(file_store: Store) -> None:
    conn = file_store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_database_files_are_private(tmp_path: Path) -> None:
    db = Store.open(tmp_path / "storycircle.db")
    _add_author(db)
    for name in ("storycircle.db", "storycircle.db-wal", "storycircle.db-shm"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    db.close()


def test_reopen_keeps_data(tmp_path: Path) -> None:
    db = Store.open(tmp_path / "s.db")
    _add_author(db)
    db.close()
    again = Store.open(tmp_path / "s.db")
    assert [m.id for m in again.members()] == ["a1"]
    again.close()


def test_refuses_a_database_that_is_not_ours_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a storycircle database"):
        Store.open(path)
    assert path.read_bytes() == before


def test_refuses_a_corrupt_file_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "storycircle.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged or is not a storycircle database"):
        Store.open(path)
    assert path.read_bytes() == before


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "storycircle.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer storycircle"):
        Store.open(path)


def test_save_insert_then_update_with_expected_version(store: Store) -> None:
    _add_author(store)
    assert store.save_story(_record("s1"), [b"t" * 16], expected_version=0)
    assert not store.save_story(_record("s1"), [], expected_version=0)  # id taken
    assert store.save_story(_record("s1", 2), [b"u" * 16], expected_version=1)
    assert not store.save_story(_record("s1", 2), [], expected_version=1)  # stale
    stored = store.story("s1")
    assert stored is not None and stored.version == 2
    assert store.story_ids_with_token(JOURNAL_SCOPE, b"u" * 16) == ["s1"]
    assert store.story_ids_with_token(JOURNAL_SCOPE, b"t" * 16) == []


def test_stories_are_listed_newest_save_first_in_pages(store: Store) -> None:
    _add_author(store)
    for n in range(5):
        store.save_story(_record(f"s{n}"), [], expected_version=0)
    assert [r.id for r in store.stories(JOURNAL_SCOPE)] == ["s4", "s3", "s2", "s1", "s0"]
    assert [r.id for r in store.stories(JOURNAL_SCOPE, limit=2, offset=1)] == ["s3", "s2"]
    assert store.count_stories(JOURNAL_SCOPE) == 5


def test_delete_removes_tokens(store: Store) -> None:
    _add_author(store)
    store.save_story(_record("s1"), [b"t" * 16], expected_version=0)
    assert store.delete_story("s1")
    assert store.story("s1") is None
    assert store.token_counts(JOURNAL_SCOPE) == {}
    assert not store.delete_story("s1")


def test_failed_save_leaves_nothing_behind(store: Store) -> None:
    _add_author(store)
    # A token list that fails half-way (a non-bytes token) must roll back the row too.
    with pytest.raises(sqlite3.Error):
        store.save_story(_record("s1"), [b"t" * 16, object()], expected_version=0)  # type: ignore[list-item]
    assert store.story("s1") is None
    assert store.token_counts(JOURNAL_SCOPE) == {}


def test_pseudonyms_are_unique(store: Store) -> None:
    _add_author(store, "a1")
    from storycircle.models import MemberRecord

    with pytest.raises(StoreError, match="already taken"):
        store.add_member(MemberRecord("a2", "name-a1", "age1y", b"k" * 32, b"i", b"s", "d"))


def test_integrity_check_on_a_sound_file(file_store: Store) -> None:
    assert file_store.integrity_check() == []


def test_disk_full_is_a_clear_error_and_keeps_old_data(tmp_path: Path) -> None:
    import subprocess

    if os.getuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "storycircle-full", str(folder)],
        capture_output=True,
        check=False,
    )
    assert mounted.returncode == 0, mounted.stderr
    try:
        store = Store.open(folder / "storycircle.db")
        _add_author(store)
        assert store.save_story(_record("kept"), [], expected_version=0)
        big = dataclasses.replace(_record("big"), blob=os.urandom(2_000_000))
        with pytest.raises(StoreError, match="not saved: the disk is full"):
            store.save_story(big, [], expected_version=0)
        assert store.story("big") is None
        kept = store.story("kept")
        assert kept is not None and kept.blob == b"age"
        store.close()
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_batch_commits_together_and_a_failed_write_inside_rolls_back_alone(
    store: Store,
) -> None:
    _add_author(store)
    with store.batch():
        assert store.save_story(_record("a"), [b"t" * 16], expected_version=0)
        with pytest.raises(sqlite3.Error):
            store.save_story(_record("b"), [b"u" * 16, object()], expected_version=0)  # type: ignore[list-item]
        assert store.save_story(_record("c"), [], expected_version=0)
    assert store.story("a") is not None and store.story("c") is not None
    assert store.story("b") is None
    assert store.story_ids_with_token(JOURNAL_SCOPE, b"u" * 16) == []


def test_a_batch_that_raises_keeps_nothing(store: Store) -> None:
    _add_author(store)
    with pytest.raises(RuntimeError), store.batch():
        store.save_story(_record("a"), [], expected_version=0)
        raise RuntimeError("stop")
    assert store.story("a") is None


def test_reactions_to_collection_stories_and_deleted_stories(store: Store) -> None:
    _add_author(store)
    store.reacting.set("first-light/the-night-i-called", "hope", b"t" * 16, True)
    assert store.reacting.counts("hope") == {"first-light/the-night-i-called": 1}
    store.save_story(_record("s1"), [], expected_version=0)
    store.reacting.set("s1", "me-too", b"t" * 16, True)
    store.delete_story("s1")
    assert store.reacting.of_story("s1") == []
