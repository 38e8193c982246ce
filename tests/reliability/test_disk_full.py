"""A full disk in the app: "not saved" on screen, every word still in the editor,
and what was stored before intact.

Two ways to fill the disk: a real 1 MiB tmpfs filled to the last byte (needs
root, as in CI), and an ENOSPC injected into the database connection (runs
anywhere). Both go through the real store, its transaction and the editor.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static, TextArea

from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.screens.editor import EditorScreen
from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from storycircle.tui.app import StorycircleApp
from tests.support.people import TEST_WORK_FACTOR, FakeClock, make_member
from tests.ui.helpers import SIZE

KEPT_BODY = "Written last week, before the disk filled up."
TYPED_BODY = "The words I typed while the disk was full. " * 1000  # ~43 KiB


class _FullDisk:
    """A connection that fails every write statement as SQLite does on ENOSPC."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _fill(folder: Path) -> None:
    """Write a file until the file system has no byte left."""
    with (folder / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError as error:
            assert error.errno == 28  # ENOSPC
        os.fsync(filler.fileno())


@pytest.fixture(params=["tmpfs", "injected"])
def full_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    if request.param == "tmpfs":
        if os.getuid() != 0:
            pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "storycircle-full", str(folder)],
            capture_output=True,
            check=False,
        )
        assert mounted.returncode == 0, mounted.stderr
    try:
        yield request.param, folder
    finally:
        if request.param == "tmpfs":
            subprocess.run(["umount", "-l", str(folder)], check=False)


def _status(screen: EditorScreen) -> str:
    return str(screen.query_one("#editor-status", Static).render())


async def test_a_full_disk_says_not_saved_keeps_the_text_and_the_stored_data(
    full_disk: tuple[str, Path],
) -> None:
    how, folder = full_disk
    store = Store.open(folder / "storycircle.db")
    member: UnlockedMember = make_member(store)
    kept = Journal(store, member).save(title="Kept", body=KEPT_BODY).story
    session = Session(
        Installation(folder, store, Config(work_factor=TEST_WORK_FACTOR)), clock=FakeClock()
    )
    session.open_journal(member)
    if how == "tmpfs":
        _fill(folder)
    else:
        store._conn = _FullDisk(store._conn)  # type: ignore[assignment]

    app = StorycircleApp(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = EditorScreen(session)
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#title", Input).value = "Typed on a full disk"
        screen.query_one("#body", TextArea).text = TYPED_BODY
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "not saved: the disk is full" in _status(screen)
        assert "not saved: not saved" not in _status(screen)
        assert screen.query_one("#body", TextArea).text == TYPED_BODY
        assert screen.query_one("#title", Input).value == "Typed on a full disk"
        screen.flush_draft()  # the autosave fails the same way, and says so
        assert "draft not saved" in _status(screen)
        assert screen.query_one("#body", TextArea).text == TYPED_BODY
    store.close()

    if how == "tmpfs":
        (folder / "filler").unlink()
    again = Store.open(folder / "storycircle.db")
    journal = Journal(again, member)
    assert again.integrity_check() == []
    assert [s.title for s in journal.summaries()] == ["Kept"]
    assert journal.load(kept.id).body == KEPT_BODY
    assert journal.drafts() == []
    again.close()
