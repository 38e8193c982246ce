"""The kiosk's start screen: "Who's sharing?".

Pick your pseudonym (or type it, when the facilitator hides the list) and
unlock, or read the collections as a guest. A wrong passphrase makes the next
try of that member wait a little longer each time (1 s, 2 s, 4 s…, capped),
and the wait is shown; other members are never slowed down. New members are
added by the facilitator (F9), not here.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from storycircle.errors import StorycircleError, WrongPassphrase
from storycircle.journal.members import UnlockedMember
from storycircle.kiosk.policy import KioskPolicy, spend_like_unlock, wait_text
from storycircle.models import MemberRecord
from storycircle.screens.kiosk_pin import KioskPinScreen
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import FieldInput, SafeInput, line

NOBODY_YET = "Nobody has an account here yet. The facilitator can add you (F9)."


class KioskStartScreen(Screen[None]):
    """Who's sharing? Unlock a member, or read as a guest."""

    CSS_PATH = "kiosk_start.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "guest", "Read collections"),
        Binding("f9", "facilitator", "Facilitator"),
    ]

    def __init__(self, session: Session, policy: KioskPolicy) -> None:
        """Show the members of ``session`` under the rules of ``policy``."""
        super().__init__()
        self.session = session
        self.policy = policy
        self._members: list[MemberRecord] = []
        # The delay key and shown name of the try under way, and of the wait
        # being shown (with the sentence before "You can try again…").
        self._trying: tuple[str, str] = ("", "")
        self._waiting: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        """The unlock form, the guest entry and the facilitator's key."""
        self._members = self.session.members()
        hide = self.policy.hide_members
        yield Header()
        with VerticalScroll(id="start-scroll"), Center(), Vertical(id="kiosk-start"):
            yield Static("Who's sharing?", id="start-title")
            if not self._members and not hide:
                yield Static(NOBODY_YET, id="start-nobody")
            else:
                with Vertical(id="start-form"):
                    if hide:
                        yield Label("Your pseudonym")
                        yield SafeInput(id="start-pseudonym", max_length=40, compact=True)
                    else:
                        yield Label("Choose your pseudonym")
                        yield self._picker()
                    yield Label("Passphrase")
                    yield FieldInput(password=True, id="start-passphrase", compact=True)
                    with Horizontal(classes="buttons"):
                        yield Button("Unlock", id="start-unlock", variant="primary")
            yield Static("", id="start-status")
            with Horizontal(id="start-guest"):
                yield Static("No account needed to read:", classes="hint")
                yield Button("Read the collections", id="start-read", compact=True)
            yield Static(
                "Step away at any time: the screen locks itself, and F12 hides it at once.",
                classes="hint",
            )
        yield StoryFooter()

    def _picker(self) -> Select[str]:
        members = [(line(m.pseudonym), m.id) for m in self._members]
        # The value must be given at construction: set before mounting, it is lost.
        if len(self._members) == 1:
            return Select[str](members, id="start-member", prompt="Pseudonym", value=members[0][1])
        return Select[str](members, id="start-member", prompt="Pseudonym")

    def on_mount(self) -> None:
        """Focus where the person starts typing; keep any wait shown up to date."""
        self._focus_first()
        self.set_interval(0.5, self._show_wait)

    def _focus_first(self) -> None:
        targets = ["#start-pseudonym", "#start-member", "#start-read"]
        if len(self._members) == 1 and not self.policy.hide_members:
            targets.insert(0, "#start-passphrase")
        for selector in targets:
            found = self.query(selector)
            if found:
                found.first().focus()
                return

    def clear_typing(self) -> None:
        """Forget half-typed names and passphrases (the idle clock calls this)."""
        for field in self.query(Input):
            field.value = ""
        self._say("")
        self._focus_first()

    def _say(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#start-status", Static)
        status.update(line(message))
        status.set_class(error, "error")

    # -- who is unlocking ------------------------------------------------------------

    def _chosen(self) -> tuple[MemberRecord | None, str, str] | None:
        """``(record or None, delay key, name to show)``, or None when nobody is chosen."""
        if self.policy.hide_members:
            typed = self.query_one("#start-pseudonym", Input).value.strip()
            if not typed:
                return None
            wanted = typed.casefold()
            record = next((m for m in self._members if m.pseudonym.casefold() == wanted), None)
            # A name nobody has waits under its own key, exactly as a member would.
            key = record.id if record is not None else "name:" + wanted
            return record, key, typed
        value = self.query_one("#start-member", Select).value
        record = next((m for m in self._members if m.id == value), None)
        return (record, record.id, record.pseudonym) if record is not None else None

    @on(Button.Pressed, "#start-unlock")
    @on(Input.Submitted, "#start-passphrase")
    def _on_unlock(self) -> None:
        chosen = self._chosen()
        passphrase_input = self.query_one("#start-passphrase", Input)
        if chosen is None:
            self._say("Choose who is sharing first.", error=True)
            return
        record, key, name = chosen
        left = self.policy.unlock_delays.wait_left(key)
        if left > 0:
            passphrase_input.value = ""
            self._waiting = (key, f"Please wait before trying again as {name}.")
            self._say(f"{self._waiting[1]} {wait_text(left)}", error=True)
            return
        if not passphrase_input.value:
            self._say("Type your passphrase.", error=True)
            return
        passphrase = passphrase_input.value
        passphrase_input.value = ""
        self._waiting = None
        for button in self.query(Button):
            button.disabled = True
        self._say("Unlocking…")
        self._trying = (key, name)
        self._unlock(record, passphrase)

    @work(thread=True, exclusive=True, group="kdf", exit_on_error=False)
    def _unlock(self, record: MemberRecord | None, passphrase: str) -> UnlockedMember:
        if record is None:
            spend_like_unlock(self.session.config.work_factor)
            raise WrongPassphrase("unknown pseudonym")
        return self.session.unlock_keys(record, passphrase)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Enter the member's library, or show how long to wait before trying again."""
        worker = event.worker
        if worker.group != "kdf" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        for button in self.query(Button):
            button.disabled = False
        key, name = self._trying
        if event.state == WorkerState.ERROR:
            self._failed(key, name, worker.error)
            return
        member = worker.result
        assert isinstance(member, UnlockedMember)
        self.policy.unlock_delays.succeeded(key)
        self._say("")
        self.post_message(WelcomeScreen.Unlocked(member))

    def _failed(self, key: str, name: str, error: BaseException | None) -> None:
        delay = self.policy.unlock_delays.failed(key)
        if isinstance(error, WrongPassphrase):
            if self.policy.hide_members:
                reason = "That pseudonym and passphrase do not match."
            else:
                reason = f"That passphrase does not open {name}'s stories."
        elif isinstance(error, StorycircleError):
            reason = str(error).capitalize() + "."
        else:
            reason = "Unlocking failed."
        self._waiting = (key, reason)
        self._say(f"{reason} {wait_text(delay)}", error=True)
        self.query_one("#start-passphrase", Input).focus()

    def _show_wait(self) -> None:
        if self._waiting is None:
            return
        key, head = self._waiting
        left = self.policy.unlock_delays.wait_left(key)
        if left > 0:
            self._say(f"{head} {wait_text(left)}", error=True)
        else:
            self._waiting = None
            self._say(f"{head} You can try again now.", error=True)

    # -- guests and the facilitator -----------------------------------------------------

    @on(Button.Pressed, "#start-read")
    def action_guest(self) -> None:
        """Read the collections without an account."""
        self.post_message(WelcomeScreen.GuestRequested())

    def action_facilitator(self) -> None:
        """Ask for the facilitator's PIN, then open the admin screen."""

        def answered(opened: bool | None) -> None:
            if opened:
                open_admin = getattr(self.app, "open_admin", None)
                if callable(open_admin):
                    open_admin()

        self.app.push_screen(KioskPinScreen(self.policy), answered)
