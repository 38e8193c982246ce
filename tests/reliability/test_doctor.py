"""``storycircle doctor``: damaged items reported by id, all of them, nothing
changed without ``--repair``, and repairs that never delete a story."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from storycircle.collections import set_collection_consent
from storycircle.installation import open_installation
from storycircle.journal import Journal
from storycircle.members import unlock
from storycircle.models import Draft
from storycircle.preferences import Preferences, save_preferences
from tests.conftest import PASSPHRASE, make_member
from tests.reliability.harness import private_home, run_cli

SECRET = "doctorcanary31c7"


def _home(tmp_path: Path) -> tuple[Path, list[str]]:
    """A data folder with five stories, two drafts, preferences and consents."""
    home = private_home(tmp_path / "home")
    installation = open_installation(home)
    member = make_member(installation.store)
    journal = Journal(installation.store, member)
    ids = [
        journal.save(
            title=f"{SECRET} {n}", body=f"{SECRET} body {n}", tags=["hope", f"t{n}"]
        ).story.id
        for n in range(5)
    ]
    journal.save_draft(Draft(id="draftgood0000000", title=SECRET, body=SECRET))
    journal.save_draft(Draft(id="draftbad00000000", title=SECRET, body=SECRET))
    save_preferences(installation.store, member, Preferences(hidden_notes=(SECRET,)))
    set_collection_consent(home, member, ids[0], True)
    installation.store.close()
    return home, ids


def _flip(value: bytes) -> bytes:
    middle = len(value) // 2
    return value[:middle] + bytes([value[middle] ^ 0x01]) + value[middle + 1 :]


def _damage(db: Path, sql: str, key: str, column: str | None = None) -> None:
    conn = sqlite3.connect(db)
    if column is not None:
        table, where = sql.split(" WHERE ")
        (value,) = conn.execute(f"SELECT {column} FROM {table} WHERE {where}", (key,)).fetchone()
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (_flip(value), key))
    else:
        conn.execute(sql, (key,))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_sound_installation_is_all_ok_and_unchanged(tmp_path: Path) -> None:
    home, _ = _home(tmp_path)
    before = _digest(home / "storycircle.db")
    result = run_cli(home, "doctor", passphrase=PASSPHRASE)
    assert result.returncode == 0, result.stderr
    assert "Everything opens." in result.stdout
    assert "5 stories, 2 drafts, 1 preferences" in result.stdout
    assert _digest(home / "storycircle.db") == before
    assert SECRET not in result.stdout + result.stderr


def test_every_damaged_item_is_reported_by_id_and_nothing_changes(tmp_path: Path) -> None:
    home, ids = _home(tmp_path)
    db = home / "storycircle.db"
    _damage(db, "stories WHERE id = ?", ids[1], "blob")  # the story itself
    _damage(db, "stories WHERE id = ?", ids[2], "summary")  # its listing summary
    _damage(db, "DELETE FROM tag_tokens WHERE story_id = ?", ids[3])  # its tag index
    _damage(db, "drafts WHERE id = ?", "draftbad00000000", "blob")
    _damage(db, "member_prefs WHERE member_id != ?", "", "blob")
    before = _digest(db)

    result = run_cli(home, "doctor", passphrase=PASSPHRASE)

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"story {ids[1]}: does not decrypt or verify; it is left as it is" in lines
    rebuild = " (--repair rebuilds it from the story)"
    assert f"story {ids[2]}: its listing summary does not open{rebuild}" in lines
    assert f"story {ids[3]}: its tag index does not match the story{rebuild}" in lines
    assert any(line.startswith("draft draftbad00000000: does not decrypt") for line in lines)
    assert any(line.startswith("preferences: do not decrypt") for line in lines)
    for sound in (ids[0], ids[4], "draftgood0000000", "database:"):
        assert not any(sound in line for line in lines)
    assert "5 damaged item(s) remain" in result.stderr
    assert _digest(db) == before  # read-only: not a byte changed
    assert SECRET not in result.stdout + result.stderr


def test_repair_rebuilds_what_it_can_and_never_deletes_a_story(tmp_path: Path) -> None:
    home, ids = _home(tmp_path)
    db = home / "storycircle.db"
    _damage(db, "stories WHERE id = ?", ids[1], "blob")
    _damage(db, "stories WHERE id = ?", ids[2], "summary")
    _damage(db, "DELETE FROM tag_tokens WHERE story_id = ?", ids[3])
    _damage(db, "drafts WHERE id = ?", "draftbad00000000", "blob")

    repaired = run_cli(home, "doctor", "--repair", passphrase=PASSPHRASE)
    assert repaired.returncode == 1  # the damaged story remains
    assert f"repaired story {ids[2]}: summary and tag index rebuilt from the story" in (
        repaired.stdout
    )
    assert f"repaired story {ids[3]}: summary and tag index rebuilt from the story" in (
        repaired.stdout
    )
    assert "repaired draft draftbad00000000: dropped" in repaired.stdout
    assert "1 damaged item(s) remain" in repaired.stderr

    again = run_cli(home, "doctor", passphrase=PASSPHRASE)
    assert again.returncode == 1
    assert [line for line in again.stdout.splitlines() if line.startswith("story ")] == [
        f"story {ids[1]}: does not decrypt or verify; it is left as it is"
    ]
    installation = open_installation(home)
    journal = Journal(installation.store, unlock(installation.store.members()[0], PASSPHRASE))
    assert installation.store.story(ids[1]) is not None  # kept, never deleted
    assert {s.id for s in journal.summaries()} == set(ids) and journal.damaged == set()
    assert [s.id for s in journal.with_tag("t3")] == [ids[3]]
    assert [d.id for d in journal.drafts()] == ["draftgood0000000"]
    installation.store.close()


def test_a_damaged_file_is_reported_without_stopping(tmp_path: Path) -> None:
    home, _ = _home(tmp_path)
    db = home / "storycircle.db"
    data = bytearray(db.read_bytes())
    # Scribble over the last pages (story data), not the schema.
    data[-4096 * 2 :] = b"\x5a" * (4096 * 2)
    db.write_bytes(bytes(data))
    before = _digest(db)
    result = run_cli(home, "doctor", passphrase=PASSPHRASE)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert any(line.startswith("database: ") for line in result.stdout.splitlines())
    assert _digest(db) == before


def test_circle_items_are_checked_too_and_a_summary_is_rebuilt(tmp_path: Path) -> None:
    from storycircle.circles import Circles, Sharing

    home, ids = _home(tmp_path)
    installation = open_installation(home)
    member = unlock(installation.store.members()[0], PASSPHRASE)
    circles = Circles(installation.store, member)
    circle = circles.create("Doctor circle")
    journal = Journal(installation.store, member)
    for story_id in ids[:3]:
        Sharing(circles).share(journal.load(story_id), circle.id)
    installation.store.close()
    db = home / "storycircle.db"
    _damage(db, "circle_stories WHERE row_id = ?", ids[0], "blob")
    _damage(db, "circle_stories WHERE row_id = ?", ids[1], "summary")

    result = run_cli(home, "doctor", passphrase=PASSPHRASE)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    broken = f"circle story circle:{circle.id}/{ids[0]}: does not decrypt or verify"
    assert any(line.startswith(broken) for line in lines)
    summary = f"circle story circle:{circle.id}/{ids[1]}: its listing summary does not open"
    assert any(line.startswith(summary) for line in lines)
    assert not any(ids[2] in line for line in lines)
    assert "1 circles" in result.stdout or "circles" in result.stdout

    repaired = run_cli(home, "doctor", "--repair", passphrase=PASSPHRASE)
    assert f"circle story {ids[1]}: summary and tag index rebuilt" in repaired.stdout
    again = run_cli(home, "doctor", passphrase=PASSPHRASE).stdout.splitlines()
    assert [line for line in again if line.startswith("circle story")] == [
        line for line in again if line.startswith(broken)
    ]
    assert SECRET not in result.stdout + result.stderr


def test_a_damaged_search_index_is_reported_and_rebuilt(tmp_path: Path) -> None:
    home, ids = _home(tmp_path)
    searched = run_cli(home, "search", "body", passphrase=PASSPHRASE)  # writes the index
    assert searched.returncode == 0, searched.stderr
    assert len(searched.stdout.splitlines()) == 5
    db = home / "storycircle.db"
    _damage(db, "search_segments WHERE member_id != ?", "", "blob")
    before = _digest(db)

    checked = run_cli(home, "doctor", passphrase=PASSPHRASE)
    assert checked.returncode == 1
    assert (
        "search index: 1 segment(s) do not open (--repair rebuilds it from the stories)"
        in checked.stdout.splitlines()
    )
    assert _digest(db) == before

    repaired = run_cli(home, "doctor", "--repair", passphrase=PASSPHRASE)
    assert repaired.returncode == 0, repaired.stdout
    assert "repaired search index: rebuilt from the stories" in repaired.stdout
    again = run_cli(home, "search", SECRET, "4", passphrase=PASSPHRASE)
    assert [line.split()[0] for line in again.stdout.splitlines()] == [ids[4]]
    assert "Everything opens." in run_cli(home, "doctor", passphrase=PASSPHRASE).stdout
