"""Welcome screen: create a member, unlock, refuse a wrong passphrase."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from storycircle.journal.members import create_member
from storycircle.screens.library import LibraryScreen
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.story_list import StoryList
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.ui.helpers import SIZE


def _status(app: StorycircleApp) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def test_first_run_creates_a_member_and_opens_the_journal(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        assert app.screen.query_one("#create-form").display
        await pilot.click("#pseudonym")
        await pilot.press(*"river")
        app.screen.query_one("#new-passphrase", Input).value = PASSPHRASE
        app.screen.query_one("#repeat-passphrase", Input).value = PASSPHRASE
        await pilot.click("#create")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
    assert [m.pseudonym for m in session.members()] == ["river"]


async def test_mismatched_passphrases_keep_the_form(app: StorycircleApp, session: Session) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#pseudonym", Input).value = "river"
        app.screen.query_one("#new-passphrase", Input).value = PASSPHRASE
        app.screen.query_one("#repeat-passphrase", Input).value = PASSPHRASE + "x"
        await pilot.click("#create")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "differ" in _status(app)
    assert session.members() == []


async def test_weak_passphrase_is_explained(app: StorycircleApp, session: Session) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#pseudonym", Input).value = "river"
        app.screen.query_one("#new-passphrase", Input).value = "short"
        app.screen.query_one("#repeat-passphrase", Input).value = "short"
        await pilot.click("#create")
        await pilot.pause()
        assert "at least 12 characters" in _status(app)
    assert session.members() == []


async def test_unlock_and_wrong_passphrase(app: StorycircleApp, session: Session) -> None:
    create_member(session.installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one("#unlock-form").display
        field = app.screen.query_one("#unlock-passphrase", Input)
        field.value = "not my passphrase at all"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "does not unlock" in _status(app)
        assert field.value == ""  # a wrong passphrase is not left on screen
        field.value = PASSPHRASE
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert len(app.screen.query_one("#stories", StoryList).rows) == 0


async def test_lock_returns_to_welcome_and_forgets_the_member(
    app: StorycircleApp, session: Session
) -> None:
    create_member(session.installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#unlock-passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert session.journal is not None
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert session.journal is None
        assert not app.query(LibraryScreen)


async def test_the_only_member_is_chosen_already(app: StorycircleApp, session: Session) -> None:
    from textual.widgets import Select

    create_member(session.installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        picker = app.screen.query_one("#member", Select)
        assert picker.value == session.members()[0].id


@pytest.mark.parametrize(
    ("pseudonym", "passphrase_cleared"),
    [(PASSPHRASE, True), ("tulip anchor velvet ninety", False), ("Xk9#pL2$qR7v", False)],
)
async def test_a_pseudonym_that_looks_like_a_passphrase_is_cleared_and_never_kept(
    app: StorycircleApp, session: Session, pseudonym: str, passphrase_cleared: bool
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#pseudonym", Input).value = pseudonym
        app.screen.query_one("#new-passphrase", Input).value = PASSPHRASE
        app.screen.query_one("#repeat-passphrase", Input).value = PASSPHRASE
        await pilot.click("#create")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "looks like a passphrase" in _status(app)
        assert pseudonym not in _status(app)
        assert app.screen.query_one("#pseudonym", Input).value == ""
        assert app.screen.focused is app.screen.query_one("#pseudonym", Input)
        left = app.screen.query_one("#new-passphrase", Input).value
        assert (left == "") is passphrase_cleared
    assert session.members() == []


async def test_footer_keys_are_rebuilt_only_when_they_change(app: StorycircleApp) -> None:
    from textual.widgets._footer import FooterKey

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def shown() -> list[FooterKey]:
            return list(app.screen.query(FooterKey))

        before = shown()
        assert before[0].key == "f1"  # Help now first
        app.screen.query_one("#new-passphrase", Input).focus()
        await pilot.pause()
        await pilot.pause()
        # Same bindings for the next field: the very same keys stay drawn.
        assert all(a is b for a, b in zip(shown(), before, strict=True))
        app.screen.query_one("#create").focus()
        await pilot.pause()
        await pilot.pause()
        # A button lets "?" through to the app: the footer shows it now.
        keys = [key.key for key in shown()]
        assert "question_mark" in keys and keys[0] == "f1"
