"""Rendering a screen as a terminal of a given colour depth shows it.

Textual draws in truecolor and Rich turns each colour into the nearest one a
terminal can show when it writes to it: ``TERM=xterm-256color`` without
``COLORTERM`` gets the 256-colour palette, a plain ``xterm`` 16 colours.
Textual's own screenshot always records truecolor, so this module does that
conversion itself (Rich's ``Color.downgrade``, the one the terminal output
uses) on the recorded segments. ``NO_COLOR`` is Textual's own filter, set
from the environment when the app is made.
"""

from __future__ import annotations

import io
from typing import Any

from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.app import App

from storycircle.tui.app import StorycircleApp

DEPTHS: dict[str, ColorSystem | None] = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "16": ColorSystem.STANDARD,
    "no-color": None,  # truecolor output through Textual's NO_COLOR filter
}
THEMES = ("storycircle", "storycircle-high-contrast")

Cell = tuple[str, tuple[int, int, int] | None, tuple[int, int, int] | None, bool, bool]
"""A drawn cell: character, foreground, background, underline, reverse."""


def _down(style: Style | None, system: ColorSystem | None) -> Style | None:
    if style is None or system is None or system is ColorSystem.TRUECOLOR:
        return style
    color = style.color.downgrade(system) if style.color else None
    bgcolor = style.bgcolor.downgrade(system) if style.bgcolor else None
    return style + Style(color=color, bgcolor=bgcolor)


def recorded(app: App[Any], depth: str) -> Console:
    """A console that recorded the current screen as a terminal of ``depth`` shows it."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    system = DEPTHS[depth]
    buffer = console._record_buffer
    buffer[:] = [Segment(s.text, _down(s.style, system), s.control) for s in buffer]
    return console


def cells(app: App[Any], depth: str) -> list[list[Cell]]:
    """The screen as rows of cells, in the colours a ``depth`` terminal shows."""
    console = recorded(app, depth)
    rows: list[list[Cell]] = []
    plain = [s for s in console._record_buffer if not s.control]
    for line in Segment.split_lines(plain):
        row: list[Cell] = []
        for segment in line:
            style = segment.style or Style()
            fg = tuple(style.color.get_truecolor()) if style.color else None
            bg = tuple(style.bgcolor.get_truecolor()) if style.bgcolor else None
            row += [
                (ch, fg, bg, bool(style.underline), bool(style.reverse))  # type: ignore[misc]
                for ch in segment.text
            ]
        rows.append(row)
    return rows


class DepthApp(StorycircleApp):
    """The app, whose screenshots show it as a terminal of ``depth`` would."""

    depth = "truecolor"

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """An SVG of the screen in the colours of :attr:`depth`."""
        return recorded(self, self.depth).export_svg(title=title or self.title)
