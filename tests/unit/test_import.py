"""Import: Markdown folders, jrnl exports, storycircle bundles, and hostile files."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from storycircle.errors import StorycircleError
from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.models import Story
from storycircle.store import Store
from storycircle.store.records import StoryRecord
from storycircle.transfer.exporting import export_journal
from storycircle.transfer.importing import ImportClock, PassphraseNeeded, import_path
from tests.support.hostile_files import BILLION_LAUGHS
from tests.support.people import PASSPHRASE, FakeClock, make_member

JRNL = {
    "tags": {"@work": 1, "@sleep": 1},
    "entries": [
        {
            "title": "Back at work.",
            "body": "First day back. I told my manager.",
            "date": "2023-05-02",
            "time": "08:30",
            "tags": ["@work"],
            "starred": False,
        },
        {
            "title": "Slept",
            "body": "Eight hours, @sleep at last.",
            "date": "2023-05-03",
            "time": "07:00",
            "tags": ["@sleep", "@Hope"],
            "starred": True,
        },
        {"title": 5, "body": "wrong type", "date": "2023-05-04", "time": "", "tags": []},
        {"title": "Bad tags", "body": "x", "date": "2023-05-04", "time": "", "tags": "@a"},
        {"title": "Bad date", "body": "x", "date": "May the 4th", "time": "", "tags": []},
    ],
}


def _write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _snapshot(journal: Journal) -> dict[str, Story]:
    return {s.id: journal.load(s.id) for s in journal.summaries()}


def _titles(journal: Journal) -> set[str]:
    return {s.title for s in journal.summaries()}


def _same_member_elsewhere(member: UnlockedMember) -> tuple[Store, Journal]:
    """A fresh installation holding the same member (restoring a backup)."""
    other = Store.memory()
    other.add_member(member.record)
    return other, Journal(other, member, clock=FakeClock())


def test_markdown_folder_in_obsidian_style(tmp_path: Path, journal: Journal) -> None:
    vault_dir = tmp_path / "Notes"
    _write(
        vault_dir,
        "Days/first.md",
        "---\ntitle: First week\ntags: [Anxious, peer group]\ncontent_notes: [grief]\n"
        "date: 2024-02-01\n---\n\nIt was a long week.\n",
    )
    _write(vault_dir, "heading only.md", "# The heading title\n\nBody under a heading.")
    _write(vault_dir, "plain_file-name.md", "Just words, no heading.")
    _write(vault_dir, ".obsidian/workspace.md", "settings, not a story")
    _write(vault_dir, "picture.png", b"\x89PNG")
    calls: list[tuple[int, int]] = []

    report = import_path(vault_dir, journal, progress=lambda d, t: calls.append((d, t)))

    assert report.kind == "Markdown folder" and report.problems == ()
    assert len(report.imported) == 3
    assert _titles(journal) == {"First week", "The heading title", "plain file name"}
    first = journal.load(journal.search("First week")[0].id)
    assert first.tags == ("anxiety", "peer-group")
    assert first.content_notes == ("grief",)
    assert first.body == "It was a long week."
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)


def test_hostile_corpus_is_skipped_and_the_rest_imported(tmp_path: Path, journal: Journal) -> None:
    kept = journal.save(title="Already here", body="Do not touch.", tags=["hope"]).story
    edited = journal.save(title="Edited", body="v2", story_id=kept.id, base_version=1).story
    before = _snapshot(journal)
    folder = tmp_path / "corpus"
    marker = tmp_path / "pwned"
    _write(folder, "good.md", "---\ntitle: Good one\ntags: [sleep]\n---\nFine.")
    _write(folder, "bom-crlf.md", b"\xef\xbb\xbf---\r\ntitle: Windows\r\n---\r\nLine\r\nTwo\r\n")
    _write(
        folder, "exec.md", f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    )
    _write(folder, "laughs.md", BILLION_LAUGHS)
    _write(folder, "latin1.md", "---\ntitle: Café\n---\nné".encode("latin-1"))
    _write(folder, "huge.md", b"---\ntitle: Huge\n---\n" + b"word " * (2 * 1024 * 1024 // 5))
    _write(folder, "tag-type.md", "---\ntitle: Tag type\ntags: {a: 1}\n---\nbody")
    _write(
        folder,
        "forty-tags.md",
        "---\ntitle: Forty\ntags: [" + ",".join(f"t{i}" for i in range(40)) + "]\n---\nx",
    )
    _write(folder, "broken.md", "---\ntitle: [oops\n---\nbody")
    _write(folder, "empty.md", "")
    (folder / "passwd.md").symlink_to("/etc/passwd")
    (folder / "linked-dir").symlink_to("/etc", target_is_directory=True)
    os.mkfifo(folder / "fifo.md")

    report = import_path(folder, journal)

    reasons = {p.source: p.reason for p in report.problems}
    assert set(reasons) == {
        "exec.md",
        "laughs.md",
        "latin1.md",
        "huge.md",
        "tag-type.md",
        "broken.md",
        "empty.md",
        "passwd.md",
        "linked-dir",
        "fifo.md",
    }
    assert "!!python/object/apply:os.system" in reasons["exec.md"]
    assert "aliases" in reasons["laughs.md"]
    assert "not UTF-8" in reasons["latin1.md"]
    assert "larger than 1 MiB" in reasons["huge.md"]
    assert "tags that are neither a list nor text" in reasons["tag-type.md"]
    # Too many tags cost the extra tags, not the story.
    dropped = [p for p in report.dropped_tags if p.source == "forty-tags.md"]
    assert len(dropped) == 8 and all("at most 32 tags" in p.reason for p in dropped)
    assert "symbolic link" in reasons["passwd.md"] and "symbolic link" in reasons["linked-dir"]
    assert "not a regular file" in reasons["fifo.md"]
    assert reasons["empty.md"] == "has no text"
    assert all("\n" not in reason for reason in reasons.values())
    assert not marker.exists()
    assert len(report.imported) == 3
    windows = journal.load(journal.search("Windows")[0].id)
    assert windows.body == "Line\nTwo"
    # What was stored before is exactly as it was.
    after = _snapshot(journal)
    assert after[edited.id] == before[edited.id]
    assert set(before) <= set(after) and len(after) == len(before) + 3
    assert not any("root:" in story.body for story in after.values())


def test_a_failed_import_saves_nothing(tmp_path: Path, journal: Journal) -> None:
    journal.save(title="Kept", body="Stays.")
    before = _snapshot(journal)
    not_json = _write(tmp_path, "notes.txt", "just some text")
    with pytest.raises(StorycircleError, match="not something storycircle can import"):
        import_path(not_json, journal)
    damaged = _write(tmp_path, "bad.age", b"age-encryption.org/v1\n-> X25519 nonsense\n---\n")
    with pytest.raises(StorycircleError, match="bundle"):
        import_path(damaged, journal)
    with pytest.raises(StorycircleError, match="no file or folder"):
        import_path(tmp_path / "missing", journal)
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    with pytest.raises(StorycircleError, match="symbolic link"):
        import_path(link, journal)
    assert _snapshot(journal) == before


def test_jrnl_export_keeps_dates_and_maps_tags(
    tmp_path: Path, store: Store, member: UnlockedMember
) -> None:
    clock = ImportClock(FakeClock())
    journal = Journal(store, member, clock=clock)
    path = _write(tmp_path, "jrnl.json", json.dumps(JRNL))

    report = import_path(path, journal, clock=clock)

    assert report.kind == "jrnl export" and len(report.imported) == 2
    assert [p.source for p in report.problems] == ["entry 3", "entry 4", "entry 5"]
    assert "title is not text" in report.problems[0].reason
    assert "tags are not a list of text" in report.problems[1].reason
    assert "date" in report.problems[2].reason
    work = journal.load(journal.search("Back at work.")[0].id)
    assert work.tags == ("work",) and work.created == "2023-05-02T08:30:00+00:00"
    slept = journal.load(journal.search("Slept")[0].id)
    assert slept.tags == ("sleep", "hope", "starred")  # jrnl's star is a tag
    assert slept.body.startswith("Eight hours, sleep at last.")
    assert import_path(path, journal, clock=clock).already_present == 2


def test_bundle_round_trip_is_idempotent(tmp_path: Path, journal: Journal) -> None:
    first = journal.save(title="One", body="First story.", tags=["hope"]).story
    journal.save(title="One, again", body="Edited.", story_id=first.id, base_version=1)
    journal.save(title="Two", body="Second story.", content_notes=["grief"])
    export_journal(journal, "bundle", tmp_path / "out")
    bundle = tmp_path / "out" / "stories.age"

    same = import_path(bundle, journal)
    assert same.kind == "storycircle bundle"
    assert (same.added, same.already_present) == (0, 2)

    other_store, restored = _same_member_elsewhere(journal.member)
    try:
        fresh = import_path(bundle, restored)
        assert set(fresh.imported) == {s.id for s in journal.summaries()}
        assert restored.load(first.id).title == "One, again"
        assert restored.load(first.id).body == "Edited."
        again = import_path(bundle, restored)
        assert (again.added, again.already_present) == (0, 2)
    finally:
        other_store.close()

    # A newer version here: the bundle's older one is kept as a copy, ours untouched.
    journal.save(title="One, third", body="Edited twice.", story_id=first.id, base_version=2)
    changed = import_path(bundle, journal)
    assert len(changed.copies) == 1 and changed.already_present == 1
    assert journal.load(changed.copies[0]).body == "Edited."
    assert journal.load(first.id).body == "Edited twice."
    assert journal.load(first.id).version == 3


def test_a_bundle_for_someone_else_is_refused(
    tmp_path: Path, journal: Journal, store: Store
) -> None:
    journal.save(title="Mine", body="Private.")
    export_journal(journal, "bundle", tmp_path / "out", armor=True)
    lake = Journal(store, make_member(store, "lake"))
    with pytest.raises(StorycircleError, match="someone else's key"):
        import_path(tmp_path / "out" / "stories.age", lake)
    assert lake.count() == 0


def test_passphrase_bundle(tmp_path: Path, journal: Journal, store: Store) -> None:
    journal.save(title="Shared", body="For my sponsor.", tags=["sponsor"])
    export_journal(journal, "bundle", tmp_path / "out", passphrase=PASSPHRASE, work_factor=10)
    bundle = tmp_path / "out" / "stories.age"
    lake = Journal(store, make_member(store, "lake"))
    with pytest.raises(PassphraseNeeded):
        import_path(bundle, lake)
    with pytest.raises(StorycircleError, match="does not open"):
        import_path(bundle, lake, passphrase="wrong horse battery staple")
    report = import_path(bundle, lake, passphrase=PASSPHRASE)
    assert len(report.imported) == 1
    assert lake.load(report.imported[0]).body == "For my sponsor."


def test_storycircle_json_export_imports(tmp_path: Path, journal: Journal) -> None:
    journal.save(title="In JSON", body="Plain export.", tags=["hope"])
    export_journal(journal, "json", tmp_path / "out")
    document = json.loads((tmp_path / "out" / "stories.json").read_text())
    document["stories"].append({"id": 7, "title": "bad"})
    path = _write(tmp_path, "edited.json", json.dumps(document))
    other_store, restored = _same_member_elsewhere(journal.member)
    try:
        report = import_path(path, restored)
        assert report.kind == "storycircle JSON export"
        assert len(report.imported) == 1
        assert [(p.source, p.reason) for p in report.problems] == [
            ("story 2", "its id is not text")
        ]
    finally:
        other_store.close()


def test_markdown_reimport_adds_nothing(tmp_path: Path, journal: Journal) -> None:
    folder = tmp_path / "md"
    _write(folder, "a.md", "---\ntitle: A\ntags: [hope]\n---\nAlpha.")
    _write(folder, "b.md", "Beta, untitled.")
    assert len(import_path(folder, journal).imported) == 2
    again = import_path(folder, journal)
    assert (again.added, again.already_present) == (0, 2)
    assert journal.count() == 2


def test_an_unusable_tag_is_left_off_and_the_story_kept(tmp_path: Path, journal: Journal) -> None:
    folder = tmp_path / "tags"
    _write(folder, "emoji.md", "---\ntitle: Sprout\ntags: [hope, 🌱, '!!!']\n---\nGrowing.")
    _write(folder, "meaning.md", "---\ntitle: Release\ntags: ['2.0', 'می\u200cخواهم']\n---\nx")
    report = import_path(folder, journal)
    assert report.problems == () and len(report.imported) == 2
    reasons = [(p.source, p.reason) for p in report.dropped_tags]
    assert reasons == [
        ("emoji.md", 'tag dropped: tag "🌱" needs at least one letter or digit'),
        ("emoji.md", 'tag dropped: tag "!!!" needs at least one letter or digit'),
    ]
    assert "2 tags left off" in report.summary()
    sprout = journal.load(journal.search("Sprout")[0].id)
    assert sprout.tags == ("hope",) and sprout.body == "Growing."
    release = journal.load(journal.search("Release")[0].id)
    assert release.tags == ("2.0", "می\u200cخواهم")
    assert [s.id for s in journal.with_tag("2.0")] == [release.id]
    assert journal.with_tag("20") == []


def test_stories_saved_with_the_older_tag_forms_are_still_found(journal: Journal) -> None:
    # What earlier versions stored for "2.0" and "می‌خواهم": written as they did.
    member = journal.member
    old = Story(
        id="0123456789abcdef",
        version=1,
        title="old",
        body="saved before",
        tags=("20", "میخواهم", "hope"),
        author_id=member.id,
        created="2025-01-01T00:00:00+00:00",
        updated="2025-01-01T00:00:00+00:00",
    )
    assert journal._write(old, expected_version=0)
    new = journal.save(title="new", body="saved now", tags=["2.0", "می\u200cخواهم", "hope"]).story
    assert {s.id for s in journal.with_tag("2.0")} == {old.id, new.id}
    assert {s.id for s in journal.with_tag("می\u200cخواهم")} == {old.id, new.id}
    assert {s.id for s in journal.with_tag("hope")} == {old.id, new.id}  # same token as before
    assert [s.id for s in journal.with_tag("20")] == [old.id]


def test_jrnl_starred_and_inline_tags_become_tags(
    tmp_path: Path, store: Store, member: UnlockedMember
) -> None:
    clock = ImportClock(FakeClock())
    journal = Journal(store, member, clock=clock)
    entry = {
        "title": "A walk with @Sam.",
        "body": "We went to the @gym-class, then (@park). Mail a@b.com or @@x; cost @ 5.",
        "date": "2023-05-05",
        "time": "09:00",
        "tags": [],
        "starred": True,
    }
    path = _write(tmp_path, "jrnl.json", json.dumps({"tags": {}, "entries": [entry]}))
    import_path(path, journal, clock=clock)
    [summary] = journal.summaries()
    story = journal.load(summary.id)
    assert set(story.tags) == {"sam", "gym-class", "park", "starred"}
    assert story.title == "A walk with Sam."
    assert story.body == "We went to the gym-class, then (park). Mail a@b.com or @@x; cost @ 5."
    # The second import finds the same story: the rewritten body is what it compares.
    assert import_path(path, journal, clock=clock).already_present == 1


def _numbered(folder: Path, count: int) -> Path:
    for n in range(count):
        _write(folder, f"day-{n}.md", f"---\ntitle: Day {n}\ntags: [Sleep, hope]\n---\nDay {n}.")
    return folder


def test_a_batch_that_fails_loses_nothing_before_it_and_the_rest_go_on(
    tmp_path: Path, journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storycircle.errors import StoreError
    from storycircle.transfer import importing

    monkeypatch.setattr(importing, "BATCH_SIZE", 3)
    real = Store.insert_stories
    calls = 0

    def second_fails(self: Store, rows: Sequence[tuple[StoryRecord, Sequence[bytes]]]) -> bool:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise StoreError("not saved: the disk is full")
        return real(self, rows)

    monkeypatch.setattr(Store, "insert_stories", second_fails)
    folder = _numbered(tmp_path / "days", 7)
    calls_seen: list[tuple[int, int]] = []

    report = import_path(folder, journal, progress=lambda d, t: calls_seen.append((d, t)))

    # Files are read in name order: days 0-2, then 3-5 (failed), then 6.
    assert sorted(_titles(journal)) == ["Day 0", "Day 1", "Day 2", "Day 6"]
    assert len(report.imported) == 4 and journal.count() == 4
    assert [(p.source, p.reason) for p in report.problems] == [
        (f"day-{n}.md", "not saved: the disk is full") for n in (3, 4, 5)
    ]
    assert set(report.imported) == {s.id for s in journal.summaries()}
    assert calls_seen[-1] == (7, 7)
    monkeypatch.setattr(Store, "insert_stories", real)
    again = import_path(folder, journal)
    assert (again.added, again.already_present) == (3, 4)
    assert journal.count() == 7


def test_stories_are_written_with_the_tags_and_dates_of_a_single_save(
    tmp_path: Path, journal: Journal, store: Store
) -> None:
    folder = tmp_path / "dated"
    _write(
        folder, "a.md", "---\ntitle: A\ntags: [Anxious, '#Peer Group']\ndate: 2021-03-04\n---\nx"
    )
    _write(folder, "b.md", "---\ntitle: B\ntags: [anxiety]\n---\ny")
    clock = ImportClock(FakeClock())
    dated = Journal(store, journal.member, clock=clock)
    import_path(folder, dated, clock=clock)
    stories = {s.title: journal.load(s.id) for s in journal.summaries()}
    assert stories["A"].tags == ("anxiety", "peer-group")
    assert stories["A"].created.startswith("2021-03-04")
    assert stories["B"].tags == ("anxiety",)
    assert journal.versions.recorded(stories["A"].id) == 1
    # The keyed tag tokens find them, the shared one for both.
    assert {s.title for s in journal.with_tag("anxiety")} == {"A", "B"}
    assert {s.title for s in journal.with_tag("peer group")} == {"A"}


def test_write_new_gives_a_fresh_id_when_one_is_taken(journal: Journal, store: Store) -> None:
    kept = journal.save(title="Kept", body="Here first.").story
    clash = replace(journal.compose(title="New", body="Arrived later."), id=kept.id)
    other = journal.compose(title="Other", body="Alongside.")

    written = journal.write_new([clash, other])

    assert written[0].id != kept.id and written[1] == other
    assert journal.load(kept.id).title == "Kept"
    assert journal.load(written[0].id).title == "New"
    assert journal.count() == 3


def test_insert_stories_writes_nothing_when_an_id_is_taken(journal: Journal, store: Store) -> None:
    kept = journal.save(title="Kept", body="Here first.").story
    fresh = journal.compose(title="Fresh", body="x")
    clash = replace(journal.compose(title="Clash", body="y"), id=kept.id)
    seq_before = store._conn.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()
    rows = [journal._row(fresh), journal._row(clash)]

    assert store.insert_stories(rows) is False

    assert journal.count() == 1
    seq_after = store._conn.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()
    assert seq_after == seq_before


class _DiskFillsUp:
    """A connection on which every write fails, as SQLite fails on ENOSPC, once ``full``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.full = False

    def execute(self, sql: str, *args: Any) -> Any:
        if self.full and sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_when_the_disk_fills_up_earlier_batches_stay_and_each_story_after_is_reported(
    tmp_path: Path, file_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storycircle.transfer import importing

    monkeypatch.setattr(importing, "BATCH_SIZE", 3)
    journal = Journal(file_store, make_member(file_store), clock=FakeClock())
    disk = _DiskFillsUp(file_store._conn)
    monkeypatch.setattr(file_store, "_conn", disk)
    folder = _numbered(tmp_path / "days", 7)

    def fill_after_the_first_batch(done: int, total: int) -> None:
        disk.full = done >= 3

    report = import_path(folder, journal, progress=fill_after_the_first_batch)

    assert sorted(_titles(journal)) == ["Day 0", "Day 1", "Day 2"]
    assert [(p.source, p.reason) for p in report.problems] == [
        (f"day-{n}.md", "not saved: the disk is full") for n in range(3, 7)
    ]
    assert report.summary() == "Imported 3 stories from a Markdown folder (4 skipped)."
    disk.full = False
    again = import_path(folder, journal)
    assert (again.added, again.already_present) == (4, 3)
    assert sorted(_titles(journal)) == [f"Day {n}" for n in range(7)]


def test_a_file_keeps_its_free_id_and_gets_a_new_one_when_another_member_has_it(
    tmp_path: Path, journal: Journal, store: Store
) -> None:
    other = Journal(store, make_member(store, "lake"), clock=FakeClock())
    theirs = other.save(title="Theirs", body="Not yours to overwrite.").story
    folder = tmp_path / "ids"
    _write(folder, "free.md", "---\ntitle: Free\nid: 00000000000000aa\n---\nMine.")
    _write(folder, "taken.md", f"---\ntitle: Taken\nid: {theirs.id}\n---\nAlso mine.")

    report = import_path(folder, journal)

    assert len(report.imported) == 2 and not report.problems
    mine = {s.title: s.id for s in journal.summaries()}
    assert mine["Free"] == "00000000000000aa"
    assert mine["Taken"] != theirs.id and set(report.imported) == set(mine.values())
    assert journal.load(mine["Taken"]).body == "Also mine."
    assert other.load(theirs.id).title == "Theirs"
    assert import_path(folder, journal).already_present == 2
