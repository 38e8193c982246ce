"""Fields and Tab: the cursor lands after the text, and Tab moves on at once."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, TextArea

from storycircle.journal.members import create_member, unlock
from storycircle.screens.editor import EditorScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.tag_browser import TagBrowserScreen
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.focus import tab_is_taken
from storycircle.widgets.safe import FieldInput
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.ui.helpers import SIZE


@pytest.fixture
def writer(session: Session) -> None:
    record = create_member(
        session.installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR
    )
    session.open_journal(unlock(record, PASSPHRASE))


@pytest.mark.usefixtures("writer")
async def test_tab_into_tags_keeps_them_and_types_after_them(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = EditorScreen(session)
        await app.push_screen(screen)
        await pilot.pause()
        tags = screen.query_one("#tags", Input)
        tags.value = "sleep, relapse"  # as accepted suggestions leave it
        screen.query_one("#body", TextArea).focus()
        await pilot.pause()
        for _ in range(8):
            if app.focused is tags:
                break
            await pilot.press("tab")
        assert app.focused is tags
        assert tags.selection.is_empty and tags.cursor_position == len(tags.value)
        await pilot.press(*", hope")
        assert tags.value == "sleep, relapse, hope"
        # The next Tab goes on to the content notes with nothing of the tags.
        await pilot.press("tab")
        notes = screen.query_one("#notes", Input)
        assert app.focused is notes and notes.value == ""
        # Selecting everything is a deliberate key.
        await pilot.press("shift+tab", "alt+a")
        assert app.focused is tags and tags.selection == (0, len(tags.value))


async def test_a_welcome_form_burst_lands_in_every_field(session: Session) -> None:
    # A fresh installation: the create form. Keys arrive together, as auto-type sends them.
    app = StorycircleApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Pilot hands every key to the app before any field has handled one.
        for key in ["r", "i", "v", "e", "r", "tab", *"lantern harbour", "tab", *"lantern harbour"]:
            app.post_message(_key(key))
        await pilot.pause()
        await pilot.pause()
        values = [app.screen.query_one(f"#{name}", Input).value for name in _CREATE_FIELDS]
    assert values == ["river", "lantern harbour", "lantern harbour"]


_CREATE_FIELDS = ("pseudonym", "new-passphrase", "repeat-passphrase")


def _key(key: str) -> events.Key:
    character = {"tab": "\t", "enter": "\r"}.get(key, key)
    name = "space" if key == " " else key
    return events.Key(name, character)


@pytest.mark.usefixtures("writer")
async def test_screens_that_give_tab_a_meaning_keep_it(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, TagBrowserScreen)
        shown = app.screen.active_bindings["tab"].binding
        assert shown.description == "Tags / stories" and shown.show


async def test_a_text_area_that_indents_keeps_tab() -> None:
    class Indenting(App[None]):
        def compose(self) -> ComposeResult:
            yield TextArea(tab_behavior="indent", id="indent")
            yield TextArea(tab_behavior="focus", id="focus")
            yield FieldInput(id="field")

    app = Indenting()
    async with app.run_test() as pilot:
        indent = app.query_one("#indent", TextArea)
        indent.focus()
        await pilot.pause()
        assert tab_is_taken(app.screen, indent)
        assert not tab_is_taken(app.screen, app.query_one("#focus", TextArea))
        assert not tab_is_taken(app.screen, app.query_one("#field", FieldInput))


async def test_a_welcome_form_burst_with_enter_lands_in_every_field(session: Session) -> None:
    app = StorycircleApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = ["r", "i", "v", "e", "r", "enter", *"lantern harbour", "enter", *"lantern"]
        for key in keys:
            app.post_message(_key(key))
        await pilot.pause()
        await pilot.pause()
        values = [app.screen.query_one(f"#{name}", Input).value for name in _CREATE_FIELDS]
    assert values == ["river", "lantern harbour", "lantern"]
