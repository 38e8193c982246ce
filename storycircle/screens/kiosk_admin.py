"""The facilitator's admin screen: members, kiosk settings, and the only way out.

Reached from the start screen with F9 and the facilitator's PIN. The idle lock
applies here too, so an admin screen left open closes itself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from storycircle.errors import StorycircleError
from storycircle.kiosk.policy import KioskPolicy, minutes_to_seconds
from storycircle.models import MemberRecord
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.member_form import take_new_member
from storycircle.screens.welcome import LOST_KEY_WARNING
from storycircle.sealing.passphrase import RULE
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import FieldInput, SafeInput, line


def parse_minutes(text: str) -> int:
    """Idle minutes as typed ("3", "0,5") to whole seconds within the allowed range.

    Raises:
        StorycircleError: not a number, or outside the range.
    """
    try:
        minutes = float(text.strip().replace(",", "."))
    except ValueError:
        raise StorycircleError("type the idle time as a number of minutes, such as 3") from None
    return minutes_to_seconds(minutes)


class KioskAdminScreen(Screen[None]):
    """Add and remove members, change the kiosk's settings, or quit."""

    CSS_PATH = "kiosk_admin.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def __init__(self, session: Session, policy: KioskPolicy) -> None:
        """Manage ``session``'s installation under ``policy``."""
        super().__init__()
        self.session = session
        self.policy = policy

    def compose(self) -> ComposeResult:
        """Members, a new member, settings, quit."""
        members = self.session.members()
        config = self.session.config
        yield Header()
        with VerticalScroll(id="admin"):
            yield Static("Facilitator", id="admin-title")
            with Horizontal(classes="buttons"):
                yield Button("Back to the start screen", id="admin-back")
                yield Button("Quit storycircle", id="admin-quit", variant="error")
            yield Static("", id="admin-status")
            yield Static("Members", classes="admin-heading")
            if members:
                yield self._member_picker(members)
                yield Button("Remove member…", id="admin-remove", variant="warning")
            else:
                yield Static("Nobody has an account yet.", classes="hint")
            yield Static("Add a member", classes="admin-heading")
            yield Static(
                "Hand the keyboard to the new member: they type their own pseudonym and "
                "passphrase.",
                classes="hint",
            )
            yield Label("Pseudonym (any name; it need not be their own)")
            yield SafeInput(id="admin-pseudonym", max_length=40, compact=True)
            yield Label("Passphrase")
            yield FieldInput(password=True, id="admin-passphrase", compact=True)
            yield Label("Type it again")
            yield FieldInput(password=True, id="admin-repeat", compact=True)
            yield Static(RULE, classes="hint")
            yield Static(LOST_KEY_WARNING, classes="warning")
            yield Button("Add member", id="admin-add", variant="primary")
            if members:
                yield Static("A circle for the group", classes="admin-heading")
                yield Static(
                    "A circle round needs a circle its members have joined. Set one up "
                    "here: its host types their passphrase, and the others are asked to "
                    "join when they next unlock.",
                    classes="hint",
                )
                yield Button("Set up a circle…", id="admin-circle")
            yield Static("This kiosk", classes="admin-heading")
            yield Label("Lock after this many minutes without a key press")
            yield FieldInput(f"{config.kiosk_idle_seconds / 60:g}", id="admin-idle", compact=True)
            yield Checkbox(
                "Hide the member list (people type their pseudonym)",
                config.kiosk_hide_members,
                id="admin-hide",
            )
            with Horizontal(classes="buttons"):
                yield Button("Save kiosk settings", id="admin-save", variant="primary")
                yield Button("Theme, help lines, guest filters…", id="admin-settings")
        yield StoryFooter()

    @staticmethod
    def _member_picker(members: list[MemberRecord]) -> Select[str]:
        options = [(line(m.pseudonym), m.id) for m in members]
        return Select[str](options, id="admin-member", prompt="Choose a member")

    def on_mount(self) -> None:
        """Start at the top."""
        self.query_one("#admin-pseudonym", Input).focus()

    def _say(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#admin-status", Static)
        status.update(line(message))
        status.set_class(error, "error")

    @on(Button.Pressed, "#admin-circle")
    def _on_circle(self) -> None:
        from storycircle.screens.kiosk_circle import KioskCircleScreen

        def done(result: str | None) -> None:
            if result:
                self._say(result)

        self.app.push_screen(KioskCircleScreen(self.session), done)

    @on(Button.Pressed, "#admin-back")
    async def action_back(self) -> None:
        """Back to a fresh "Who's sharing?" that shows the changes made here."""
        await self.app.run_action("lock")

    # -- members ------------------------------------------------------------------

    @on(Button.Pressed, "#admin-remove")
    def _on_remove(self) -> None:
        value = self.query_one("#admin-member", Select).value
        record = next((m for m in self.session.members() if m.id == value), None)
        if record is None:
            self._say("Choose the member to remove first.", error=True)
            return
        name = record.pseudonym
        question = line(
            f"This deletes {name} and every story and draft they wrote on this machine, "
            "for good. Nobody can undo it, and nobody can read those stories afterwards. "
            "Copies already exported cannot be recalled."
        )

        async def answered(remove: bool | None) -> None:
            if not remove:
                return
            try:
                self.session.remove_member(record.id)
            except StorycircleError as error:
                self._say(str(error), error=True)
                return
            await self.recompose()
            self._say(f"{name} was removed.")

        self.app.push_screen(
            ConfirmScreen(f"Remove {name} for good?", question, yes="Remove for good", no="Keep"),
            answered,
        )

    @on(Input.Submitted, "#admin-pseudonym")
    @on(Input.Submitted, "#admin-passphrase")
    def _next_field(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#admin-add")
    @on(Input.Submitted, "#admin-repeat")
    def _on_add(self) -> None:
        name_field = self.query_one("#admin-pseudonym", Input)
        pseudonym = name_field.value
        first = self.query_one("#admin-passphrase", Input)
        second = self.query_one("#admin-repeat", Input)
        passphrase = take_new_member(self.session, name_field, first, second, self._say)
        if passphrase is None:
            return
        self.query_one("#admin-add", Button).disabled = True
        self._say("Making the new member's keys…")
        self._create(pseudonym, passphrase)

    @work(thread=True, exclusive=True, group="kdf", exit_on_error=False)
    def _create(self, pseudonym: str, passphrase: str) -> MemberRecord:
        return self.session.prepare_member(pseudonym, passphrase)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Store the new member once their keys are made."""
        worker = event.worker
        if worker.group != "kdf" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self.query_one("#admin-add", Button).disabled = False
        record = worker.result
        if event.state == WorkerState.ERROR or not isinstance(record, MemberRecord):
            error = worker.error
            self._say(
                str(error) if isinstance(error, StorycircleError) else "not added", error=True
            )
            return
        try:
            self.session.add_member(record)
        except StorycircleError as error:
            self._say(str(error), error=True)
            return
        await self.recompose()
        self._say(f"{record.pseudonym} can now unlock on the start screen.")

    # -- settings and quitting -----------------------------------------------------------

    @on(Button.Pressed, "#admin-save")
    def _on_save(self) -> None:
        try:
            seconds = parse_minutes(self.query_one("#admin-idle", Input).value)
        except StorycircleError as error:
            self._say(str(error).capitalize() + ".", error=True)
            return
        hide = self.query_one("#admin-hide", Checkbox).value
        config = replace(self.session.config, kiosk_idle_seconds=seconds, kiosk_hide_members=hide)
        try:
            self.session.update_config(config)
        except StorycircleError as error:
            self._say(str(error), error=True)
            return
        self.policy.idle.limit = seconds
        self.policy.hide_members = hide
        self._say("Kiosk settings saved.")

    @on(Button.Pressed, "#admin-settings")
    def _on_settings(self) -> None:
        from storycircle.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(self.session))

    @on(Button.Pressed, "#admin-quit")
    def _on_quit(self) -> None:
        def answered(quit_now: bool | None) -> None:
            leave = getattr(self.app, "leave", None)
            if quit_now and callable(leave):
                leave()

        self.app.push_screen(
            ConfirmScreen(
                "Quit storycircle?",
                "The kiosk closes and this machine shows whatever runs after it.",
                yes="Quit",
                no="Stay",
            ),
            answered,
        )


__all__ = ["KioskAdminScreen", "parse_minutes"]
