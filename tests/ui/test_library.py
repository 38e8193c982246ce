"""Library: newest first, search, tag filter, content-note filters, empty state."""

from __future__ import annotations

from textual.widgets import Input

from storycircle.app import StorycircleApp
from storycircle.preferences import Preferences
from storycircle.screens.library import LibraryScreen
from storycircle.session import Session
from storycircle.widgets.story_list import StoryList
from tests.ui.conftest import SIZE
from tests.ui.helpers import static_text, unlock_session


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
