"""Welcome: create the first member, or pick a member and unlock.

Key derivation (scrypt) runs in a thread worker while the screen shows
"Unlocking…", so the interface never freezes; the store is touched only on the
UI thread. While it runs, the app imports what comes after the form (see
:class:`WelcomeScreen.Unlocking`): this screen loads only what the form needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from storycircle.errors import StorycircleError
from storycircle.screens.member_form import take_new_member
from storycircle.sealing.passphrase import RULE
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import FieldInput, SafeInput, line

# Names for annotations only: the key code (storycircle.journal.members, cryptography)
# loads in the worker after Enter, not before the form is drawn.
if TYPE_CHECKING:
    from storycircle.journal.members import UnlockedMember
    from storycircle.models import MemberRecord
    from storycircle.session.session import Session

LOST_KEY_WARNING = (
    "Nobody can recover a lost passphrase, not even us: without it your stories stay locked."
)


class WelcomeScreen(Screen[None]):
    """The first screen: create a member, or unlock one."""

    class Unlocked(Message):
        """A member's keys are open; the app takes it from here."""

        def __init__(self, member: UnlockedMember) -> None:
            """Carry the unlocked member up to the app."""
            super().__init__()
            self.member = member

    class Unlocking(Message):
        """Keys are being derived: a moment to load what comes after this screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new_member", "New member"),
        Binding("ctrl+r", "guest", "Read collections"),
        # Priority, like Tab (see StorycircleApp): Enter in the name or the first
        # passphrase moves on at once, so keys typed in one burst land in order.
        Binding("enter", "next_field", show=False, priority=True),
    ]
    AUTO_FOCUS = "#unlock-passphrase, #pseudonym"
    """The form's first field has the focus from the first frame: moving it
    there later would restyle the screen and redraw the footer once more."""

    def __init__(self, session: Session) -> None:
        """Show the members of ``session``'s installation."""
        super().__init__()
        self.session = session
        self._members: list[MemberRecord] = []

    def compose(self) -> ComposeResult:
        """Both forms; one is shown at a time."""
        yield Header()
        # The scroll view centres the box itself (app.tcss): one container fewer to style.
        with VerticalScroll(id="welcome-scroll"), Vertical(id="welcome"):
            yield Static("Welcome to storycircle", id="welcome-title")
            yield Static(
                "A private place to write your recovery story, and to find the stories "
                "of others who have been there.",
                id="welcome-lede",
            )
            self._members = self.session.members()
            yield self._unlock_form() if self._members else self._create_form()
            with Horizontal(id="guest-row"):
                yield Static("No account needed to read:", classes="hint")
                yield Button("Read the collections", id="guest", compact=True)
            yield Static("", id="status")
        yield StoryFooter()

    def on_mount(self) -> None:
        """Start in the form that fits: create when nobody is here yet."""
        self._show_form("unlock" if self._members else "create")

    def refresh_members(self) -> None:
        """Reload the member list and show the matching form."""
        self._members = self.session.members()
        self._show_form("unlock" if self._members else "create", rebuild=True)

    def _unlock_form(self) -> Vertical:
        members = [(line(m.pseudonym), m.id) for m in self._members]
        # The value must be given at construction: set before mounting, it is lost.
        if len(self._members) == 1:
            picker = Select[str](
                members, id="member", prompt="Choose your pseudonym", value=self._members[0].id
            )
        else:
            picker = Select[str](members, id="member", prompt="Choose your pseudonym")
        return Vertical(
            Label("Who's writing?"),
            picker,
            Label("Passphrase"),
            FieldInput(password=True, id="unlock-passphrase", compact=True),
            Horizontal(
                Button("Unlock", id="unlock", variant="primary"),
                Button("New member", id="show-create"),
                classes="buttons",
            ),
            id="unlock-form",
        )

    def _create_form(self) -> Vertical:
        back = Button("Back", id="show-unlock")
        back.display = bool(self._members)
        return Vertical(
            Label("Pseudonym (any name you like; it need not be your own)"),
            SafeInput(id="pseudonym", max_length=40, compact=True),
            Label("Passphrase"),
            FieldInput(password=True, id="new-passphrase", compact=True),
            Label("Type it again"),
            FieldInput(password=True, id="repeat-passphrase", compact=True),
            Static(RULE, classes="hint"),
            Static(LOST_KEY_WARNING, classes="warning"),
            Horizontal(Button("Create", id="create", variant="primary"), back, classes="buttons"),
            id="create-form",
        )

    def _show_form(self, which: str, *, rebuild: bool = False) -> None:
        # Only the form in use is mounted: fewer widgets to style at start-up.
        self._say("")
        if rebuild or not self.query(f"#{which}-form"):
            self.call_later(self._replace_form, which)
        else:
            self._focus_form(which)

    async def _replace_form(self, which: str) -> None:
        await self.query("#unlock-form, #create-form").remove()
        form = self._unlock_form() if which == "unlock" else self._create_form()
        await self.query_one("#welcome").mount(form, before="#guest-row")
        self._focus_form(which)

    def _focus_form(self, which: str) -> None:
        focus = "#unlock-passphrase" if which == "unlock" else "#pseudonym"
        field = self.query_one(focus, Input)
        if self.focused is not field:  # AUTO_FOCUS put it there at start: no second redraw
            field.focus()

    def _say(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(line(message))
        status.set_class(error, "error")

    def _busy(self, busy: bool, message: str = "") -> None:
        for button in self.query(Button):
            button.disabled = busy
        self._say(message)

    def action_new_member(self) -> None:
        """Show the form that creates a member."""
        self._show_form("create")

    class GuestRequested(Message):
        """The person wants to read the collections without an account."""

    @on(Button.Pressed, "#guest")
    def action_guest(self) -> None:
        """Read the collections without an account."""
        self.post_message(self.GuestRequested())

    @on(Button.Pressed, "#show-create")
    def _on_show_create(self) -> None:
        self._show_form("create")

    @on(Button.Pressed, "#show-unlock")
    def _on_show_unlock(self) -> None:
        self._show_form("unlock")

    @on(Button.Pressed, "#unlock")
    @on(Input.Submitted, "#unlock-passphrase")
    def _on_unlock(self) -> None:
        select: Select[str] = self.query_one("#member", Select)
        record = next((m for m in self._members if m.id == select.value), None)
        passphrase_input = self.query_one("#unlock-passphrase", Input)
        if record is None:
            self._say("Choose who is writing first.", error=True)
            return
        if not passphrase_input.value:
            self._say("Type your passphrase.", error=True)
            return
        passphrase = passphrase_input.value
        passphrase_input.value = ""
        self._busy(True, "Unlocking…")
        self.post_message(self.Unlocking())
        self._unlock(record, passphrase)

    @work(thread=True, exclusive=True, group="kdf", exit_on_error=False)
    def _unlock(self, record: MemberRecord, passphrase: str) -> UnlockedMember:
        return self.session.unlock_keys(record, passphrase)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter moves on from the name and the first passphrase only."""
        if action == "next_field":
            focused = self.focused
            return focused is not None and focused.id in ("pseudonym", "new-passphrase")
        return True

    def action_next_field(self) -> None:
        """Go on to the next field of the create form."""
        self.focus_next()

    @on(Button.Pressed, "#create")
    @on(Input.Submitted, "#repeat-passphrase")
    def _on_create(self) -> None:
        name_field = self.query_one("#pseudonym", Input)
        pseudonym = name_field.value
        first = self.query_one("#new-passphrase", Input)
        second = self.query_one("#repeat-passphrase", Input)
        passphrase = take_new_member(self.session, name_field, first, second, self._say)
        if passphrase is None:
            return
        self._busy(True, "Creating your keys…")
        self.post_message(self.Unlocking())
        self._create(pseudonym, passphrase)

    @work(thread=True, exclusive=True, group="kdf", exit_on_error=False)
    def _create(self, pseudonym: str, passphrase: str) -> tuple[MemberRecord, UnlockedMember]:
        record = self.session.prepare_member(pseudonym, passphrase)
        return record, self.session.unlock_keys(record, passphrase)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Finish an unlock or a creation once its worker is done."""
        worker = event.worker
        if worker.group != "kdf" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self._busy(False)
        if event.state == WorkerState.ERROR:
            error = worker.error
            message = str(error) if isinstance(error, StorycircleError) else "unlock failed"
            self._say(message, error=True)
            return
        result = worker.result
        if isinstance(result, tuple):
            record, member = result
            try:
                self.session.add_member(record)
            except StorycircleError as error:
                self._say(str(error), error=True)
                return
        else:
            member = result
        from storycircle.journal.members import UnlockedMember  # loaded by the worker already

        assert isinstance(member, UnlockedMember)
        self._enter(member)

    def _enter(self, member: UnlockedMember) -> None:
        self.post_message(self.Unlocked(member))
