"""Snapshots of the main screens at each colour depth, in both themes.

Each is drawn as a terminal of that depth shows it (``tests/depths.py``):
truecolor, 256 colours (``TERM=xterm-256color``), 16 colours, and with
``NO_COLOR``. Sizes, dates and locale are pinned as in ``test_screens.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from storycircle.screens.editor import EditorScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.settings import SettingsScreen
from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from tests.depths import DEPTHS, THEMES, DepthApp
from tests.support.people import TEST_WORK_FACTOR, FakeClock
from tests.ui.helpers import unlock_session

SIZE = (100, 32)
Compare = Callable[..., bool]


@pytest.fixture(autouse=True)
def fixed_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture(params=THEMES)
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    store = Store.memory()
    config = Config(work_factor=TEST_WORK_FACTOR, theme=request.param)
    yield Session(Installation(tmp_path, store, config), clock=FakeClock())
    store.close()


def _app(session: Session, depth: str, monkeypatch: pytest.MonkeyPatch) -> DepthApp:
    if depth == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = DepthApp(session)
    app.depth = depth
    return app


def _opener(session: Session, name: str) -> Callable[[Pilot[Any]], Any]:
    async def open_screen(pilot: Pilot[Any]) -> None:
        if name != "welcome":
            unlock_session(session)
            session.save_story(
                title="Panic at the bus stop",
                body="I counted the windows of the bus.",
                tags=["panic", "coping-strategy"],
                content_notes=[],
            )
            screens = {"library": LibraryScreen, "editor": EditorScreen, "settings": SettingsScreen}
            await pilot.app.push_screen(screens[name](session))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for field in pilot.app.screen.query("Input"):
            field.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    return open_screen


@pytest.mark.parametrize("depth", list(DEPTHS))
@pytest.mark.parametrize("name", ["welcome", "library", "editor", "settings"])
def test_screen_at_depth(
    snap_compare: Compare,
    session: Session,
    name: str,
    depth: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _app(session, depth, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=_opener(session, name))
