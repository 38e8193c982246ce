"""Small modal dialogs shared by the screens."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for yes.

    The message is shown as inert content: pass untrusted parts through
    :func:`storycircle.widgets.safe.line` first.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "Cancel"),
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", show=False),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #dialog {
        width: 64; max-width: 90%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    ConfirmScreen #dialog-title { text-style: bold; margin-bottom: 1; }
    ConfirmScreen .buttons { height: auto; margin-top: 1; }
    ConfirmScreen Button { margin-right: 2; }
    """

    def __init__(
        self,
        title: str,
        message: Content | str,
        *,
        yes: str = "Yes",
        no: str = "Cancel",
    ) -> None:
        """Ask ``message`` under ``title``; the buttons read ``yes`` and ``no``."""
        super().__init__()
        self._title = title
        self._message = message if isinstance(message, Content) else Content(message)
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        """Title, message and two buttons."""
        with Vertical(id="dialog"):
            yield Static(Content(self._title), id="dialog-title")
            yield Static(self._message, id="dialog-message")
            with Horizontal(classes="buttons"):
                yield Button(self._yes, id="yes", variant="warning")
                yield Button(self._no, id="no", variant="primary")

    def on_mount(self) -> None:
        """Focus the safe answer."""
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button pressed."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Answer from the keyboard."""
        self.dismiss(answer)
