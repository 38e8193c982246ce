"""Help now: crisis resources, one key away on every screen, offline, no unlock."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from storycircle.helplines import NOT_A_CRISIS_SERVICE, HelpLine
from storycircle.widgets.safe import line


class HelpNowScreen(ModalScreen[None]):
    """A calm overlay listing who to contact, with no story text behind it visible."""

    CSS_PATH = "help_now.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("f1", "dismiss", "Close", show=False),
    ]

    def __init__(self, lines: list[HelpLine]) -> None:
        """Show ``lines`` (already chosen for the person's locale)."""
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        """The statement, then one block per line."""
        with Vertical(id="help-now"):
            yield Static("Help now", id="help-title")
            yield Static(NOT_A_CRISIS_SERVICE, id="help-statement")
            with VerticalScroll(id="help-lines"):
                for entry in self.lines:
                    yield Static(line(entry.name), classes="help-name")
                    detail = entry.contact + (f"  ({entry.hours})" if entry.hours else "")
                    yield Static(line(detail), classes="help-contact")
            yield Button("Close (Esc)", id="help-close", variant="primary")

    def on_mount(self) -> None:
        """Focus the close button so Enter or Esc returns."""
        self.query_one("#help-close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close."""
        self.dismiss()
