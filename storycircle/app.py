"""The Textual app: screens, global keys, and the services it is given.

Services come in through the constructor (a :class:`~storycircle.session.Session`),
so tests pass an in-memory store and a cheap key-derivation setting.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from storycircle.installation import open_installation
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session import Session


class StorycircleApp(App[None]):
    """storycircle's terminal interface."""

    CSS_PATH = "app.tcss"
    TITLE = "storycircle"
    SUB_TITLE = "recovery stories, kept safe"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "lock", "Lock", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        """Create the app around an open session."""
        super().__init__()
        self.session = session

    def on_mount(self) -> None:
        """Start at the welcome screen."""
        self.push_screen(WelcomeScreen(self.session))

    def action_lock(self) -> None:
        """Drop the unlocked member and every screen that shows their stories."""
        self.session.lock()
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if not isinstance(self.screen, WelcomeScreen):
            self.switch_screen(WelcomeScreen(self.session))
        else:
            self.screen.refresh_members()


def run_app() -> int:
    """Open the installation and run the app until the person quits."""
    installation = open_installation()
    try:
        StorycircleApp(Session(installation)).run()
    finally:
        installation.store.close()
    return 0
