"""Export from the interface: the library's x and the palette, with a progress bar."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Button, Checkbox, Input, ProgressBar, Select

from storycircle import vault
from storycircle.screens.export_stories import ExportScreen
from storycircle.screens.library import LibraryScreen
from storycircle.session.session import Session
from storycircle.text.frontmatter import parse_document
from storycircle.tui.app import StorycircleApp
from tests.support.people import PASSPHRASE
from tests.ui.helpers import SIZE, static_text, unlock_session

BUNDLE_PASSPHRASE = "lantern harbour copper ninety"


async def _export(app: StorycircleApp, pilot: object) -> str:
    app.screen.query_one("#export-start", Button).press()
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    return static_text(app, "#export-status")


async def test_library_exports_the_journal_as_markdown_with_progress(
    file_session: Session, tmp_path: Path
) -> None:
    unlock_session(file_session)
    for n in range(3):
        file_session.save_story(
            title=f"Day {n}", body=f"Words {n}.", tags=["hope"], content_notes=[]
        )
    app = StorycircleApp(file_session)
    dest = tmp_path / "out"
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(file_session))
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one("#export-what", Select).value == "journal"
        assert not app.screen.query_one("#bundle-options").display  # only for a bundle
        app.screen.query_one("#export-dest", Input).value = str(dest)
        status = await _export(app, pilot)
        assert status == f"Exported 3 stories to {dest} (3 files)."
        bar = app.screen.query_one("#export-progress", ProgressBar)
        assert bar.total == bar.progress == 3
        titles = sorted(parse_document(p.read_bytes()).title for p in dest.iterdir())
        assert titles == ["Day 0", "Day 1", "Day 2"]
        # The same folder again is refused, as on the command line.
        assert "not empty" in await _export(app, pilot)


async def test_a_bundle_to_a_new_passphrase_asks_it_twice(
    file_session: Session, tmp_path: Path
) -> None:
    unlock_session(file_session)
    file_session.save_story(title="Kept", body="Sealed words.", tags=[], content_notes=[])
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ExportScreen(file_session))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#export-format", Select).value = "bundle"
        await pilot.pause()
        assert screen.query_one("#bundle-options").display
        assert not screen.query_one("#bundle-passphrase").display  # your key by default
        screen.query_one("#export-use-passphrase", Checkbox).value = True
        screen.query_one("#export-armor", Checkbox).value = True
        await pilot.pause()
        assert screen.query_one("#bundle-passphrase").display
        screen.query_one("#export-dest", Input).value = str(tmp_path / "b")
        screen.query_one("#export-passphrase", Input).value = BUNDLE_PASSPHRASE
        screen.query_one("#export-repeat", Input).value = BUNDLE_PASSPHRASE + "x"
        assert "differ" in await _export(app, pilot)
        assert not (tmp_path / "b").exists()
        screen.query_one("#export-passphrase", Input).value = BUNDLE_PASSPHRASE
        screen.query_one("#export-repeat", Input).value = BUNDLE_PASSPHRASE
        assert "Exported 1 story" in await _export(app, pilot)
        assert screen.query_one("#export-passphrase", Input).value == ""
    sealed = (tmp_path / "b" / "stories.age").read_bytes()
    assert sealed.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    plain = vault.decrypt(sealed, [vault.ScryptIdentity(BUNDLE_PASSPHRASE, 20)])
    assert json.loads(plain)["stories"][0]["body"].startswith("Sealed words.")
    assert PASSPHRASE not in sealed.decode()


async def test_a_guest_exports_a_collection_booklet_from_the_palette(
    file_session: Session, tmp_path: Path
) -> None:
    app = StorycircleApp(file_session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"export stories")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        options = [key for _, key in file_session.export_choices()]
        assert "journal" not in options and "first-light" in options
        screen.query_one("#export-what", Select).value = "first-light"
        screen.query_one("#export-format", Select).value = "html"
        screen.query_one("#export-dest", Input).value = str(tmp_path / "booklet")
        await pilot.pause()
        assert "Exported 12 stories" in await _export(app, pilot)
    page = (tmp_path / "booklet" / "stories.html").read_text()
    assert "<h1>First Light</h1>" in page and 'class="contents"' in page
