"""Library: newest first, search, tag filter, content-note filters, empty state."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from storycircle.journal.journal import read_summaries
from storycircle.journal.preferences import Preferences
from storycircle.screens import library as library_screen
from storycircle.screens.library import FIRST_SCREENFUL, LibraryScreen
from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.story_list import StoryList
from tests.support.people import TEST_WORK_FACTOR, FakeClock
from tests.ui.helpers import SIZE, static_text, unlock_session


def _titles(app: StorycircleApp) -> list[str]:
    stories = app.screen.query_one("#stories", StoryList)
    return [stories.row_content(i).plain for i in range(len(stories.rows))]


def _seed(session: Session) -> None:
    session.save_story(title="Panic at the bus stop", body="x", tags=["panic"], content_notes=[])
    session.save_story(
        title="The worst week", body="x", tags=["relapse"], content_notes=["mentions self-harm"]
    )
    session.save_story(title="One year", body="x", tags=["relapse", "hope"], content_notes=[])


async def test_lists_newest_first_with_tags_and_notes(
    app: StorycircleApp, session: Session
) -> None:
    unlock_session(session)
    _seed(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.pause()
        titles = _titles(app)
        assert "One year" in titles[0] and "#relapse #hope" in titles[0]
        assert "The worst week" in titles[1] and "mentions self-harm" in titles[1]
        assert "Panic at the bus stop" in titles[2]
        assert "river's journal · 3 stories" in static_text(app, "#library-heading")


async def test_search_and_tag_filter(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    _seed(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.press("slash", *"panic")
        await pilot.pause()
        assert [t.split("  ")[1] for t in _titles(app)] == ["Panic at the bus stop"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(_titles(app)) == 3
        await pilot.press("t", *"relapse")
        await pilot.pause()
        assert app.screen.query_one("#tag", Input).suggester is not None  # completion
        assert len(_titles(app)) == 2
        assert "tagged #relapse" in static_text(app, "#library-status")


async def test_content_note_filters_hide_stories(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    _seed(session)
    session.set_preferences(Preferences(hidden_notes=("self-harm",)))
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.pause()
        titles = " ".join(_titles(app))
        assert "The worst week" not in titles and "One year" in titles
        assert "content-note filters on" in static_text(app, "#library-status")


async def test_empty_library_says_what_to_do(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.pause()
        assert _titles(app) == []
        assert "Press n to write your first story" in static_text(app, "#library-status")


async def test_bad_tag_filter_is_explained(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    _seed(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        app.screen.query_one("#tag", Input).value = "🌱"
        await pilot.pause()
        assert "letter or digit" in static_text(app, "#library-status")


async def test_a_large_journal_draws_its_newest_rows_first_then_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker waits until the first draw has been checked.
    first_draw_checked = threading.Event()

    def read_after_the_check(*args: Any) -> Any:
        first_draw_checked.wait(timeout=30)
        return read_summaries(*args)

    monkeypatch.setattr("storycircle.journal.journal.read_summaries", read_after_the_check)
    # A file-backed store: the rest of the rows are read by a worker thread on
    # its own connection.
    store = Store.open(tmp_path / "storycircle.db")
    session = Session(
        Installation(tmp_path, store, Config(work_factor=TEST_WORK_FACTOR)), clock=FakeClock()
    )
    unlock_session(session)
    count = FIRST_SCREENFUL + 5
    with session.require_journal().batch():
        for number in range(count):
            session.save_story(title=f"Day {number}", body="tea", tags=[], content_notes=[])
    app = StorycircleApp(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = LibraryScreen(session)
            await app.push_screen(screen)
            stories = screen.query_one("#stories", StoryList)
            # The first draw holds the newest screenful and says the rest is coming.
            assert len(stories.rows) == FIRST_SCREENFUL
            assert stories.rows[0].title == f"Day {count - 1}"
            assert "reading the other 5" in static_text(app, "#library-status")
            assert f"{count} stories" in static_text(app, "#library-heading")
            first_draw_checked.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert len(stories.rows) == count
            assert stories.rows[-1].title == "Day 0"
            assert "reading" not in static_text(app, "#library-status")
            # Only once every row is listed does the full-text index start.
            assert session.library.text_index is not None
    finally:
        store.close()


async def test_newest_first_is_by_the_story_date_on_the_first_page_and_after(
    tmp_path: Path,
) -> None:
    # Stories written today, then older ones imported afterwards (their own
    # dates kept): the older ones go below, on the first page and after it.
    store = Store.open(tmp_path / "storycircle.db")
    clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    session = Session(
        Installation(tmp_path, store, Config(work_factor=TEST_WORK_FACTOR)), clock=clock
    )
    unlock_session(session)
    with session.require_journal().batch():
        for number in range(FIRST_SCREENFUL):
            session.save_story(title=f"Today {number}", body="tea", tags=[], content_notes=[])
        for year in (2023, 2024, 2025, 2022, 2021):
            clock.now = datetime(year, 6, 1, 9, 0, tzinfo=UTC)
            session.save_story(title=f"From {year}", body="tea", tags=[], content_notes=[])
    app = StorycircleApp(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = LibraryScreen(session)
            await app.push_screen(screen)
            stories = screen.query_one("#stories", StoryList)
            assert len(stories.rows) == FIRST_SCREENFUL
            assert [s.title for s in stories.rows[:2]] == [
                f"Today {FIRST_SCREENFUL - 1}",
                f"Today {FIRST_SCREENFUL - 2}",
            ]
            assert all(s.title.startswith("Today") for s in stories.rows)
            await app.workers.wait_for_complete()
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert [s.title for s in stories.rows[FIRST_SCREENFUL:]] == [
                "From 2025",
                "From 2024",
                "From 2023",
                "From 2022",
                "From 2021",
            ]
            await pilot.press("slash", *"tea")  # found by the text index: same order
            await pilot.pause()
            assert [s.title for s in stories.rows][-3:] == ["From 2023", "From 2022", "From 2021"]
    finally:
        store.close()


async def test_the_search_box_says_what_it_searches(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    _seed(session)
    shipped = session.library.collections[0].stories[0]
    word = max(shipped.body.split(), key=len).strip(".,;:!?\"'()*_")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.pause()
        search = app.screen.query_one("#search", Input)
        assert search.placeholder == "/ search titles, tags and words of the text"
        # A collection is searched by the words of its stories too.
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        screen.show_section("collections")
        await pilot.pause()
        assert search.placeholder == "/ search titles, tags and words of the text"
        search.value = word
        await pilot.pause()
        assert shipped.id in {s.id for s in screen.query_one("#stories", StoryList).rows}


async def test_search_looks_inside_stories_once_the_index_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storycircle.reading.library.SEARCH_LIMIT", 2)
    monkeypatch.setattr(library_screen, "SEARCH_LIMIT", 2)
    store = Store.open(tmp_path / "storycircle.db")  # the index opens on a worker's connection
    session = Session(
        Installation(tmp_path, store, Config(work_factor=TEST_WORK_FACTOR)), clock=FakeClock()
    )
    app = StorycircleApp(session)
    unlock_session(session)
    _seed(session)
    for day in ("Monday", "Tuesday", "Wednesday"):
        session.save_story(
            title=day, body="a long walk by the riverbank", tags=[], content_notes=[]
        )
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert session.library.text_index is not None and session.library.text_index.ready
        await pilot.press("slash", *"river")  # a prefix of a word inside the stories
        await pilot.pause()
        titles = _titles(app)
        assert len(titles) == 2 and "Wednesday" in titles[0] and "Tuesday" in titles[1]
        status = static_text(app, "#library-status")
        assert 'the newest 2 shown of 3 · matching "river"' in status
    store.close()
