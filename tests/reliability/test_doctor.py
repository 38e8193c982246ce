"""``storycircle doctor``: damaged items reported by id, all of them, nothing
changed without ``--repair``, and repairs that never delete a story."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from storycircle.curated.collections import set_collection_consent
from storycircle.journal.journal import Journal
from storycircle.journal.members import unlock
from storycircle.journal.preferences import Preferences, save_preferences
from storycircle.models import Draft
from storycircle.session.installation import open_installation
from tests.reliability.harness import private_home, run_cli
from tests.support.people import PASSPHRASE, make_member

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
    assert "5 stories, 2 drafts, 1 set of preferences" in result.stdout
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
    assert "5 damaged items remain" in result.stderr
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
    assert "1 damaged item remains" in repaired.stderr

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
    assert "1 circle, 3 circle stories" in result.stdout

    repaired = run_cli(home, "doctor", "--repair", passphrase=PASSPHRASE)
    assert f"circle story {ids[1]}: summary and tag index rebuilt" in repaired.stdout
    again = run_cli(home, "doctor", passphrase=PASSPHRASE).stdout.splitlines()
    assert [line for line in again if line.startswith("circle story")] == [
        line for line in again if line.startswith(broken)
    ]
    assert SECRET not in result.stdout + result.stderr


def test_list_and_search_say_when_stories_could_not_be_opened(tmp_path: Path) -> None:
    home, ids = _home(tmp_path)
    db = home / "storycircle.db"
    _damage(db, "stories WHERE id = ?", ids[2], "summary")
    listed = run_cli(home, "list", passphrase=PASSPHRASE)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 4 and ids[2] not in listed.stdout
    assert "1 story could not be opened: run storycircle doctor" in listed.stderr
    _damage(db, "stories WHERE id = ?", ids[3], "summary")
    listed = run_cli(home, "list", passphrase=PASSPHRASE)
    assert "2 stories could not be opened: run storycircle doctor" in listed.stderr
    assert SECRET not in listed.stderr
    sound = run_cli(home, "list", "--tag", "t0", passphrase=PASSPHRASE)
    assert "could not be opened" not in sound.stderr


def _row(db: Path, story_id: str) -> tuple[object, ...]:
    conn = sqlite3.connect(db)
    row = conn.execute(
        "SELECT version, updated_day, seq, size, blob, summary FROM stories WHERE id = ?",
        (story_id,),
    ).fetchone()
    conn.close()
    return tuple(row)


def _put_row(db: Path, story_id: str, row: tuple[object, ...]) -> None:
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE stories SET version = ?, updated_day = ?, seq = ?, size = ?, blob = ?, "
        "summary = ? WHERE id = ?",
        (*row, story_id),
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _edit(home: Path, story_id: str, body: str) -> None:
    installation = open_installation(home)
    journal = Journal(installation.store, unlock(installation.store.members()[0], PASSPHRASE))
    journal.save(title="edited", body=body, story_id=story_id, base_version=1)
    installation.store.close()


def test_a_story_rolled_back_to_an_older_row_is_refused_and_reported(tmp_path: Path) -> None:
    home, ids = _home(tmp_path)
    db = home / "storycircle.db"
    old = _row(db, ids[0])
    _edit(home, ids[0], "the newer words")
    _put_row(db, ids[0], old)  # what sqlite3 and last week's copy can do

    read = run_cli(home, "read", ids[0], passphrase=PASSPHRASE)
    assert read.returncode != 0 and SECRET not in read.stdout
    assert "older (version 1) than the last version saved here (2)" in read.stderr
    assert "rolled back" in read.stderr

    result = run_cli(home, "doctor", passphrase=PASSPHRASE)
    assert result.returncode == 1
    assert (
        f"story {ids[0]}: is version 1, older than the last version saved here (2): "
        "it may have been rolled back; it is left as it is"
    ) in result.stdout.splitlines()
    assert "1 damaged item remains" in result.stderr
    for sound in ids[1:]:
        assert sound not in result.stdout


def test_a_story_row_removed_outside_storycircle_is_reported(tmp_path: Path) -> None:
    home, ids = _home(tmp_path)
    _damage(home / "storycircle.db", "DELETE FROM stories WHERE id = ?", ids[4])
    result = run_cli(home, "doctor", passphrase=PASSPHRASE)
    assert result.returncode == 1
    assert (
        f"story {ids[4]}: was saved here but its row is gone: it was removed outside storycircle"
    ) in result.stdout.splitlines()
    # Deleting through storycircle is not a finding.
    home2, ids2 = _home(tmp_path / "second")
    deleted = run_cli(home2, "delete", ids2[4], "--yes", passphrase=PASSPHRASE)
    assert deleted.returncode == 0, deleted.stderr
    assert run_cli(home2, "doctor", passphrase=PASSPHRASE).returncode == 0


def test_stories_saved_before_the_record_existed_are_covered_from_the_next_unlock(
    tmp_path: Path,
) -> None:
    home, ids = _home(tmp_path)
    db = home / "storycircle.db"
    # An installation from before rollback detection: stories, no record.
    _damage(db, "DELETE FROM version_records WHERE member_id != ?", "")
    before = run_cli(home, "doctor", passphrase=PASSPHRASE)
    assert "version record: is missing, so rollbacks cannot be checked" in before.stdout

    listed = run_cli(home, "list", passphrase=PASSPHRASE)  # the next unlock starts one
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 5
    assert run_cli(home, "doctor", passphrase=PASSPHRASE).returncode == 0

    old = _row(db, ids[1])
    _edit(home, ids[1], "newer words")
    _put_row(db, ids[1], old)
    assert "rolled back" in run_cli(home, "doctor", passphrase=PASSPHRASE).stdout


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
        "search index: 1 segment does not open (--repair rebuilds it from the stories)"
        in checked.stdout.splitlines()
    )
    assert _digest(db) == before

    repaired = run_cli(home, "doctor", "--repair", passphrase=PASSPHRASE)
    assert repaired.returncode == 0, repaired.stdout
    assert "repaired search index: rebuilt from the stories" in repaired.stdout
    again = run_cli(home, "search", SECRET, "4", passphrase=PASSPHRASE)
    assert [line.split()[0] for line in again.stdout.splitlines()] == [ids[4]]
    assert "Everything opens." in run_cli(home, "doctor", passphrase=PASSPHRASE).stdout
