"""Import from the interface: progress, reasons for skipped files, fresh library."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, ProgressBar

from storycircle.screens.import_stories import ImportScreen
from storycircle.screens.library import LibraryScreen
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.story_list import StoryList
from tests.ui.helpers import SIZE, static_text, unlock_session


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(12):
        (folder / f"day-{n:02d}.md").write_text(
            f"---\ntitle: Day {n}\ntags: [sleep, hope]\ndate: 2025-01-{n + 1:02d}\n---\n"
            f"Words of day {n}.\n"
        )
    (folder / "hostile.md").write_text("---\ntitle: !!python/object/apply:os.system [id]\n---\nx\n")
    return folder


async def test_import_shows_progress_skips_with_reasons_and_refreshes(
    file_session: Session, tmp_path: Path
) -> None:
    unlock_session(file_session)
    folder = _folder(tmp_path)
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(file_session))
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one("#import-path", Input).value = str(folder)
        await pilot.click("#start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        bar = app.screen.query_one("#import-progress", ProgressBar)
        assert bar.total == 13 and bar.progress == 13
        status = static_text(app, "#import-status")
        assert status.startswith("Imported 12 stories") and "(1 skipped)" in status
        problems = " ".join(str(w.render()) for w in app.screen.query(".problem"))
        assert "hostile.md" in problems
        await pilot.press("escape")
        await pilot.pause()
        rows = app.screen.query_one("#stories", StoryList).rows
        assert len(rows) == 12
        assert rows[0].title == "Day 11" and rows[0].created.startswith("2025-01-12")


async def test_a_path_that_does_not_exist_is_explained(
    file_session: Session, tmp_path: Path
) -> None:
    unlock_session(file_session)
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ImportScreen(file_session))
        app.screen.query_one("#import-path", Input).value = str(tmp_path / "nowhere")
        await pilot.click("#start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert static_text(app, "#import-status").startswith("Not imported:")
        assert file_session.require_journal().count() == 0
