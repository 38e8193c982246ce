"""The kiosk under Pilot, with a hand-moved clock: idle lock, countdown, delays, keys, PIN."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Static, TextArea

from storycircle.journal.members import UnlockedMember, create_member
from storycircle.kiosk.policy import KioskPolicy, save_pin
from storycircle.screens.editor import EditorScreen
from storycircle.screens.kiosk_admin import KioskAdminScreen
from storycircle.screens.kiosk_countdown import KioskCountdownScreen, KioskHiddenScreen
from storycircle.screens.kiosk_pin import KioskPinScreen
from storycircle.screens.kiosk_start import KioskStartScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.reader import ReaderScreen
from storycircle.session.session import Session
from storycircle.tui.kiosk_app import KioskApp
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.ui.helpers import SIZE, current_screen, screen_text, static_text

CANARY = "CANARY-7f3e9d"
PIN = "circle-2468"
IDLE = 180


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def policy(session: Session, tmp_path: Path, ticks: Ticks) -> KioskPolicy:
    save_pin(tmp_path, PIN, work_factor=TEST_WORK_FACTOR)
    return KioskPolicy.create(tmp_path, idle_seconds=IDLE, hide_members=False, clock=ticks)


@pytest.fixture
def kiosk(session: Session, policy: KioskPolicy) -> KioskApp:
    for name in ("river", "oak"):
        create_member(session.installation.store, name, PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    return KioskApp(session, policy)


async def _try_unlock(app: KioskApp, name: str, passphrase: str) -> None:
    screen = app.screen
    assert isinstance(screen, KioskStartScreen)
    record = next(m for m in app.session.members() if m.pseudonym == name)
    if app.policy.hide_members:
        screen.query_one("#start-pseudonym", Input).value = name
    else:
        screen.query_one("#start-member").value = record.id  # type: ignore[attr-defined]
    field = screen.query_one("#start-passphrase", Input)
    field.value = passphrase
    await field.action_submit()
    await app.workers.wait_for_complete()


async def _unlock(app: KioskApp, pilot: object, name: str = "river") -> None:
    await _try_unlock(app, name, PASSPHRASE)
    await pilot.pause()  # type: ignore[attr-defined]
    # The library, perhaps under the offer of a kept draft.
    assert any(isinstance(screen, LibraryScreen) for screen in app.screen_stack)


async def _write_canary(app: KioskApp, pilot: object) -> EditorScreen:
    app.edit()
    await pilot.pause()  # type: ignore[attr-defined]
    editor = app.screen
    assert isinstance(editor, EditorScreen)
    editor.query_one("#title", Input).value = "Tonight"
    editor.query_one("#body", TextArea).text = f"Words nobody else may read: {CANARY}"
    await pilot.pause()  # type: ignore[attr-defined]
    return editor


def _live(kind: type) -> list[object]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, kind)]


async def test_idle_lock_unmounts_plaintext_and_keeps_the_draft(
    kiosk: KioskApp, session: Session, ticks: Ticks
) -> None:
    # Keys other tests left for the garbage collector are not this test's.
    earlier = _live(UnlockedMember)
    async with kiosk.run_test(size=SIZE) as pilot:
        await _unlock(kiosk, pilot)
        editor = await _write_canary(kiosk, pilot)
        assert CANARY in screen_text(kiosk)
        ticks.now += IDLE - 1
        kiosk.check_idle_lock()
        await pilot.pause()
        assert session.journal is not None  # not yet
        ticks.now += 1
        kiosk.check_idle_lock()
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskStartScreen)
        assert [type(s).__name__ for s in kiosk.screen_stack] == ["Screen", "KioskStartScreen"]
        assert not editor.is_attached
        assert CANARY not in screen_text(kiosk)
        assert session.journal is None
        assert not any(
            isinstance(o, EditorScreen | ReaderScreen | LibraryScreen) and o.is_attached
            for o in _live(EditorScreen | ReaderScreen | LibraryScreen)
        )
        # The keys went with the session.
        assert [o for o in _live(UnlockedMember) if not any(o is e for e in earlier)] == []
        # The words were saved as an encrypted draft, offered after the next unlock.
        await _unlock(kiosk, pilot)
        await pilot.pause()
        assert "Tonight" in screen_text(kiosk)
        assert any(CANARY in d.body for d in session.drafts())


async def test_countdown_in_the_last_half_minute_and_a_key_keeps_going(
    kiosk: KioskApp, session: Session, ticks: Ticks
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await _unlock(kiosk, pilot)
        editor = await _write_canary(kiosk, pilot)
        ticks.now += IDLE - 31
        kiosk.check_idle_lock()
        await pilot.pause()
        assert not isinstance(kiosk.screen, KioskCountdownScreen)
        ticks.now += 1
        kiosk.check_idle_lock()
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskCountdownScreen)
        assert static_text(kiosk, "#countdown-seconds") == "Locking in 30 seconds"
        ticks.now += 12.5
        kiosk.check_idle_lock()
        await pilot.pause()
        assert static_text(kiosk, "#countdown-seconds") == "Locking in 18 seconds"
        await pilot.press("x")
        await pilot.pause()
        assert current_screen(kiosk) is editor
        assert session.journal is not None
        # The key that dismissed the countdown did not land in the story.
        assert editor.query_one("#body", TextArea).text.endswith(CANARY)
        ticks.now += IDLE - 1
        kiosk.check_idle_lock()
        assert session.journal is not None


async def test_idle_on_the_start_screen_clears_half_typed_words(
    kiosk: KioskApp, ticks: Ticks
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = kiosk.screen
        start.query_one("#start-passphrase", Input).value = "half a pass"
        ticks.now += IDLE - 10
        kiosk.check_idle_lock()
        await pilot.pause()
        assert kiosk.screen is start  # no countdown: nothing to lock
        ticks.now += 10
        kiosk.check_idle_lock()
        await pilot.pause()
        assert start.query_one("#start-passphrase", Input).value == ""


async def test_failed_unlocks_wait_longer_each_time_for_that_member_only(
    kiosk: KioskApp, session: Session, ticks: Ticks
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _try_unlock(kiosk, "river", "not the passphrase")
        await pilot.pause()
        status = static_text(kiosk, "#start-status")
        assert "does not open river's stories" in status and "try again in 1 s" in status
        # Even the right passphrase waits its turn.
        await _try_unlock(kiosk, "river", PASSPHRASE)
        await pilot.pause()
        assert session.journal is None
        assert "Please wait before trying again as river" in static_text(kiosk, "#start-status")
        ticks.now += 1
        await _try_unlock(kiosk, "river", "wrong again")
        await pilot.pause()
        assert "try again in 2 s" in static_text(kiosk, "#start-status")
        ticks.now += 1.5
        kiosk.screen._show_wait()  # type: ignore[attr-defined]
        assert "try again in 1 s" in static_text(kiosk, "#start-status")
        ticks.now += 0.5
        kiosk.screen._show_wait()  # type: ignore[attr-defined]
        assert "try again now" in static_text(kiosk, "#start-status")
        # Someone guessing at river never slows oak down.
        await _try_unlock(kiosk, "river", "wrong a third time")
        await _unlock(kiosk, pilot, "oak")
        assert session.journal is not None and session.journal.member.pseudonym == "oak"


async def test_hidden_list_answers_unknown_names_like_wrong_passphrases(
    kiosk: KioskApp, session: Session, ticks: Ticks
) -> None:
    kiosk.policy.hide_members = True
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not kiosk.screen.query("#start-member")
        assert "river" not in screen_text(kiosk)
        start = kiosk.screen
        start.query_one("#start-pseudonym", Input).value = "nobody-here"
        start.query_one("#start-passphrase", Input).value = PASSPHRASE
        await start.query_one("#start-passphrase", Input).action_submit()
        await kiosk.workers.wait_for_complete()
        await pilot.pause()
        unknown = static_text(kiosk, "#start-status")
        await _try_unlock(kiosk, "oak", "wrong")
        await pilot.pause()
        assert static_text(kiosk, "#start-status") == unknown
        assert "do not match" in unknown
        ticks.now += 2
        await _try_unlock(kiosk, "river", PASSPHRASE)
        await pilot.pause()
        assert session.journal is not None


async def test_quick_hide_locks_and_shows_a_neutral_screen(
    kiosk: KioskApp, session: Session
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await _unlock(kiosk, pilot)
        await _write_canary(kiosk, pilot)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskHiddenScreen)
        assert CANARY not in screen_text(kiosk)
        # Nothing on it names the app or anyone: one neutral line.
        shown = [str(widget.render()) for widget in kiosk.screen.query(Static)]
        assert shown == ["Press any key to continue."]
        assert session.journal is None
        await pilot.press("tab")  # any key: Tab too, though it moves the focus elsewhere
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskStartScreen)
        await _unlock(kiosk, pilot)
        assert any(CANARY in d.body for d in session.drafts())


async def test_no_way_out_without_the_facilitator(
    kiosk: KioskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed: list[object] = []
    monkeypatch.setattr("os.kill", lambda *args: killed.append(args))
    async with kiosk.run_test(size=SIZE) as pilot:
        await _unlock(kiosk, pilot)
        await _write_canary(kiosk, pilot)
        for key in ("ctrl+q", "ctrl+c", "ctrl+z", "ctrl+backslash"):
            await pilot.press(key)
            await pilot.pause()
        assert kiosk.is_running and kiosk.return_code is None
        await kiosk.run_action("quit")
        await kiosk.run_action("suspend_process")
        await kiosk.run_action("screenshot")
        await pilot.pause()
        assert kiosk.is_running and killed == []
        kiosk.copy_to_clipboard(CANARY)
        assert kiosk.clipboard == ""
        titles = {command.title for command in kiosk.get_system_commands(kiosk.screen)}
        assert "Quit" not in titles and "Screenshot" not in titles and "Keys" in titles


async def test_facilitator_pin_opens_the_admin_screen_after_waits(
    kiosk: KioskApp, ticks: Ticks
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskPinScreen)

        async def submit(pin: str) -> None:
            field = kiosk.screen.query_one("#pin", Input)
            field.value = pin
            await field.action_submit()
            await kiosk.workers.wait_for_complete()
            await pilot.pause()

        await submit("000000")
        assert "not the PIN" in static_text(kiosk, "#pin-status")
        await submit(PIN)  # right, but too soon
        assert isinstance(kiosk.screen, KioskPinScreen)
        assert "Please wait" in static_text(kiosk, "#pin-status")
        ticks.now += 1
        await submit(PIN)
        assert isinstance(kiosk.screen, KioskAdminScreen)


async def _open_admin(kiosk: KioskApp, pilot: object) -> KioskAdminScreen:
    await pilot.pause()  # type: ignore[attr-defined]
    kiosk.open_admin()
    await pilot.pause()  # type: ignore[attr-defined]
    admin = kiosk.screen
    assert isinstance(admin, KioskAdminScreen)
    return admin


async def test_admin_adds_and_removes_members_and_saves_settings(
    kiosk: KioskApp, session: Session, tmp_path: Path
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        admin = await _open_admin(kiosk, pilot)
        admin.query_one("#admin-pseudonym", Input).value = "willow"
        admin.query_one("#admin-passphrase", Input).value = PASSPHRASE
        admin.query_one("#admin-repeat", Input).value = PASSPHRASE
        await admin.query_one("#admin-repeat", Input).action_submit()
        await kiosk.workers.wait_for_complete()
        await pilot.pause()
        assert "willow can now unlock" in static_text(kiosk, "#admin-status")
        assert [m.pseudonym for m in session.members()] == ["river", "oak", "willow"]

        oak = next(m for m in session.members() if m.pseudonym == "oak")
        admin.query_one("#admin-member").value = oak.id  # type: ignore[attr-defined]
        admin.query_one("#admin-remove", Button).press()
        await pilot.pause()
        assert "for good" in screen_text(kiosk)
        await pilot.click("#no")  # the safe answer keeps them
        await pilot.pause()
        assert len(session.members()) == 3
        admin.query_one("#admin-member").value = oak.id  # type: ignore[attr-defined]
        admin.query_one("#admin-remove", Button).press()
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert [m.pseudonym for m in session.members()] == ["river", "willow"]

        admin.query_one("#admin-idle", Input).value = "0.5"
        admin.query_one("#admin-hide").value = True  # type: ignore[attr-defined]
        admin.query_one("#admin-save", Button).press()
        await pilot.pause()
        assert "saved" in static_text(kiosk, "#admin-status")
        assert (session.config.kiosk_idle_seconds, session.config.kiosk_hide_members) == (30, True)
        assert kiosk.policy.idle.limit == 30 and kiosk.policy.hide_members

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskStartScreen)
        assert kiosk.screen.query("#start-pseudonym")


async def test_only_the_admin_screen_quits(kiosk: KioskApp) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await _open_admin(kiosk, pilot)
        await pilot.click("#admin-quit")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
    assert kiosk.return_code == 0


async def test_an_admin_screen_left_open_locks_itself(kiosk: KioskApp, ticks: Ticks) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await _open_admin(kiosk, pilot)
        ticks.now += IDLE
        kiosk.check_idle_lock()
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskStartScreen)


@pytest.mark.parametrize("key", ["ctrl+p", "f1", "ctrl+l", "f12", "ctrl+q", "escape"])
async def test_the_hidden_screen_takes_no_command_only_any_key_to_continue(
    kiosk: KioskApp, session: Session, key: str
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await _unlock(kiosk, pilot)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskHiddenScreen)
        await pilot.press(key)
        await pilot.pause()
        await pilot.pause()  # whatever the key started (a palette, a screen) is up by now
        # The key only uncovers the locked start screen: no palette, help or notice on top.
        assert isinstance(kiosk.screen, KioskStartScreen), kiosk.screen
        assert len(kiosk.screen_stack) == 2
        assert not kiosk._notifications
        assert session.journal is None


async def test_admin_add_member_refuses_a_pseudonym_that_is_the_passphrase(
    kiosk: KioskApp, session: Session
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        admin = await _open_admin(kiosk, pilot)
        admin.query_one("#admin-pseudonym", Input).value = PASSPHRASE[:40]
        admin.query_one("#admin-passphrase", Input).value = PASSPHRASE
        admin.query_one("#admin-repeat", Input).value = PASSPHRASE
        await admin.query_one("#admin-repeat", Input).action_submit()
        await kiosk.workers.wait_for_complete()
        await pilot.pause()
        assert "looks like a passphrase" in static_text(kiosk, "#admin-status")
        assert PASSPHRASE[:10] not in screen_text(kiosk)
        assert admin.query_one("#admin-passphrase", Input).value == ""
        assert [m.pseudonym for m in session.members()] == ["river", "oak"]


async def test_facilitator_sets_up_a_circle_and_each_member_joins_at_next_unlock(
    kiosk: KioskApp, session: Session
) -> None:
    from textual.widgets import Select

    from storycircle.screens.circle_dialogs import FormDialog
    from storycircle.screens.kiosk_circle import KioskCircleScreen

    river = next(m for m in session.members() if m.pseudonym == "river")
    async with kiosk.run_test(size=SIZE) as pilot:
        admin = await _open_admin(kiosk, pilot)
        admin.query_one("#admin-circle", Button).press()
        await pilot.pause()
        setup = kiosk.screen
        assert isinstance(setup, KioskCircleScreen)
        setup.query_one("#circle-name", Input).value = "Tuesday group"
        setup.query_one("#circle-host", Select).value = river.id
        field = setup.query_one("#circle-passphrase", Input)
        field.value = "not the passphrase"
        await field.action_submit()
        await kiosk.workers.wait_for_complete()
        await pilot.pause()
        assert "does not open river's keys" in static_text(kiosk, "#form-error")
        assert kiosk.screen is setup and session.journal is None
        field.value = PASSPHRASE
        await field.action_submit()
        await kiosk.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskAdminScreen)
        status = static_text(kiosk, "#admin-status")
        assert "Tuesday group is set up, hosted by river. Invited: oak" in status
        assert session.journal is None  # the host was locked again at once

        await kiosk.run_action("lock")
        await pilot.pause()
        await _unlock(kiosk, pilot, "oak")
        await pilot.pause()
        dialog = kiosk.screen
        assert isinstance(dialog, FormDialog)
        assert "You are invited to Tuesday group" in screen_text(kiosk)
        dialog.query_one("#field-pseudonym", Input).value = "Oakley"
        dialog.query_one("#submit", Button).press()
        await pilot.pause()
        await pilot.pause()
        [circle] = session.circles()
        assert circle.name == "Tuesday group" and circle.my_status == "active"
        assert circle.host_id == river.id
        assert sorted(m.pseudonym for m in circle.members) == ["Oakley", "river"]
        await pilot.pause()
        assert isinstance(kiosk.screen, LibraryScreen)
