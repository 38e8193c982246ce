"""Start an app headless, wait for its first screen to be drawn, then exit.

Run as ``python -m benchmarks.startup_probe storycircle [FOLDER]`` or
``python -m benchmarks.startup_probe minimal``; the benchmark times the whole
process. storycircle opens FOLDER (a data folder; a fresh empty one when none
is given, which shows the first-run form): give it one holding a member to
time the unlock form.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def minimal() -> None:
    """A bare Textual app: header, one line of text, footer."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("hello")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self.exit)

    Minimal().run(headless=True, size=(100, 32))


def storycircle(folder: Path) -> None:
    """storycircle as ``run_app`` starts it, until the welcome screen is drawn."""
    from textual.screen import Screen

    from storycircle.screens.welcome import WelcomeScreen
    from storycircle.session.installation import open_installation
    from storycircle.session.session import Session
    from storycircle.tui.app import StorycircleApp

    class DrawnWelcome(WelcomeScreen):
        # Textual runs this and WelcomeScreen's own on_mount (it calls the
        # handler of every class): exit once the frame after mounting is drawn.
        def on_mount(self) -> None:
            self.app.call_after_refresh(self.app.exit)

    class Probe(StorycircleApp):
        def start_screen(self) -> Screen[None]:
            return DrawnWelcome(self.session)

    installation = open_installation(folder)
    try:
        Probe(Session(installation)).run(headless=True, size=(100, 32))
    finally:
        installation.store.close()


def main() -> None:
    """Start the app named on the command line and exit after its first frame."""
    if sys.argv[1] == "minimal":
        minimal()
    elif len(sys.argv) > 2:
        storycircle(Path(sys.argv[2]))
    else:
        with tempfile.TemporaryDirectory() as home:
            storycircle(Path(home))


if __name__ == "__main__":
    main()
