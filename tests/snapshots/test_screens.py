"""Snapshot tests of the main screens, one class per feature, in several states each.

Each feature is drawn full (seeded) and, where it differs, empty and narrow
(an 80x24 terminal), so a change that only breaks a small window shows.

Dates come from a fixed clock and the app under test has no random text on
screen, so a snapshot changes only when what a person sees changes. Update
with ``python -m pytest tests/snapshots --snapshot-update`` and look at the
report before committing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from storycircle.journal.members import create_member, unlock
from storycircle.screens.circles import CirclesScreen
from storycircle.screens.editor import EditorScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.reader import ReaderScreen
from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from storycircle.tui.app import StorycircleApp
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR, FakeClock
from tests.ui.helpers import unlock_session

SIZE = (100, 32)
NARROW = (80, 24)
Compare = Callable[..., bool]


@pytest.fixture(autouse=True)
def fixed_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    store = Store.memory()
    yield Session(
        Installation(tmp_path, store, Config(work_factor=TEST_WORK_FACTOR)), clock=FakeClock()
    )
    store.close()


def _seed(session: Session) -> str:
    unlock_session(session)
    session.save_story(
        title="Panic at the bus stop",
        body="I counted the windows of the bus.\n\nFour in, hold, six out.",
        tags=["panic", "coping-strategy"],
        content_notes=[],
    )
    session.save_story(
        title="The worst week",
        body="It came back.",
        tags=["relapse"],
        content_notes=["mentions self-harm"],
    )
    story = session.save_story(
        title="One year",
        body="# One year\n\nA year ago I could not get out of bed. Today I walked to the river.\n\n"
        "- tea at seven\n- a walk\n- call my sister",
        tags=["relapse", "one-year", "hope"],
        content_notes=[],
    ).story
    return story.id


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _opener(screen: Callable[[], Any]) -> Callable[[Pilot[Any]], Any]:
    async def open_screen(pilot: Pilot[Any]) -> None:
        await pilot.app.push_screen(screen())
        await _settle(pilot)

    return open_screen


def _seed_circles(session: Session) -> None:
    unlock_session(session, "ash")
    ash = session.members()[0]
    birch = create_member(
        session.installation.store, "birch", PASSPHRASE, work_factor=TEST_WORK_FACTOR
    )
    cedar = create_member(
        session.installation.store, "cedar", PASSPHRASE, work_factor=TEST_WORK_FACTOR
    )
    circle = session.create_circle("Tuesday group", "Ash at Tuesdays")
    session.invite(circle.id, birch)
    session.invite(circle.id, cedar)
    session.lock()
    session.open_journal(unlock(birch, PASSPHRASE))
    session.accept_invitation(circle.id, "Willow")
    session.lock()
    session.open_journal(unlock(ash, PASSPHRASE))
    session.create_circle("Evening walkers")


class TestWelcome:
    """The first screen: nobody yet, someone to unlock, a small terminal."""

    def test_first_run(self, snap_compare: Compare, session: Session) -> None:
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE)

    def test_unlock(self, snap_compare: Compare, session: Session) -> None:
        create_member(session.installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE)

    def test_unlock_narrow(self, snap_compare: Compare, session: Session) -> None:
        create_member(session.installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
        assert snap_compare(StorycircleApp(session), terminal_size=NARROW)


class TestLibrary:
    """The library: a journal with stories, an empty one, a small terminal."""

    def test_full(self, snap_compare: Compare, session: Session) -> None:
        _seed(session)
        opener = _opener(lambda: LibraryScreen(session))
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE, run_before=opener)

    def test_empty(self, snap_compare: Compare, session: Session) -> None:
        unlock_session(session)
        opener = _opener(lambda: LibraryScreen(session))
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE, run_before=opener)

    def test_narrow(self, snap_compare: Compare, session: Session) -> None:
        _seed(session)
        opener = _opener(lambda: LibraryScreen(session))
        assert snap_compare(StorycircleApp(session), terminal_size=NARROW, run_before=opener)


class TestReader:
    """A story open in the reader, at full width and narrow."""

    def test_full(self, snap_compare: Compare, session: Session) -> None:
        story_id = _seed(session)
        opener = _opener(lambda: ReaderScreen(session, story_id))
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE, run_before=opener)

    def test_narrow(self, snap_compare: Compare, session: Session) -> None:
        story_id = _seed(session)
        opener = _opener(lambda: ReaderScreen(session, story_id))
        assert snap_compare(StorycircleApp(session), terminal_size=NARROW, run_before=opener)


class TestEditor:
    """A new story in the editor, at full width and narrow."""

    def test_new_story(self, snap_compare: Compare, session: Session) -> None:
        unlock_session(session)
        opener = _opener(lambda: EditorScreen(session))
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE, run_before=opener)

    def test_narrow(self, snap_compare: Compare, session: Session) -> None:
        unlock_session(session)
        opener = _opener(lambda: EditorScreen(session))
        assert snap_compare(StorycircleApp(session), terminal_size=NARROW, run_before=opener)


class TestHelpNow:
    """Crisis resources, reached with F1 from anywhere."""

    def test_full(self, snap_compare: Compare, session: Session) -> None:
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE, press=["f1", "_"])

    def test_narrow(self, snap_compare: Compare, session: Session) -> None:
        assert snap_compare(StorycircleApp(session), terminal_size=NARROW, press=["f1", "_"])


class TestCircles:
    """The circles screen: two circles with members and an invitation, and none."""

    def test_full(self, snap_compare: Compare, session: Session) -> None:
        _seed_circles(session)
        opener = _opener(lambda: CirclesScreen(session))
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE, run_before=opener)

    def test_empty(self, snap_compare: Compare, session: Session) -> None:
        unlock_session(session, "ash")
        opener = _opener(lambda: CirclesScreen(session))
        assert snap_compare(StorycircleApp(session), terminal_size=SIZE, run_before=opener)
