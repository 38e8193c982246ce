"""Setting up a circle round: which circle, what prompt, who is here, how long a turn.

Only circles the unlocked member is active in are offered, and only members
who joined them (an invitation is not a seat). The set-up keeps nothing: the
round it makes lives on the round screen and goes when that screen goes.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from storycircle.circles.round import (
    DEFAULT_MINUTES,
    Round,
    participants_of,
    round_circles,
    turn_seconds,
)
from storycircle.clock import Monotonic
from storycircle.errors import StorycircleError
from storycircle.journal.prompts import Prompt
from storycircle.models import Circle
from storycircle.sanitize import sanitize_line
from storycircle.screens.prompt_picker import PromptPicker
from storycircle.screens.round_view import RoundScreen
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import SafeInput, line


class RoundSetupScreen(Screen[None]):
    """Choose the circle, the prompt, who is present and the length of a turn."""

    CSS_PATH = "round.tcss"
    AUTO_FOCUS = "#round-prompt"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self, session: Session, circles: list[Circle], clock: Monotonic = time.monotonic
    ) -> None:
        """Offer ``circles`` (at least one, each with the member active in it);
        the round's talking piece reads ``clock``."""
        super().__init__()
        self.session = session
        self._clock = clock
        self._circles = {circle.id: circle for circle in circles}
        self._circle = circles[0]
        self._picked: Prompt | None = None

    def compose(self) -> ComposeResult:
        """The four choices and the buttons."""
        yield Header()
        with VerticalScroll(id="round-setup"):
            yield Static("Start a circle round", id="setup-title")
            yield Label("Circle")
            yield Select[str](
                [(line(circle.name), circle.id) for circle in self._circles.values()],
                value=self._circle.id,
                allow_blank=False,
                id="round-circle",
                compact=True,
            )
            yield Label("Prompt")
            with Horizontal(classes="setup-row"):
                yield SafeInput(placeholder="type a prompt, or choose one", id="round-prompt")
                yield Button("Writing prompts…", id="round-pick")
            yield Static("", id="round-picked")
            yield Label("Who is here (space ticks or unticks)")
            yield SelectionList[int](id="round-present")
            yield Label("Minutes per turn")
            yield SafeInput(
                str(DEFAULT_MINUTES), id="round-minutes", restrict=r"[0-9.,]*", max_length=5
            )
            yield Static("", id="round-status")
            with Horizontal(classes="buttons"):
                yield Button("Start round", id="round-start", variant="primary")
                yield Button("Cancel", id="round-cancel")
        yield StoryFooter()

    def on_mount(self) -> None:
        """List the first circle's members."""
        self._fill_present()

    def _fill_present(self) -> None:
        present = self.query_one("#round-present", SelectionList)
        present.clear_options()
        names = participants_of(self._circle)
        # Everyone starts ticked: the facilitator unticks who is missing.
        present.add_options(
            [Selection(line(name), index, True) for index, name in enumerate(names)]
        )

    def _say(self, message: str) -> None:
        self.query_one("#round-status", Static).update(line(message))

    @on(Select.Changed, "#round-circle")
    def _on_circle(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self._circles:
            self._circle = self._circles[event.value]
            self._fill_present()

    @on(Button.Pressed, "#round-pick")
    def action_pick_prompt(self) -> None:
        """Choose one of the writing prompts."""

        def picked(prompt: Prompt | None) -> None:
            if prompt is not None:
                self._picked = prompt
                field = self.query_one("#round-prompt", Input)
                field.value = prompt.guidance
                field.cursor_position = 0
                self.query_one("#round-picked", Static).update(
                    line(f"Writing prompt: {prompt.title}")
                )
                self.query_one("#round-present").focus()

        self.app.push_screen(PromptPicker(), picked)

    @on(Input.Changed, "#round-prompt")
    def _on_prompt_typed(self, event: Input.Changed) -> None:
        # Words typed over a picked prompt make it the facilitator's own.
        if self._picked is not None and event.value != self._picked.guidance:
            self._picked = None
            self.query_one("#round-picked", Static).update("")

    @on(Input.Submitted, "#round-prompt")
    def _on_prompt_submitted(self) -> None:
        self.query_one("#round-present").focus()

    @on(Button.Pressed, "#round-cancel")
    def action_cancel(self) -> None:
        """Back to where the round was started from."""
        self.dismiss(None)

    @on(Button.Pressed, "#round-start")
    def _on_start(self) -> None:
        self.start()

    @on(Input.Submitted, "#round-minutes")
    def _on_minutes_submitted(self) -> None:
        self.start()

    def start(self) -> None:
        """Check the choices and open the round, or say what is missing."""
        text = self.query_one("#round-prompt", Input).value
        picked = self._picked
        names = participants_of(self._circle)
        chosen = sorted(self.query_one("#round-present", SelectionList).selected)
        try:
            seconds = turn_seconds(self.query_one("#round-minutes", Input).value)
            circle_round = Round(
                text,
                [names[index] for index in chosen],
                seconds,
                title=picked.title if picked else "",
                clock=self._clock,
            )
        except StorycircleError as error:
            self._say(str(error).capitalize() + ".")
            return

        self.app.switch_screen(RoundScreen(self.session, self._circle, circle_round))


def startable_circles(app: App[None], session: Session) -> list[Circle]:
    """The circles the unlocked member may start a round for; when there are
    none, say why on screen and return an empty list."""
    if not session.unlocked:
        app.notify("Unlock first to start a circle round.", markup=False)
        return []
    try:
        circles = round_circles(session.circles())
    except StorycircleError as error:
        app.notify(sanitize_line(str(error)), severity="error", markup=False)
        return []
    if not circles:
        app.notify("A round needs a circle you have joined.", markup=False)
    return circles
