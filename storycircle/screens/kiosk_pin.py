"""The facilitator's PIN, asked before the admin screen opens.

A wrong PIN makes the next try wait 1 s, 2 s, 4 s…, up to a minute: enough to
spoil guessing, never a lock-out that keeps the facilitator from the machine.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from storycircle.kiosk.policy import KioskPolicy, wait_text
from storycircle.widgets.safe import FieldInput

PIN_KEY = "facilitator"


class KioskPinScreen(ModalScreen[bool]):
    """Ask for the facilitator's PIN; dismisses with True when it matches."""

    CSS_PATH = "kiosk_admin.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, policy: KioskPolicy) -> None:
        """Check PINs against ``policy``'s stored hash."""
        super().__init__()
        self.policy = policy

    def compose(self) -> ComposeResult:
        """PIN field and two buttons."""
        with Vertical(id="pin-dialog"):
            yield Static("Facilitator", id="pin-title")
            yield Label("PIN")
            yield FieldInput(password=True, id="pin", compact=True)
            yield Static("", id="pin-status")
            with Horizontal(classes="buttons"):
                yield Button("Open", id="pin-open", variant="primary")
                yield Button("Cancel", id="pin-cancel")

    def on_mount(self) -> None:
        """Focus the PIN field."""
        self.query_one("#pin", Input).focus()

    def _say(self, message: str) -> None:
        self.query_one("#pin-status", Static).update(message)

    def action_cancel(self) -> None:
        """Back to the start screen."""
        self.dismiss(False)

    @on(Button.Pressed, "#pin-cancel")
    def _on_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#pin-open")
    @on(Input.Submitted, "#pin")
    def _on_open(self) -> None:
        field = self.query_one("#pin", Input)
        pin, field.value = field.value, ""
        left = self.policy.pin_delays.wait_left(PIN_KEY)
        if left > 0:
            self._say(f"Please wait. {wait_text(left)}")
            return
        if not pin:
            self._say("Type the facilitator's PIN.")
            return
        self._say("Checking…")
        self.query_one("#pin-open", Button).disabled = True
        self._check(pin)

    @work(thread=True, exclusive=True, group="pin", exit_on_error=False)
    def _check(self, pin: str) -> bool:
        return self.policy.check_pin(pin)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Open the admin screen, or say how long to wait."""
        if event.worker.group != "pin" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        self.query_one("#pin-open", Button).disabled = False
        if event.state == WorkerState.SUCCESS and event.worker.result is True:
            self.policy.pin_delays.succeeded(PIN_KEY)
            self.dismiss(True)
            return
        delay = self.policy.pin_delays.failed(PIN_KEY)
        self._say(f"That is not the PIN. {wait_text(delay)}")
        self.query_one("#pin", Input).focus()
