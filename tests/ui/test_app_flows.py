"""App-wide flows: settings, the kept-draft offer, the palette, the keys panel, lock."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, TextArea

from storycircle.models import Draft
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.editor import EditorScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.reader import ReaderScreen
from storycircle.screens.settings import SettingsScreen
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session.config import load_config
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from tests.support.people import PASSPHRASE
from tests.ui.helpers import SIZE, screen_text, static_text, unlock_session


async def _unlock_through_welcome(app: StorycircleApp) -> None:
    app.screen.query_one("#unlock-passphrase", Input).value = PASSPHRASE
    await app.screen.query_one("#unlock-passphrase", Input).action_submit()
    await app.workers.wait_for_complete()


async def test_settings_are_saved_to_the_config_file(
    app: StorycircleApp, session: Session, tmp_path: Path
) -> None:
    unlock_session(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(SettingsScreen(session))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#theme", Select).value = "storycircle-high-contrast"
        screen.query_one("#autosave", Input).value = "12"
        screen.query_one("#filters", Input).value = "self-harm, bereavement"
        screen.query_one(
            "#help-lines", TextArea
        ).text = "en-US | Our peer line | Call 555-0100 | 9-5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SettingsScreen)
        assert app.theme == "storycircle-high-contrast"
    config = load_config(tmp_path)
    assert (config.theme, config.autosave_seconds) == ("storycircle-high-contrast", 12)
    assert config.help_lines[0].name == "Our peer line"
    assert session.preferences.hidden_notes == ("self-harm", "bereavement")
    # The filters are private: sealed in the database, never in the config file.
    assert "bereavement" not in (tmp_path / "config.toml").read_text()


async def test_bad_settings_name_the_field_and_write_nothing(
    app: StorycircleApp, session: Session, tmp_path: Path
) -> None:
    unlock_session(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(SettingsScreen(session))
        await pilot.pause()
        app.screen.query_one("#autosave", Input).value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert "autosave needs a whole number" in static_text(app, "#settings-status")
    assert not (tmp_path / "config.toml").exists()


async def test_a_kept_draft_is_offered_after_unlock(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    session.autosave_draft(Draft(id="d1", title="Half a story", body="I was writing when"))
    session.lock()
    async with app.run_test(size=SIZE) as pilot:
        await _unlock_through_welcome(app)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Half a story" in screen_text(app)
        await pilot.click("#yes")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        assert app.screen.query_one("#title", Input).value == "Half a story"


async def test_later_keeps_the_draft_for_next_time(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    session.autosave_draft(Draft(id="d1", title="Half a story", body="words"))
    session.lock()
    async with app.run_test(size=SIZE) as pilot:
        await _unlock_through_welcome(app)
        await pilot.pause()
        await pilot.click("#no")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert [d.id for d in session.drafts()] == ["d1"]


async def test_palette_opens_a_story_by_title(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    session.save_story(
        title="Breathing on the bus", body="four in", tags=["panic"], content_notes=[]
    )
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"breathing")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert "four in" in screen_text(app)


async def test_palette_jumps_to_a_tag(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    session.save_story(title="A", body="x", tags=["panic"], content_notes=[])
    session.save_story(title="B", body="x", tags=["sleep"], content_notes=[])
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.press("ctrl+p")
        await pilot.press(*"tagsleep")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.query_one("#tag", Input).value == "sleep"


async def test_question_mark_lists_the_keys(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        assert "Write" in screen_text(app)


async def test_lock_from_the_editor_keeps_words_and_drops_screens(
    app: StorycircleApp, session: Session
) -> None:
    unlock_session(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#title", Input).value = "Unfinished"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert not app.query(EditorScreen) and not app.query(LibraryScreen)
        assert session.journal is None
    unlock_session_again = session.unlock_keys(session.members()[0], PASSPHRASE)
    session.open_journal(unlock_session_again)
    assert [d.title for d in session.drafts()] == ["Unfinished"]


async def test_quit_from_the_editor_keeps_the_words_as_a_draft(
    app: StorycircleApp, session: Session
) -> None:
    member = unlock_session(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#title", Input).value = "Written just before closing"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # unsaved words: asked first
        assert session.journal is not None
        await pilot.press("y")
        await pilot.pause()
    assert session.journal is None  # keys dropped on the way out
    session.open_journal(member)
    assert [d.title for d in session.drafts()] == ["Written just before closing"]
