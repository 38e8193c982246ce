"""Sharing one of the member's stories with a circle, and taking it back.

The dialog says plainly who will be able to read the story before it is
shared, and that what they have read cannot be recalled; withdrawing deletes
the circle's copy, and says the same.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from storycircle.errors import StorycircleError
from storycircle.models import Circle
from storycircle.screens.circle_dialogs import DIALOG_CSS
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.session.session import Session
from storycircle.widgets.safe import block, line

NO_RECALL = (
    "Once they have read it, it cannot be recalled: withdrawing later deletes the "
    "circle's copy, not what they read."
)
NO_CIRCLE = (
    "You are in no circle yet. In the library, press g to start one or accept an invitation."
)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def audience_text(active: list[str], invited: list[str]) -> str:
    """Who will be able to read a story shared now, in plain sentences.

    Args:
        active: Pseudonyms of the members besides the author who have joined.
        invited: Pseudonyms of those invited who have not accepted yet.
    """
    if not active and not invited:
        return "Nobody else is in this circle yet; whoever joins it later will be able to read it."
    later = "anyone who joins the circle later"
    waiting = f"{_listed(invited)} once they accept the invitation" if invited else ""
    if active and invited:
        who = f"{_listed(active)}; {waiting}; and {later}"
    else:
        who = f"{_listed(active) if active else waiting}, and {later}"
    return f"Who will be able to read it: {who}."


class ShareDialog(ModalScreen[None]):
    """Share a story to one of the member's active circles, or withdraw it from one."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ShareDialog") + (
        "ShareDialog .shared-row { height: auto; margin-top: 1; }"
        "ShareDialog .shared-row Static { width: 1fr; padding-top: 1; }"
        "ShareDialog #share-audience { margin-top: 1; }"
        "ShareDialog #share-recall { margin-top: 1; color: $warning; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, session: Session, story_id: str, title: str) -> None:
        """Share ``story_id`` (titled ``title``) of ``session``'s unlocked member."""
        super().__init__()
        self.session = session
        self._story_id = story_id
        self._title = title
        self._shared: list[Circle] = []
        self._open: list[Circle] = []

    def _read(self) -> None:
        self._shared = self.session.shared_to(self._story_id)
        self._open = [c for c in self.session.circles() if c.my_status == "active"]

    def compose(self) -> ComposeResult:
        """Where the story is shared, then a circle to share it to and who will read it."""
        self._read()
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble("Share ", line(self._title).stylize("italic")), id="dialog-title"
            )
            if self._shared:
                yield Label("Shared to")
                for n, circle in enumerate(self._shared):
                    with Horizontal(classes="shared-row"):
                        yield Static(line(circle.name))
                        yield Button("Withdraw", id=f"withdraw-{n}", variant="warning")
            if self._open:
                yield Label("Share to a circle")
                yield Select[str](
                    [(line(c.name), c.id) for c in self._open],
                    value=self._open[0].id,
                    allow_blank=False,
                    id="share-circle",
                )
                yield Static(id="share-audience")
                yield Static(Content(NO_RECALL), id="share-recall")
            else:
                yield Static(Content(NO_CIRCLE), classes="hint")
            yield Static(id="share-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                if self._open:
                    yield Button("Share", id="share", variant="primary")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        """Say who would read it in the circle chosen first."""
        self._show_audience()
        self.query("#share-circle, #close").first().focus()

    def _chosen(self) -> Circle | None:
        for select in self.query("#share-circle").results(Select):
            value = select.value
            return next((c for c in self._open if c.id == value), None)
        return None

    @on(Select.Changed, "#share-circle")
    def _show_audience(self) -> None:
        circle = self._chosen()
        if circle is None:
            return
        try:
            names = self.session.audience(circle.id)
        except StorycircleError as error:
            self._error(str(error))
            return
        waiting = {m.pseudonym for m in circle.members if m.status == "invited"}
        active = [n for n in names if n not in waiting]
        invited = [n for n in names if n in waiting]
        again = (
            " It is already shared there; sharing again updates the copy."
            if any(c.id == circle.id for c in self._shared)
            else ""
        )
        self.query_one("#share-audience", Static).update(
            block(audience_text(active, invited) + again)
        )

    @on(Button.Pressed, "#share")
    def _on_share(self) -> None:
        circle = self._chosen()
        if circle is None:
            return
        try:
            self.session.share_story(self._story_id, circle.id)
        except StorycircleError as error:
            self._error(f"Not shared: {error}")
            return
        self.notify(f"Shared to {circle.name}.", markup=False)
        self.dismiss(None)

    @on(Button.Pressed, ".shared-row Button")
    def _on_withdraw(self, event: Button.Pressed) -> None:
        index = int((event.button.id or "withdraw-0").removeprefix("withdraw-"))
        circle = self._shared[index]
        message = (
            f"The copy shared to {circle.name} is deleted, for everyone in it and on the "
            "machines its folder reaches. What members have already read cannot be "
            "recalled. Your own copy stays in your journal."
        )

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.session.withdraw_story(self._story_id, circle.id)
            except StorycircleError as error:
                self._error(f"Not withdrawn: {error}")
                return
            self.notify(f"Withdrawn from {circle.name}.", markup=False)
            await self.recompose()
            self.on_mount()

        self.app.push_screen(
            ConfirmScreen("Withdraw from " + circle.name + "?", block(message), yes="Withdraw"),
            answered,
        )

    def _error(self, message: str) -> None:
        self.query_one("#share-error", Static).update(line(message))

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Close without sharing."""
        self.dismiss(None)
