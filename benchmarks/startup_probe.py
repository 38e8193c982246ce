"""Start an app headless, wait for its first screen to be drawn, then exit.

Run as ``python -m benchmarks.startup_probe storycircle|minimal``; the
benchmark times the whole process.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main() -> None:
    """Start the app named on the command line and exit after its first frame."""
    which = sys.argv[1]
    if which == "minimal":
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
        return
    from storycircle.app import StorycircleApp
    from storycircle.installation import open_installation
    from storycircle.screens.welcome import WelcomeScreen
    from storycircle.session import Session

    class Probe(StorycircleApp):
        def on_mount(self) -> None:
            super().on_mount()
            self._probe_timer = self.set_interval(0.002, self._probe_ready)

        def _probe_ready(self) -> None:
            # Exit once the welcome screen is mounted and has been drawn.
            if isinstance(self.screen, WelcomeScreen) and self.screen.is_mounted:
                self._probe_timer.stop()
                self.call_after_refresh(self.exit)

    with tempfile.TemporaryDirectory() as home:
        installation = open_installation(Path(home))
        app = Probe(Session(installation))
        app.run(headless=True, size=(100, 32))
        installation.store.close()


if __name__ == "__main__":
    main()
