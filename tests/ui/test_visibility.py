"""Fields, focus and the cursor show at every colour depth, in both themes.

Tried as a person would see them: the screen is drawn in the colours a
truecolor, 256-colour or 16-colour terminal shows (see ``tests/depths.py``),
and with ``NO_COLOR``. A field must differ from what surrounds it, the
focused field from the others, and the cursor from the field it is in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Input

from storycircle.screens.editor import EditorScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.settings import SettingsScreen
from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.story_list import StoryList
from tests.depths import DEPTHS, THEMES, Cell, cells
from tests.support.people import TEST_WORK_FACTOR, FakeClock
from tests.ui.helpers import SIZE, unlock_session

SCREENS = ("welcome", "editor", "settings", "library")


@pytest.fixture(params=THEMES)
def themed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    store = Store.memory()
    config = Config(work_factor=TEST_WORK_FACTOR, theme=request.param)
    yield Session(Installation(tmp_path, store, config), clock=FakeClock())
    store.close()


def _screen(name: str, session: Session) -> Screen[None] | EditorScreen | None:
    if name == "welcome":
        return None
    unlock_session(session)
    session.save_story(title="First", body="One.", tags=["hope"], content_notes=[])
    session.save_story(title="Second", body="Two.", tags=["sleep"], content_notes=[])
    if name == "editor":
        return EditorScreen(session)
    if name == "settings":
        return SettingsScreen(session)
    return LibraryScreen(session)


def _look(cell: Cell) -> tuple[object, ...]:
    """What a person sees of a cell: its colours after reverse; a blank's foreground is unseen."""
    char, fg, bg, underline, reverse = cell
    if reverse:
        fg, bg = bg, fg
    return bg, (fg if char.strip() else None), underline


def _row(grid: list[list[Cell]], field: Input, skip: int = -1) -> list[tuple[object, ...]]:
    region = field.region
    return [_look(grid[region.y][x]) for x in range(region.x, region.right) if x != skip]


@pytest.mark.parametrize("depth", list(DEPTHS))
@pytest.mark.parametrize("name", SCREENS)
async def test_fields_focus_and_cursor_show(
    themed: Session, name: str, depth: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if depth == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    screen = _screen(name, themed)
    app = StorycircleApp(themed)
    async with app.run_test(size=SIZE) as pilot:
        if screen is not None:
            await app.push_screen(screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        fields = [f for f in app.screen.query(Input) if f.region.area and f.display]
        assert len(fields) >= 2, name
        for field in fields:
            field.cursor_blink = False  # the cursor's look, not its blinking, is checked
        fields[0].focus()
        await pilot.pause()
        grid = cells(app, depth)
        focused, other = fields[0], fields[1]
        for field in fields:
            region = field.region
            inside = grid[region.y][region.right - 1]
            beside = grid[region.y][region.x - 1 if region.x else region.right]
            assert _look(inside) != _look(beside), f"{field.id} cannot be told from around it"
        # The fields are empty, so the cursor is the first cell of the content.
        x, y = focused.content_region.x + focused.cursor_position, focused.content_region.y
        width = min(focused.region.width, other.region.width)
        looks = _row(grid, focused, skip=x)[: width - 1]
        assert looks != _row(grid, other)[: width - 1], "the focused field looks like the others"
        field_cell = grid[y][focused.region.right - 1]
        assert _look(grid[y][x]) != _look(field_cell), "the cursor cannot be seen"
        if name == "library":
            stories = app.screen.query_one("#stories", StoryList)
            stories.focus()
            await pilot.pause()
            grid = cells(app, depth)
            top = stories.region.y
            highlighted, next_row = (
                grid[top][stories.region.x + 1],
                grid[top + 1][stories.region.x + 1],
            )
            assert _look(highlighted) != _look(next_row), "the highlighted story cannot be seen"
