"""The circles screen: the member's circles and invitations, and every change to them.

Creating, inviting, accepting and choosing a folder are quick and happen on
the spot. Leaving and removing re-key every story of the circle, and reading
circle folders may apply many files, so those run in a worker thread on
their own database connection, with a progress bar; the screen stays usable.
The forms of the quick changes are built in :mod:`~storycircle.screens.circle_forms`;
the slow work runs and reports in :mod:`~storycircle.screens.circle_work`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from storycircle.errors import StorycircleError
from storycircle.models import Circle
from storycircle.screens.circle_dialogs import CardDialog, PickDialog
from storycircle.screens.circle_forms import (
    accept_form,
    folder_form,
    invite_form,
    new_circle_form,
    open_folder_form,
)
from storycircle.screens.circle_text import NO_CIRCLES, circle_details, circle_row, needs_print
from storycircle.screens.circle_work import CircleWork, Outcome, opened, refreshed
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.library import LibraryScreen
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import block, line


class CirclesScreen(Screen[None]):
    """List the member's circles and invitations; create, invite, accept, leave, remove."""

    CSS_PATH = "circles.tcss"
    AUTO_FOCUS = "#circle-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("n", "new_circle", "New"),
        Binding("i", "invite", "Invite"),
        Binding("a", "accept", "Accept"),
        Binding("d", "decline", "Decline"),
        Binding("l", "leave", "Leave"),
        Binding("x", "remove_member", "Remove"),
        Binding("f", "set_folder", "Folder"),
        Binding("r", "refresh_folders", "Refresh"),
        # Kept out of the footer so the frequent keys fit; the side panel names them.
        Binding("o", "open_folder", "Open a folder", show=False),
        Binding("c", "card", "Your member card", show=False),
    ]

    def __init__(self, session: Session) -> None:
        """Show the circles of ``session``'s unlocked member."""
        super().__init__()
        self.session = session
        self._circles: list[Circle] = []
        self._work = CircleWork(session, self._work_done)

    @property
    def _me(self) -> str:
        return self.session.require_sharing().circles.member.id

    def compose(self) -> ComposeResult:
        """The list beside the chosen circle, then the strip of slow work (progress, status)."""
        yield Header()
        with Horizontal(id="circles-body"):
            with Vertical(id="circles-side"):
                yield Static("Your circles", id="circles-title")
                yield OptionList(id="circle-list")
                yield Static(
                    "o  find invitations in a folder\nc  your member card", id="circles-keys"
                )
            with VerticalScroll(id="circle-detail"):
                yield Static(id="circle-info")
        yield self._work
        yield StoryFooter()

    def on_mount(self) -> None:
        """Fill the list."""
        self.reload()

    # -- showing ----------------------------------------------------------------------

    def reload(self, select: str = "") -> None:
        """Read the circles again and show ``select`` (default: the one shown before)."""
        chosen = select or (self.selected.id if self.selected else "")
        try:
            self._circles = self.session.circles()
        except StorycircleError as error:
            self._say(str(error))
            self._circles = []
        listing = self.query_one("#circle-list", OptionList)
        listing.clear_options()
        listing.add_options(
            Option(circle_row(c, self._me, needs_print(c, self._circles)), id=c.id)
            for c in self._circles
        )
        ids = [c.id for c in self._circles]
        if ids:
            listing.highlighted = ids.index(chosen) if chosen in ids else 0
        self._show_selected()

    @property
    def selected(self) -> Circle | None:
        """The circle highlighted in the list, if any."""
        found = self.query("#circle-list").results(OptionList)
        listing = next(found, None)  # None while the screen is built or torn down
        index = listing.highlighted if listing is not None else None
        if index is None or not 0 <= index < len(self._circles):
            return None
        return self._circles[index]

    def _show_selected(self) -> None:
        circle = self.selected
        info = self.query_one("#circle-info", Static)
        if circle is None:
            info.update(Content(NO_CIRCLES))
        else:
            note = self.session.circle_key_note(circle.id)
            shown = needs_print(circle, self._circles)
            info.update(circle_details(circle, self._me, shown, note))
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#circle-list")
    def _on_highlight(self) -> None:
        self._show_selected()

    @on(OptionList.OptionSelected, "#circle-list")
    def _on_chosen(self) -> None:
        circle = self.selected
        if circle is None:
            return
        if circle.my_status == "invited":
            self.action_accept()
        else:
            self.open_stories(circle)

    def open_stories(self, circle: Circle) -> None:
        """Show the circle's stories in the library."""
        app = self.app
        library = next(
            (s for s in reversed(app.screen_stack) if isinstance(s, LibraryScreen)), None
        )
        if library is None:
            app.switch_screen(LibraryScreen(self.session, circle.scope))
            return
        while app.screen is not library:
            app.pop_screen()
        library.show_section(circle.scope)

    def _say(self, message: str) -> None:
        self._work.say(message)

    # -- which keys apply -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what applies to the circle shown (hidden otherwise)."""
        circle = self.selected
        invited = circle is not None and circle.my_status == "invited"
        active = circle is not None and circle.my_status == "active"
        if action in ("invite", "set_folder"):
            return active
        if action == "accept":
            return invited
        if action == "decline":
            return invited
        if action == "leave":
            return active
        if action == "remove_member":
            return (
                active
                and circle is not None
                and circle.host_id == self._me
                and any(
                    m.id != self._me and m.status in ("active", "invited") for m in circle.members
                )
            )
        return True

    # -- quick changes ----------------------------------------------------------------

    def action_new_circle(self) -> None:
        """Start a circle: its name, your pseudonym in it, and an optional folder."""
        self.app.push_screen(new_circle_form(self.session), self._created)

    def _created(self, circle: Circle | None) -> None:
        if circle is not None:
            self.reload(circle.id)
            self._say(f"Circle {circle.name} started. Press i to invite someone.")

    def action_invite(self) -> None:
        """Invite a member of this installation, or someone by their pasted card."""
        circle = self.selected
        if circle is None or circle.my_status != "active":
            return
        self.app.push_screen(invite_form(self.session, circle), self._changed("Invited."))

    def _changed(self, message: str) -> Callable[[Circle | None], None]:
        def done(circle: Circle | None) -> None:
            if circle is not None:
                self.session.circles_changed()
                self.reload(circle.id)
                self._say(message)

        return done

    def action_accept(self) -> None:
        """Accept the invitation shown, choosing the pseudonym for this circle."""
        circle = self.selected
        if circle is None or circle.my_status != "invited":
            return
        dialog = accept_form(self.session, circle, circle.pseudonym_of(self._me))
        self.app.push_screen(dialog, self._changed("You joined. Enter opens the circle's stories."))

    def action_set_folder(self) -> None:
        """Choose (or clear) the folder the circle travels through on this machine."""
        circle = self.selected
        if circle is None:
            return
        self.app.push_screen(folder_form(self.session, circle), self._changed("Folder saved."))

    def action_card(self) -> None:
        """Show the member's card to copy by hand."""
        self.app.push_screen(CardDialog(self.session.my_card()))

    def action_back(self) -> None:
        """Go back."""
        self.dismiss()

    # -- slow changes, in a worker (CircleWork) ------------------------------------------

    def action_decline(self) -> None:
        """Decline the invitation shown (after a confirmation)."""
        self.action_leave()

    def action_leave(self) -> None:
        """Leave the circle shown, or decline its invitation (after a confirmation)."""
        circle = self.selected
        if circle is None or self._work.refuse_while_working():
            return
        if circle.my_status == "invited":
            title, yes = "Decline the invitation to " + circle.name + "?", "Decline"
            message = "Nothing of this circle stays on this machine for you."
            done = f"You declined the invitation to {circle.name}."
        elif circle.host_id == self._me and any(
            m.id != self._me and m.status in ("active", "invited") for m in circle.members
        ):
            self._say("You host this circle: remove the others first (x), then leave.")
            return
        else:
            title, yes = "Leave " + circle.name + "?", "Leave"
            message = (
                "You will not be able to read its stories any more: the host gives those "
                "who remain a new key. Stories you shared there leave with you (copies "
                "others already read cannot be recalled)."
            )
            done = f"You left {circle.name}."

        def answered(yes_: bool | None) -> None:
            if yes_:
                self._work.start(
                    "Leaving…",
                    lambda progress: self.session.leave_circle(circle.id, progress),
                    lambda _: Outcome(done),
                )

        self.app.push_screen(ConfirmScreen(title, block(message), yes=yes), answered)

    def action_remove_member(self) -> None:
        """Remove a member (host only): pick who, confirm naming them, re-key."""
        circle = self.selected
        if circle is None or self._work.refuse_while_working():
            return
        others = [
            m for m in circle.members if m.id != self._me and m.status in ("active", "invited")
        ]

        def confirm(member_id: str) -> str:
            return member_id

        dialog: PickDialog[str] = PickDialog(
            "Remove from " + circle.name,
            "Choose who to remove.",
            [(m.id, line(f"{m.pseudonym} ({m.status})")) for m in others],
            confirm,
        )

        def picked(member_id: str | None) -> None:
            who = next((m for m in others if m.id == member_id), None)
            if who is None:
                return
            if who.status == "invited":
                message = (
                    f"The invitation of {who.pseudonym} is taken back: the circle gets a "
                    "new key and every story is re-encrypted to it."
                )
            else:
                message = (
                    f"{who.pseudonym} will no longer be able to read {circle.name}: the "
                    "circle gets a new key and every story is re-encrypted to it. What "
                    "they have already read cannot be recalled."
                )

            def answered(yes: bool | None) -> None:
                if yes:
                    self._work.start(
                        f"Removing {who.pseudonym} and re-keying…",
                        lambda progress: self.session.remove_from_circle(
                            circle.id, who.id, progress
                        ),
                        lambda _: Outcome(
                            f"{who.pseudonym} was removed from {circle.name}. The circle has "
                            "a new key: theirs opens nothing of it any more."
                        ),
                    )

            self.app.push_screen(
                ConfirmScreen(f"Remove {who.pseudonym}?", block(message), yes="Remove"),
                answered,
            )

        self.app.push_screen(dialog, picked)

    def action_refresh_folders(self) -> None:
        """Apply what arrived in the circles' folders."""
        if self._work.refuse_while_working():
            return
        if not any(c.folder for c in self._circles):
            self._say("None of your circles has a folder. Press f to choose one.")
            return
        self._work.start(
            "Reading circle folders…",
            lambda _progress: self.session.refresh_circles(),
            refreshed,
        )

    def action_open_folder(self) -> None:
        """Look in a folder for invitations and circle files."""
        if self._work.refuse_while_working():
            return

        def chosen(folder: str | None) -> None:
            if folder:
                self._work.start(
                    "Reading the folder…",
                    lambda _progress: self.session.open_circle_folder(folder),
                    opened,
                )

        self.app.push_screen(open_folder_form(self.session), chosen)

    def _work_done(self) -> None:
        # Slow work ended (done or not): show the circles as they are now.
        self.session.circles_changed()
        self.reload()
