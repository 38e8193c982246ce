"""Setting up a circle for the kiosk's members, from the facilitator's screen.

A circle is hosted by a member: their keys sign its roster. So the facilitator
chooses who hosts it, hands the keyboard to that member to type their
passphrase, and ticks who else to invite. The host is unlocked only for as long
as it takes to create the circle and write the invitations, with the session's
own verbs, and locked again at once. Each invited member is asked to join at
their next unlock (see :func:`offer_invitations`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from storycircle.errors import StorycircleError, WrongPassphrase
from storycircle.journal.members import UnlockedMember
from storycircle.models import Circle, MemberRecord
from storycircle.screens.circle_dialogs import DIALOG_CSS, FormDialog, FormField
from storycircle.session.session import Session
from storycircle.widgets.safe import SafeInput, line


class KioskCircleScreen(ModalScreen[str | None]):
    """Name a circle, choose its host, tick whom to invite; returns what was done."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="KioskCircleScreen")
        + "KioskCircleScreen #invitees { height: auto; max-height: 12; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session: Session) -> None:
        """Set up a circle among ``session``'s members (nobody is unlocked here)."""
        super().__init__()
        self.session = session
        self._members = session.members()
        self._host: MemberRecord | None = None

    def compose(self) -> ComposeResult:
        """Name, host, the host's passphrase, who to invite, and the buttons."""
        with Vertical(id="dialog"):
            yield Static("A circle for this kiosk", id="dialog-title")
            yield Static(
                "The host's keys look after the circle, so the host types their own "
                "passphrase. Everyone ticked is asked to join the next time they unlock.",
                classes="hint",
            )
            yield Label("Name of the circle")
            yield SafeInput(id="circle-name", max_length=80, compact=True)
            yield Label("Host")
            yield Select[str](
                [(line(m.pseudonym), m.id) for m in self._members],
                id="circle-host",
                prompt="Who hosts it",
            )
            yield Label("The host's passphrase")
            yield Input(password=True, id="circle-passphrase", compact=True)
            yield Label("Invite")
            with VerticalScroll(id="invitees"):
                for member in self._members:
                    yield Checkbox(line(member.pseudonym), True, id=f"invite-{member.id}")
            yield Static(id="form-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Create and invite", id="submit", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Start with the name."""
        self.query_one("#circle-name", Input).focus()

    def _error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(line(message))

    @on(Input.Submitted, "#circle-name")
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted, "#circle-passphrase")
    def _try(self) -> None:
        if self._host is not None:
            return  # already unlocking
        name = self.query_one("#circle-name", Input).value.strip()
        host_id = self.query_one("#circle-host", Select).value
        field = self.query_one("#circle-passphrase", Input)
        if not name:
            self._error("Give the circle a name.")
            return
        host = next((m for m in self._members if m.id == host_id), None)
        if host is None:
            self._error("Choose who hosts the circle.")
            return
        passphrase, field.value = field.value, ""
        self._host = host
        self.query_one("#submit", Button).disabled = True
        self._error("Opening the host's keys…")
        self._unlock(host, passphrase)

    @work(thread=True, exclusive=True, group="kdf", exit_on_error=False)
    def _unlock(self, host: MemberRecord, passphrase: str) -> UnlockedMember:
        return self.session.unlock_keys(host, passphrase)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Create the circle once the host's keys are open."""
        if event.worker.group != "kdf" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        host, self._host = self._host, None
        self.query_one("#submit", Button).disabled = False
        if event.state == WorkerState.ERROR or host is None:
            error = event.worker.error
            if isinstance(error, WrongPassphrase):
                self._error(
                    f"That passphrase does not open {host.pseudonym if host else ''}'s keys."
                )
            else:
                self._error(
                    str(error) if isinstance(error, StorycircleError) else "Unlocking failed."
                )
            self.query_one("#circle-passphrase", Input).focus()
            return
        member = event.worker.result
        assert isinstance(member, UnlockedMember)
        try:
            done = self._create(member)
        except StorycircleError as error:
            self._error(f"Not created: {error}")
            return
        self.dismiss(done)

    def _create(self, member: UnlockedMember) -> str:
        name = self.query_one("#circle-name", Input).value
        ticked = [
            m
            for m in self._members
            if m.id != member.id and self.query_one(f"#invite-{m.id}", Checkbox).value
        ]
        self.session.open_journal(member)
        try:
            circle = self.session.create_circle(name, member.pseudonym)
            for other in ticked:
                self.session.invite(circle.id, other)
        finally:
            # The host was unlocked only to sign: nothing of theirs stays open.
            self.session.lock()
        invited = ", ".join(m.pseudonym for m in ticked) or "nobody yet"
        return (
            f"{circle.name} is set up, hosted by {member.pseudonym}. Invited: {invited}; "
            "each is asked to join when they next unlock."
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without creating anything."""
        self.dismiss(None)


def _acceptor(session: Session, circle_id: str) -> Callable[[dict[str, str]], Circle]:
    def accept(values: dict[str, str]) -> Circle:
        return session.accept_invitation(circle_id, values["pseudonym"])

    return accept


def offer_invitations(app: App[None], session: Session) -> None:
    """Ask the member just unlocked to join each circle they are invited to."""
    try:
        waiting = [c for c in session.circles() if c.my_status == "invited"]
    except StorycircleError:
        return
    me = session.member.id if session.member is not None else ""
    for circle in waiting:
        dialog: FormDialog[Circle] = FormDialog(
            "You are invited to " + circle.name,
            "Choose the name you go by in this circle; its members see only this name. "
            "Cancel to decide later (the invitation waits in Circles, g).",
            [FormField("pseudonym", "Your name in this circle", value=circle.pseudonym_of(me))],
            _acceptor(session, circle.id),
            yes="Join",
        )

        def joined(result: Circle | None) -> None:
            if result is not None:
                app.notify(f"You joined {result.name}.", markup=False)

        app.push_screen(dialog, joined)
