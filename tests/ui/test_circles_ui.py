"""Circles in the interface: create, invite, accept, share, withdraw, remove, folders."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, ProgressBar, Select, Static

from storycircle.journal.members import create_member, unlock
from storycircle.models import MemberRecord
from storycircle.screens.circle_dialogs import CardDialog, FormDialog, PickDialog
from storycircle.screens.circles import CirclesScreen
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.editor import EditorScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.reader import ReaderScreen
from storycircle.screens.share import NO_RECALL, ShareDialog
from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from storycircle.tui.app import StorycircleApp
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR, FakeClock
from tests.ui.helpers import SIZE, screen_text, static_text, unlock_session

HOSTILE = "[@click=app.quit]\x1b]0;pwned\x07"


def _session(path: Path, home: Path) -> Session:
    store = Store.open(path)
    return Session(
        Installation(home, store, Config(work_factor=TEST_WORK_FACTOR)), clock=FakeClock()
    )


def _become(session: Session, record: MemberRecord) -> None:
    """Lock, then unlock as another member of the same installation."""
    session.lock()
    session.open_journal(unlock(record, PASSPHRASE))


def _new_member(session: Session, pseudonym: str) -> MemberRecord:
    return create_member(
        session.installation.store, pseudonym, PASSPHRASE, work_factor=TEST_WORK_FACTOR
    )


def _with_circle(session: Session) -> tuple[str, MemberRecord, MemberRecord]:
    """Ash hosts "Tuesday group" with Birch (as "Willow") in it; Ash is unlocked after."""
    unlock_session(session, "ash")
    ash = session.members()[0]
    birch = _new_member(session, "birch")
    circle = session.create_circle("Tuesday group", "Ash at Tuesdays")
    session.invite(circle.id, birch)
    _become(session, birch)
    session.accept_invitation(circle.id, "Willow")
    _become(session, ash)
    return circle.id, ash, birch


async def _click(pilot: Pilot[None], selector: str) -> None:
    # A button ignores clicks for 0.2 s after a press (its "active" effect).
    assert await pilot.click(selector)
    await pilot.pause(0.25)


def _fill(app: StorycircleApp, **values: str) -> None:
    for key, value in values.items():
        app.screen.query_one(f"#field-{key}", Input).value = value


async def test_a_circle_is_created_from_the_circles_screen(file_session: Session) -> None:
    unlock_session(file_session, "ash")
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(file_session))
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, CirclesScreen)
        assert "You are in no circle yet" in static_text(app, "#circle-info")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        # A bad name says why and keeps what was typed.
        _fill(app, name="   ", pseudonym="Ash at Tuesdays")
        await _click(pilot, "#submit")
        assert isinstance(app.screen, FormDialog)
        assert "give the circle a name" in static_text(app, "#form-error")
        assert app.screen.query_one("#field-pseudonym", Input).value == "Ash at Tuesdays"
        _fill(app, name="Tuesday group")
        await _click(pilot, "#submit")
        assert isinstance(app.screen, CirclesScreen), static_text(app, "#form-error")
        info = static_text(app, "#circle-info")
        assert "Tuesday group" in info
        assert "You are Ash at Tuesdays here (active)" in info
        assert "★ Ash at Tuesdays  active · host · you" in info
    [circle] = file_session.circles()
    assert (circle.name, circle.my_status) == ("Tuesday group", "active")


async def test_invite_a_member_here_and_accept_as_them(file_session: Session) -> None:
    unlock_session(file_session, "ash")
    ash = file_session.members()[0]
    birch = _new_member(file_session, "birch")
    circle = file_session.create_circle("Tuesday group")
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CirclesScreen(file_session))
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, PickDialog)
        # A pasted card that is not one says why; the text stays to correct.
        app.screen.query_one("#card", Input).value = "hello"
        await _click(pilot, "#use-card")
        assert 'a member card starts with "storycircle-card:"' in static_text(app, "#pick-error")
        assert app.screen.query_one("#card", Input).value == "hello"
        choices = app.screen.query_one("#choices", OptionList)
        assert [choices.get_option_at_index(n).id for n in range(choices.option_count)] == [
            birch.id
        ]
        choices.focus()
        choices.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CirclesScreen)
        assert "birch  invited" in static_text(app, "#circle-info")
    _become(file_session, birch)
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CirclesScreen(file_session))
        await pilot.pause()
        assert "You are invited" in static_text(app, "#circle-info")
        assert app.screen.check_action("accept", ()) and not app.screen.check_action("leave", ())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        _fill(app, pseudonym="Willow")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CirclesScreen)
        assert "You are Willow here (active)" in static_text(app, "#circle-info")
    assert file_session.circles()[0].pseudonym_of(birch.id) == "Willow"
    assert file_session.circles()[0].pseudonym_of(ash.id) == "ash"
    assert circle.scope in [key for _, key in file_session.sections()]


async def test_share_from_the_reader_read_in_the_circle_then_withdraw(
    file_session: Session,
) -> None:
    circle_id, ash, birch = _with_circle(file_session)
    story = file_session.save_story(
        title="The night I called",
        body="I picked up the phone.",
        tags=["relapse"],
        content_notes=[],
    ).story
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReaderScreen(file_session, story.id))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ShareDialog)
        audience = static_text(app, "#share-audience")
        assert "Who will be able to read it: Willow" in audience
        assert static_text(app, "#share-recall") == NO_RECALL
        assert "cannot be recalled" in NO_RECALL
        await _click(pilot, "#share")
        assert isinstance(app.screen, ReaderScreen)
    assert [c.id for c in file_session.shared_to(story.id)] == [circle_id]

    # Birch reads it in the circle's section, under Ash's circle pseudonym,
    # and is offered neither Edit, nor Share, nor the collections consent.
    _become(file_session, birch)
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(file_session))
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert "Circle: Tuesday group · 1 story" in static_text(app, "#library-heading")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert "by Ash at Tuesdays" in static_text(app, "#story-meta")
        for action in ("edit", "share", "toggle_consent"):
            assert not app.screen.check_action(action, ())
        await pilot.press("e")
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, (EditorScreen, ShareDialog))

    _become(file_session, ash)
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReaderScreen(file_session, story.id))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert "Tuesday group" in screen_text(app)
        await _click(pilot, "#withdraw-0")
        assert isinstance(app.screen, ConfirmScreen)
        message = static_text(app, "#dialog-message")
        assert "is deleted" in message and "cannot be recalled" in message
        await _click(pilot, "#yes")
        assert isinstance(app.screen, ShareDialog)
        assert not app.screen.query("#withdraw-0")
    assert file_session.shared_to(story.id) == []
    _become(file_session, birch)
    assert file_session.find_stories(section="circle:" + circle_id) == []


async def test_remove_a_member_rekeys_with_progress_and_they_keep_nothing(
    file_session: Session,
) -> None:
    circle_id, _ash, birch = _with_circle(file_session)
    for title in ("One", "Two"):
        story = file_session.save_story(
            title=title, body="Words.", tags=["hope"], content_notes=[]
        ).story
        file_session.share_story(story.id, circle_id)
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CirclesScreen(file_session))
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, PickDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Willow will no longer be able to read Tuesday group" in static_text(
            app, "#dialog-message"
        )
        await _click(pilot, "#yes")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CirclesScreen)
        bar = app.screen.query_one("#circle-progress", ProgressBar)
        assert (bar.total, bar.progress) == (2, 2)
        status = static_text(app, "#circle-status")
        assert "Willow was removed from Tuesday group" in status
        assert "theirs opens nothing of it any more" in status
        assert "Willow  removed" in static_text(app, "#circle-info")
        assert not app.screen.check_action("remove_member", ())
    _become(file_session, birch)
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CirclesScreen(file_session))
        await pilot.pause()
        assert app.screen.query_one("#circle-list", OptionList).option_count == 0
        assert "You are in no circle yet" in static_text(app, "#circle-info")
    assert file_session.circles() == []
    assert circle_id not in "".join(key for _, key in file_session.sections())


async def test_leave_asks_first_and_runs_in_the_background(file_session: Session) -> None:
    circle_id, _ash, birch = _with_circle(file_session)
    _become(file_session, birch)
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CirclesScreen(file_session))
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # changed their mind: nothing happens
        await pilot.pause()
        assert file_session.circles()[0].my_status == "active"
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert static_text(app, "#circle-status") == "You left Tuesday group."
        assert app.screen.query_one("#circle-list", OptionList).option_count == 0
    assert file_session.circles() == []
    assert circle_id


async def test_a_hostile_circle_name_stays_inert_text(file_session: Session) -> None:
    unlock_session(file_session, "ash")
    circle = file_session.create_circle(HOSTILE)
    story = file_session.save_story(title="Mine", body="Words.", tags=[], content_notes=[]).story
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(file_session, circle.scope))
        await pilot.pause()
        assert screen_text(app).count("Circle: [@click=app.quit]") == 2  # chooser and heading
        await pilot.press("g")
        await pilot.pause()
        text = screen_text(app)
        assert "[@click=app.quit]" in text
        assert "\x1b" not in text and "\x07" not in text
        await _click(pilot, "#circle-list")
        assert app.is_running and isinstance(app.screen, CirclesScreen)
        await pilot.press("escape")
        await app.push_screen(ReaderScreen(file_session, story.id))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ShareDialog)
        assert "[@click=app.quit]" in screen_text(app)
        await pilot.click("#share-circle")  # opens the list of circles
        await pilot.pause()
        assert app.screen.query_one("#share-circle", Select).expanded
        assert "[@click=app.quit]" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ShareDialog)


async def test_member_card_folder_and_open_folder_invitation(tmp_path: Path) -> None:
    """Ash on one machine invites Birch on another through a shared folder."""
    folder = tmp_path / "synced"
    folder.mkdir()
    one = _session(tmp_path / "one.db", tmp_path / "one")
    two = _session(tmp_path / "two.db", tmp_path / "two")
    try:
        unlock_session(one, "ash")
        unlock_session(two, "birch")
        app = StorycircleApp(two)
        async with app.run_test(size=SIZE) as pilot:
            await app.push_screen(CirclesScreen(two))
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, CardDialog)
            card = app.screen.query_one("#card-text").text  # type: ignore[attr-defined]
            assert card == two.my_card()
        circle = one.create_circle("Across town")
        app = StorycircleApp(one)
        async with app.run_test(size=SIZE) as pilot:
            await app.push_screen(CirclesScreen(one))
            await pilot.press("f")
            await pilot.pause()
            _fill(app, folder=str(tmp_path / "nowhere"))
            await _click(pilot, "#submit")
            assert "there is no folder at" in static_text(app, "#form-error")
            _fill(app, folder=str(folder))
            await _click(pilot, "#submit")
            assert f"Folder: {folder.resolve()}" in static_text(app, "#circle-info")
            await pilot.press("i")
            await pilot.pause()
            # Copied from a terminal, the card arrives wrapped over lines.
            field = app.screen.query_one("#card", Input)
            field.focus()
            field.post_message(events.Paste(card[:30] + "\n" + card[30:70] + "\r\n" + card[70:]))
            await pilot.pause()
            assert field.value == card
            await _click(pilot, "#use-card")
            assert "birch  invited" in static_text(app, "#circle-info")
        app = StorycircleApp(two)
        async with app.run_test(size=SIZE) as pilot:
            await app.push_screen(CirclesScreen(two))
            await pilot.press("o")
            await pilot.pause()
            _fill(app, folder=str(folder))
            await _click(pilot, "#submit")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "1 circle found" in static_text(app, "#circle-status")
            assert "Across town" in static_text(app, "#circle-info")
            assert "You are invited" in static_text(app, "#circle-info")
            # A file that is not a circle file is refused with its reason.
            (folder / ("roster-" + "0" * 32 + ".age")).write_bytes(b"not age")
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert (
                static_text(app, "#circle-status") == "Circle folders read: 0 applied, 1 refused."
            )
            problems = [str(s.render()) for s in app.screen.query(".problem").results(Static)]
            assert len(problems) == 1 and problems[0].startswith("refused roster-000")
        assert two.circles()[0].id == circle.id
    finally:
        one.installation.store.close()
        two.installation.store.close()


async def test_new_circle_files_are_read_in_the_background_after_unlock(tmp_path: Path) -> None:
    folder = tmp_path / "synced"
    folder.mkdir()
    one = _session(tmp_path / "one.db", tmp_path / "one")
    two = _session(tmp_path / "two.db", tmp_path / "two")
    try:
        unlock_session(one, "ash")
        unlock_session(two, "birch")
        circle = one.create_circle("Across town", folder=str(folder))
        one.invite(circle.id, two.my_card())
        two.open_circle_folder(str(folder))
        two.circles_changed()
        two.accept_invitation(circle.id, "Willow")
        one.refresh_circles()
        story = one.save_story(
            title="Arrived by folder", body="Words.", tags=[], content_notes=[]
        ).story
        one.share_story(story.id, circle.id)
        two.lock()
        app = StorycircleApp(two)
        async with app.run_test(size=SIZE) as pilot:
            app.screen.query_one("#unlock-passphrase", Input).value = PASSPHRASE
            await app.screen.query_one("#unlock-passphrase", Input).action_submit()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, LibraryScreen)
            notices = [n.message for n in app._notifications]
            assert "ash shared a story in Across town" in notices, notices
            section = app.screen.query_one("#section", Select)
            assert circle.scope in [value for _, value in section._options]
        titles = [s.title for s in two.find_stories(section=circle.scope)]
        assert titles == ["Arrived by folder"]
    finally:
        one.installation.store.close()
        two.installation.store.close()


async def test_circles_from_the_command_palette(file_session: Session) -> None:
    unlock_session(file_session, "ash")
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(file_session))
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"circles")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CirclesScreen)


async def test_two_circles_with_one_name_show_their_fingerprints(file_session: Session) -> None:
    circle_id, _ash, _birch = _with_circle(file_session)
    twin = file_session.create_circle("Tuesday group", "Ash again")
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CirclesScreen(file_session))
        await pilot.pause()
        listed = screen_text(app)
        prints = {c.id: c.fingerprint for c in file_session.circles()}
        assert prints[circle_id] != prints[twin.id]
        assert f"#{prints[circle_id]}" in listed and f"#{prints[twin.id]}" in listed
        assert f"Fingerprint {prints[circle_id]}" in static_text(app, "#circle-info")
