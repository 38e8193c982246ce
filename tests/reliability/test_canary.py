"""No plaintext at rest: a unique canary in everything a person writes, every
verb exercised, then every file of the data folder, the temp folder and any
log searched for it.

To cover a new kind of item, add its canaries to ``CANARIES`` and
a step to ``EXERCISES`` (share, withdraw...); the search needs no change.
"""

from __future__ import annotations

import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storycircle.journal.preferences import Preferences
from storycircle.models import Draft
from storycircle.session.config import Config
from storycircle.session.installation import Installation, open_installation
from storycircle.session.session import Session
from storycircle.transfer.exporting import ExportFormat, export_journal
from storycircle.tui.app import StorycircleApp
from tests.support.people import TEST_WORK_FACTOR, FakeClock, make_member

CANARIES = {
    "title": "canarytitle7f3a",
    "body": "canarybody91c2",
    "tag": "canarytag55e1",
    "note": "canarynote0b9d",
    "draft": "canarydraft2d4e",
    "edited": "canaryedited6a0c",
    "filter": "canaryfilter4b7d",
    "deleted": "canarydeleted9e35",
    "circle": "canarycircle3c8f",
    "pseudonym": "canarypseud7d21",
    "shared": "canaryshared5a6b",
}


@dataclass
class World:
    """The installation being exercised, and what the steps made."""

    session: Session
    home: Path
    ids: dict[str, str] = field(default_factory=dict)


def _open_index(world: World) -> None:
    # The full-text index, opened as the library screen's worker opens it:
    # from here on every save also writes a sealed segment.
    index = world.session.library.start_text_index()
    assert index is not None and index.load(world.session.installation.store)


def _merge_index(world: World) -> None:
    index = world.session.library.text_index
    assert index is not None
    matches = index.search(CANARIES["edited"])
    assert matches is not None and matches.count == 1  # the words are in the index
    while index.merge(world.session.installation.store):
        pass
    store = world.session.installation.store
    member = world.session.require_journal().member
    assert list(store.search.segments(member.id))  # what the file search covers


def _write(world: World) -> None:
    saved = world.session.save_story(
        title=CANARIES["title"],
        body=f"{CANARIES['body']} the night I finally told someone",
        tags=[CANARIES["tag"]],
        content_notes=[CANARIES["note"]],
    )
    world.ids["story"] = saved.story.id


def _edit(world: World) -> None:
    world.session.save_story(
        title=CANARIES["title"] + " again",
        body=f"{CANARIES['edited']} and then I slept",
        tags=[CANARIES["tag"]],
        content_notes=[CANARIES["note"]],
        story_id=world.ids["story"],
        base_version=1,
    )


def _draft(world: World) -> None:
    draft = Draft(id="d0d0d0d0d0d0d0d0", title=CANARIES["draft"], body=CANARIES["draft"] * 3)
    world.session.autosave_draft(draft)


def _preferences(world: World) -> None:
    world.session.set_preferences(Preferences(hidden_notes=(CANARIES["filter"],)))


def _react(world: World) -> None:
    world.session.toggle_reaction(world.ids["story"], "hope")
    world.session.toggle_reaction(world.ids["story"], "me-too")


def _consent_and_withdraw(world: World) -> None:
    world.session.set_may_be_collected(world.ids["story"], True)
    world.session.set_may_be_collected(world.ids["story"], False)
    world.session.set_may_be_collected(world.ids["story"], True)


def _delete(world: World) -> None:
    doomed = world.session.save_story(
        title=CANARIES["deleted"],
        body=CANARIES["deleted"] + " words I took back",
        tags=[CANARIES["deleted"]],
        content_notes=[],
    )
    world.session.delete_story(doomed.story.id)


def _circle(world: World) -> None:
    # A circle whose folder is inside the data folder, so its files are searched too.
    folder = world.home / "circle-folder"
    folder.mkdir()
    circle = world.session.create_circle(CANARIES["circle"], CANARIES["pseudonym"], str(folder))
    world.ids["circle"] = circle.id


def _share_and_withdraw(world: World) -> None:
    shared = world.session.save_story(
        title=CANARIES["shared"],
        body=CANARIES["shared"] + " read aloud on Tuesday",
        tags=[CANARIES["shared"]],
        content_notes=[],
    )
    world.session.share_story(shared.story.id, world.ids["circle"])
    world.session.share_story(world.ids["story"], world.ids["circle"])
    world.session.withdraw_story(shared.story.id, world.ids["circle"])


def _export(world: World) -> None:
    # Plain exports hold the words by design, in a private folder the person
    # chose (outside the searched folders); the bundle holds none in clear.
    # What is searched is everything else: no temporary copy anywhere.
    journal = world.session.require_journal()
    for fmt in ExportFormat:
        dest = world.home.parent / "exports" / fmt.value
        report = export_journal(journal, fmt, dest, passphrase=None)
        assert report.stories >= 2 and stat.S_IMODE(dest.stat().st_mode) == 0o700
        for name in report.files:
            assert stat.S_IMODE((dest / name).stat().st_mode) == 0o600
    bundle = (world.home.parent / "exports" / "bundle" / "stories.age").read_bytes()
    assert _hits_in(bundle) == []


