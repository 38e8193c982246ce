"""The two screens a kiosk shows on its own: the idle countdown and the neutral cover."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def countdown_text(seconds: int) -> str:
    """ "Locking in 12 seconds" (one second, singular)."""
    unit = "second" if seconds == 1 else "seconds"
    return f"Locking in {seconds} {unit}"


class KioskCountdownScreen(ModalScreen[None]):
    """The last half minute before an idle lock: any key or click keeps going.

    It takes the key that dismisses it (the app removes it), so that key never
    types into a story.
    """

    CSS_PATH = "kiosk.tcss"

    def __init__(self, seconds: int) -> None:
        """Start showing ``seconds`` left."""
        super().__init__()
        self._seconds = seconds

    def compose(self) -> ComposeResult:
        """A calm box with the seconds left."""
        with Vertical(id="countdown"):
            yield Static("Still there?", id="countdown-title")
            yield Static(countdown_text(self._seconds), id="countdown-seconds")
            yield Static("Your words are saved. Press any key to keep going.", id="countdown-hint")

    def show(self, seconds: int) -> None:
        """Update the seconds left."""
        if seconds != self._seconds:
            self._seconds = seconds
            self.query_one("#countdown-seconds", Static).update(countdown_text(seconds))


class KioskHiddenScreen(Screen[None]):
    """A neutral screen shown by the quick-hide key: nothing of storycircle on it.

    The kiosk is already locked underneath; any key or click goes back to the
    start screen.
    """

    CSS_PATH = "kiosk.tcss"

    def compose(self) -> ComposeResult:
        """One muted line in the middle of an empty screen."""
        yield Static("Press any key to continue.", id="hidden-hint")

    def on_key(self, event: events.Key) -> None:
        """Any key uncovers the (locked) start screen."""
        event.stop()
        self.dismiss()

    def on_click(self) -> None:
        """A click too."""
        self.dismiss()
