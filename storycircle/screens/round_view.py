"""The round on screen: the prompt, the circle, who holds the piece, and their time.

The view is read across a room, so the prompt is centred and the turn's
countdown is drawn in large digits. The round lives only in this screen: when
it ends, or the kiosk locks and drops every screen, nothing of it is left.

Anything that covers the round (a shared story, help now, the end-round
question) pauses the talking piece, and going back starts it again if it was
running: nobody's turn runs out while the group looks at something else.
"""

from __future__ import annotations

import math
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Digits, Header, Static

from storycircle.circles.round import Round, Turn
from storycircle.models import Circle
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.round_reading import RoundReadingScreen, RoundStoryPicker
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import line

TICK_SECONDS = 0.25


def clock_text(seconds: float) -> str:
    """``m:ss`` for a countdown, rounded up so 0:00 shows only at the end."""
    whole = math.ceil(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def people_content(circle_round: Round) -> Content:
    """The participants in order, the holder of the piece marked and highlighted."""
    parts: list[Content | str] = []
    for index, name in enumerate(circle_round.participants):
        if parts:
            parts.append("   ")
        if index == circle_round.holder_index:
            parts.append(line(f" ◆ {name} ").stylize("bold reverse"))
        else:
            parts.append(line(name))
    return Content.assemble(*parts)


class RoundScreen(Screen[None]):
    """One round of a circle, with its talking-piece timer."""

    CSS_PATH = "round.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "pass_piece", "Pass"),
        Binding("space", "pause_resume", "Pause"),
        Binding("s", "read_story", "Story"),
        Binding("escape", "end_round", "End round"),
    ]

    def __init__(self, session: Session, circle: Circle, circle_round: Round) -> None:
        """Show ``circle_round`` of ``circle``; stories to read come from ``session``."""
        super().__init__()
        self.session = session
        self.circle = circle
        self.round = circle_round
        self._resume_on_return = False
        self._passed = ""

    def compose(self) -> ComposeResult:
        """Prompt, people, holder, countdown, state."""
        yield Header()
        with Vertical(id="round-view"):
            yield Static(line(f"{self.circle.name} · circle round"), id="round-circle-name")
            if self.round.title:
                yield Static(line(self.round.title), id="round-title")
            yield Static(line(self.round.prompt), id="round-prompt-text")
            yield Static(id="round-people")
            yield Static(id="round-holder")
            yield Digits(id="round-clock")
            yield Static(id="round-state")
        yield StoryFooter()

    def on_mount(self) -> None:
        """Draw the round and watch the talking piece's clock."""
        self.set_interval(TICK_SECONDS, self.tick)
        self.show()

    # -- what the kiosk needs to know -------------------------------------------------

    def keeps_kiosk_awake(self) -> bool:
        """True while the piece runs: people are talking, not typing, so a kiosk
        must not lock for want of key presses."""
        return self.round.running

    # -- drawing ------------------------------------------------------------------------

    def tick(self) -> None:
        """Pass the piece when the turn's time ran out; redraw."""
        turn = self.round.tick()
        if turn is not None:
            self._said(turn)
        self.show()

    def _said(self, turn: Turn) -> None:
        self._passed = (
            f"{turn.participant}'s time is up."
            if turn.timed_out
            else f"{turn.participant} passed the piece."
        )

    def show(self) -> None:
        """Redraw the people, the holder, the countdown and the state line."""
        circle_round = self.round
        self.query_one("#round-people", Static).update(people_content(circle_round))
        self.query_one("#round-holder", Static).update(
            line(f"{circle_round.holder} holds the talking piece")
        )
        self.query_one("#round-clock", Digits).update(clock_text(circle_round.time_left()))
        if circle_round.running:
            state = f"Next: {circle_round.next_holder}. n passes the piece, space pauses."
        else:
            state = "Paused. Space starts the piece."
        if self._passed:
            state = f"{self._passed} {state}"
        self.query_one("#round-state", Static).update(line(state))
        self.set_class(not circle_round.running, "paused")

    # -- covering the round pauses it ---------------------------------------------------

    def on_screen_suspend(self) -> None:
        """Something covers the round: hold the piece where it is."""
        self._resume_on_return = self.round.running
        self.round.pause()

    def on_screen_resume(self) -> None:
        """Back to the round: let the piece run again if it was running."""
        if self._resume_on_return:
            self._resume_on_return = False
            self.round.resume()
        if self.is_mounted:
            self.show()

    # -- keys -------------------------------------------------------------------------

    def action_pass_piece(self) -> None:
        """Give the piece to the next person."""
        if not self.round.ended:
            self._said(self.round.pass_piece())
            self.show()

    def action_pause_resume(self) -> None:
        """Start or pause the piece."""
        self.round.toggle()
        self.show()

    def action_read_story(self) -> None:
        """Choose one of the circle's stories to read together, large."""

        def chosen(story_id: str | None) -> None:
            if story_id:
                self.app.push_screen(RoundReadingScreen(self.session, story_id))

        self.app.push_screen(RoundStoryPicker(self.session, self.circle), chosen)

    def action_end_round(self) -> None:
        """Ask, then end the round; nothing of it is kept."""

        def answered(end: bool | None) -> None:
            if end:
                self.round.end()
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "End the round?",
                "The round is not saved: the prompt, who was here and the turns are forgotten.",
                yes="End round",
                no="Keep going",
            ),
            answered,
        )