def _lock(world: World) -> None:
    world.session.lock()


EXERCISES: list[Callable[[World], None]] = [
    _open_index,
    _write,
    _edit,
    _draft,
    _preferences,
    _react,
    _consent_and_withdraw,
    _delete,
    _circle,
    _share_and_withdraw,
    _export,
    _merge_index,
    _lock,
]
"""Every verb that stores something, in order."""


def _forms(word: str) -> list[bytes]:
    return [word.encode("utf-8"), word.encode("utf-16-le"), word.upper().encode()]


def _files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        yield from (p for p in root.rglob("*") if p.is_file())


def _hits_in(data: bytes) -> list[str]:
    return [c for c in CANARIES.values() if any(f in data for f in _forms(c))]


def _hits(files: list[Path]) -> list[tuple[str, str]]:
    return [(path.name, c) for path in files for c in _hits_in(path.read_bytes())]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp folder of its own, so anything written there can be searched."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_no_canary_anywhere_after_every_verb(tmp_path: Path, private_tmp: Path) -> None:
    home = tmp_path / "home"
    opened = open_installation(home)
    installation = Installation(opened.folder, opened.store, Config(work_factor=TEST_WORK_FACTOR))
    session = Session(installation, clock=FakeClock())
    session.open_journal(make_member(installation.store))
    world = World(session, home)
    searched: list[Path] = []
    hits: list[tuple[str, str]] = []
    for step in EXERCISES:
        step(world)
        # Look after every step: the WAL holds what a checkpoint later moves.
        files = list(_files(home, private_tmp))
        searched += files
        hits += _hits(files)
    installation.store.checkpoint()
    installation.store.close()
    files = list(_files(home, private_tmp, *Path(tmp_path).glob("*.log")))
    searched += files
    hits += _hits(files)
    print(f"\n{len(EXERCISES)} steps, {len(searched)} file reads, {len(hits)} canary hits")
    assert hits == []
    names = {p.name for p in searched}
    # The search really covered the database, its WAL and the consent list.
    assert {"storycircle.db", "storycircle.db-wal"} <= names
    assert any(n.startswith("consents-") for n in names)
    assert any(n.startswith("story-") for n in names)  # the circle folder's files
    assert sum(p.stat().st_size for p in _files(home)) > 10_000


def test_deleted_story_bytes_are_gone_from_the_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    installation = open_installation(home)
    session = Session(installation, clock=FakeClock())
    session.open_journal(make_member(installation.store))
    story = session.save_story(title="to delete", body="x" * 2000, tags=[], content_notes=[])
    stored = installation.store.story(story.story.id)
    assert stored is not None
    markers = [stored.blob[-64:], stored.summary[-32:]]  # ciphertext unique to this story
    installation.store.checkpoint()
    everything = b"".join(p.read_bytes() for p in _files(home))
    assert all(m in everything for m in markers)
    session.delete_story(story.story.id)
    installation.store.checkpoint()
    installation.store.close()
    everything = b"".join(p.read_bytes() for p in _files(home))
    assert not any(m in everything for m in markers)


def _rows_holding(db: Path, *needles: str) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db)
    found = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            cells = [c.decode("latin-1") if isinstance(c, bytes) else str(c) for c in row]
            if all(any(n in cell for cell in cells) for n in needles):
                found.append(table)
    conn.close()
    return found


def test_reactions_say_how_many_never_who(tmp_path: Path) -> None:
    home = tmp_path / "home"
    installation = open_installation(home)
    session = Session(installation, clock=FakeClock())
    session.open_journal(make_member(installation.store, "river"))
    story = session.save_story(title="t", body="b", tags=[], content_notes=[]).story
    reader = make_member(installation.store, "oak")
    session.open_journal(reader)
    session.toggle_reaction(story.id, "hope")
    session.toggle_reaction(story.id, "me-too")
    assert session.reactions(story.id).mine == {"hope", "me-too"}
    installation.store.checkpoint()
    installation.store.close()
    db = home / "storycircle.db"
    assert _rows_holding(db, reader.id, story.id) == []
    assert _rows_holding(db, reader.id, "hope") == []
    assert _rows_holding(db, story.id, "hope") == ["reactions"]  # the count is there


async def test_no_screenshot_is_ever_written(
    tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TEXTUAL_SCREENSHOT_LOCATION", str(cwd))
    installation = open_installation(home)
    session = Session(installation, clock=FakeClock())
    session.open_journal(make_member(installation.store))
    story = session.save_story(
        title=CANARIES["title"], body=CANARIES["body"], tags=[], content_notes=[]
    ).story
    before = set(_files(home, private_tmp, cwd))
    app = StorycircleApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_story(story.id)
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Screenshot" not in titles and "Keys" in titles
        await app.run_action("screenshot")
        app.deliver_screenshot()
        assert app.save_screenshot() == ""
        await pilot.pause(0.3)
        assert CANARIES["body"] in app.export_screenshot()  # on screen, never on disk
    installation.store.close()
    written = set(_files(home, private_tmp, cwd)) - before
    assert not [p for p in written if p.suffix == ".svg"]
    assert _hits(list(_files(private_tmp, cwd))) == []
    assert list(cwd.iterdir()) == []
