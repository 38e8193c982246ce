"""Help now: one key from every screen, locked or not, offline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from textual.screen import Screen

from storycircle.screens.help_now import HelpNowScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session.helplines import HelpLine
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from tests.ui.helpers import SIZE, screen_text, unlock_session


@pytest.fixture(autouse=True)
def us_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


async def test_help_now_from_the_locked_welcome_screen(app: StorycircleApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpNowScreen)
        text = screen_text(app)
        assert "988" in text
        assert "not a crisis service" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)


async def test_help_now_from_the_library_and_shown_in_the_footer(
    app: StorycircleApp, session: Session
) -> None:
    unlock_session(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.pause()
        assert "Help now" in screen_text(app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpNowScreen)


async def test_configured_lines_replace_the_shipped_ones(
    app: StorycircleApp, session: Session
) -> None:
    own = HelpLine("en-US", "Our group's on-call peer", "Call Sam on 555-0100", "evenings")
    session.installation = replace(
        session.installation, config=replace(session.config, help_lines=(own,))
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        text = screen_text(app)
        assert "Our group's on-call peer" in text and "555-0100" in text
        assert "988 Suicide" not in text


async def test_help_now_is_visible_on_every_screen_at_80_columns(
    app: StorycircleApp, session: Session
) -> None:
    from storycircle.screens.editor import EditorScreen
    from storycircle.screens.import_stories import ImportScreen
    from storycircle.screens.reader import ReaderScreen
    from storycircle.screens.settings import SettingsScreen
    from storycircle.screens.tag_browser import TagBrowserScreen

    unlock_session(session)
    story = session.save_story(title="t", body="b", tags=["hope"], content_notes=[]).story
    screens: list[Callable[[], Screen[None] | EditorScreen]] = [
        lambda: LibraryScreen(session),
        lambda: ReaderScreen(session, story.id),
        lambda: EditorScreen(session),
        lambda: SettingsScreen(session),
        lambda: TagBrowserScreen(session),
        lambda: ImportScreen(session),
    ]
    async with app.run_test(size=(80, 24)) as pilot:
        assert "f1 Help now" in screen_text(app)  # the welcome screen
        for make in screens:
            await app.push_screen(make())
            await pilot.pause()
            assert "f1 Help now" in screen_text(app), type(app.screen).__name__
            app.pop_screen()
            await pilot.pause()


async def test_help_now_puts_the_chosen_region_first_and_others_one_key_away(
    app: StorycircleApp, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")  # no region from the system
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        text = screen_text(app)
        assert "988" not in text and "Samaritans" not in text
        assert "Emergency" in text and "Press o for other countries" in text
        await pilot.press("o")
        await pilot.pause()
        await pilot.pause()
        regions = [str(w.render()) for w in app.screen.query(".help-region")]
        assert "The United Kingdom" in regions and "The United States" in regions
        assert "Other countries:" in screen_text(app)  # scrolled into view
        assert not app.screen.query("#help-others")
        await pilot.press("escape")
        await pilot.pause()
    session.update_config(replace(session.config, help_locale="en-GB"))  # a kiosk's setup
    again = StorycircleApp(session)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        first = again.screen.query(".help-name").first()
        assert "Samaritans" in str(first.render())
        assert "988" not in screen_text(again)
