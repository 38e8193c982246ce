"""Stories that land in a circle folder while the app is open show up by themselves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from storycircle.circles.folder import FolderReport
from storycircle.circles.watch import folder_signature
from storycircle.screens.circle_refresh import refresh_notice
from storycircle.screens.library import LibraryScreen
from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from storycircle.tui.app import StorycircleApp
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR, FakeClock
from tests.ui.helpers import SIZE, screen_text, unlock_session


def _session(path: Path, home: Path) -> Session:
    store = Store.open(path)
    return Session(
        Installation(home, store, Config(work_factor=TEST_WORK_FACTOR)), clock=FakeClock()
    )


async def _wait_for(pilot: Pilot[None], condition: Callable[[], bool], rounds: int = 100) -> bool:
    """Let the app run (timers, workers) until ``condition`` holds."""
    for _ in range(rounds):
        if condition():
            return True
        await pilot.pause(0.1)
    return condition()


async def test_a_story_dropped_into_the_folder_appears_without_a_key_press(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "synced"
    folder.mkdir()
    one = _session(tmp_path / "one.db", tmp_path / "one")
    two = _session(tmp_path / "two.db", tmp_path / "two")
    try:
        unlock_session(one, "ash")
        unlock_session(two, "birch")
        circle = one.create_circle("Tuesday group", folder=str(folder))
        one.invite(circle.id, two.my_card())
        two.open_circle_folder(str(folder))
        two.circles_changed()
        two.accept_invitation(circle.id, "Ben")
        one.refresh_circles()
        two.lock()
        app = StorycircleApp(two)
        async with app.run_test(size=SIZE) as pilot:
            app.screen.query_one("#unlock-passphrase", Input).value = PASSPHRASE
            await app.screen.query_one("#unlock-passphrase", Input).action_submit()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, LibraryScreen)
            app.screen.show_section(circle.scope)
            await pilot.pause()
            assert "Arrived while open" not in screen_text(app)

            # Another machine shares a story: its file lands in the folder
            # (as a sync engine would put it there). Nobody presses a key.
            story = one.save_story(
                title="Arrived while open", body="Words.", tags=[], content_notes=[]
            ).story
            one.share_story(story.id, circle.id)

            def shown() -> bool:
                notices = [n.message for n in app._notifications]
                return "ash shared a story in Tuesday group" in notices

            assert await _wait_for(pilot, shown), [n.message for n in app._notifications]
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Arrived while open" in screen_text(app)

            # Locking stops the watch: what lands afterwards waits for the next unlock.
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert app._circle_watch is None
            later = one.save_story(title="After locking", body="b", tags=[], content_notes=[])
            one.share_story(later.story.id, circle.id)
            await pilot.pause(1.5)
            await app.workers.wait_for_complete()
            assert all("After locking" not in n.message for n in app._notifications)
    finally:
        one.installation.store.close()
        two.installation.store.close()


def test_the_folder_signature_changes_when_a_file_lands_and_not_otherwise(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "synced"
    folder.mkdir()
    first = folder_signature([str(folder)])
    assert folder_signature([str(folder)]) == first
    (folder / "story-abc.age").write_bytes(b"x")
    second = folder_signature([str(folder)])
    assert second != first
    (folder / "story-abc.age").rename(folder / "story-abd.age")
    assert folder_signature([str(folder)]) != second
    missing = folder_signature([str(tmp_path / "unplugged")])
    assert missing == ((str(tmp_path / "unplugged"), -1, -1, -1),)


def test_the_notice_tells_a_removed_member_plainly_and_before_anything_else() -> None:
    report = FolderReport(applied=1, farewells=["Tuesday group"])
    notice = refresh_notice([(None, report)], [])
    assert notice.splitlines()[0] == (
        "You are no longer in Tuesday group. Stories you wrote stay in your journal."
    )
    quiet = FolderReport(farewells=["Tuesday group"])
    assert refresh_notice([(None, quiet)]).startswith("You are no longer in Tuesday group.")
    assert refresh_notice([(None, FolderReport())]) == ""
