"""A circle round: a prompt, the people present, and a talking piece that passes.

Peer groups often go round the circle: each person in turn holds a talking
piece and speaks (or passes) while the others listen. This module keeps that
round in memory only, free of Textual, so its timing is tested with a clock the
test moves by hand. Nothing here is written anywhere: when the round ends or the
kiosk locks, the round is dropped and nothing of it remains.

The talking piece reads an injected monotonic clock. Time held is counted
only while the piece is running, so a pause stops the turn's clock, and when
a turn runs out the piece passes once, to the next person, whose turn starts
in full: a machine that slept through several turns does not skip people.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storycircle.clock import Monotonic
from storycircle.errors import StorycircleError
from storycircle.models import Circle
from storycircle.sanitize import sanitize_line

DEFAULT_MINUTES = 3
MIN_TURN_SECONDS = 30
MAX_TURN_SECONDS = 30 * 60
MAX_PROMPT_LENGTH = 400
ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn with the talking piece, once it has passed on.

    Attributes:
        participant: The circle pseudonym of who held the piece.
        seconds: How long they held it (paused time not counted).
        timed_out: True when the piece passed because the turn's time ran out.
    """

    participant: str
    seconds: float
    timed_out: bool


def clean_prompt(text: str) -> str:
    """A prompt typed or picked for a round, as one clean line.

    Raises:
        StorycircleError: empty, or longer than :data:`MAX_PROMPT_LENGTH`.
    """
    prompt = sanitize_line(text).strip()
    if not prompt:
        raise StorycircleError("choose a prompt or type one")
    if len(prompt) > MAX_PROMPT_LENGTH:
        raise StorycircleError(f"the prompt can have at most {MAX_PROMPT_LENGTH} characters")
    return prompt


def turn_seconds(minutes: str) -> int:
    """Minutes per turn as typed ("3", "1.5") in whole seconds.

    Raises:
        StorycircleError: not a number, or outside half a minute to half an hour.
    """
    try:
        value = float(minutes.strip().replace(",", "."))
    except ValueError:
        raise StorycircleError("minutes per turn must be a number, like 3") from None
    seconds = round(value * 60) if math.isfinite(value) else -1
    if not MIN_TURN_SECONDS <= seconds <= MAX_TURN_SECONDS:
        raise StorycircleError(
            f"a turn can last from {MIN_TURN_SECONDS} seconds to {MAX_TURN_SECONDS // 60} minutes"
        )
    return seconds


def round_circles(circles: Iterable[Circle]) -> list[Circle]:
    """The circles a member may start a round for: those they are active in."""
    return [circle for circle in circles if circle.my_status == ACTIVE]


def participants_of(circle: Circle) -> list[str]:
    """Circle pseudonyms of the members who joined (an invitation is not a seat)."""
    return [member.pseudonym for member in circle.members if member.status == ACTIVE]


class Round:
    """One round of a circle, held in memory while it is on screen.

    Attributes:
        prompt: The prompt shown to everyone.
        title: The title of a picked writing prompt, or "" for a typed one.
        participants: Circle pseudonyms in the order the piece passes.
        seconds_per_turn: How long each turn lasts.
        turns: The turns taken so far, oldest first.
        timed_out: True when the last pass happened because time ran out
            (the screen reads it to say why the piece moved).
    """

    def __init__(
        self,
        prompt: str,
        participants: Sequence[str],
        seconds_per_turn: int,
        *,
        title: str = "",
        clock: Monotonic = time.monotonic,
    ) -> None:
        """A round that starts paused, with the first participant holding the piece.

        Raises:
            StorycircleError: a bad prompt or turn length, or nobody present.
        """
        self.prompt = clean_prompt(prompt)
        self.title = sanitize_line(title).strip()
        names = [sanitize_line(name).strip() for name in participants]
        self.participants: tuple[str, ...] = tuple(name for name in names if name)
        if not self.participants:
            raise StorycircleError("tick at least one person who is here")
        if not MIN_TURN_SECONDS <= seconds_per_turn <= MAX_TURN_SECONDS:
            raise StorycircleError("that turn length is out of range")
        self.seconds_per_turn = seconds_per_turn
        self.turns: list[Turn] = []
        self.timed_out = False
        self._clock = clock
        self._index = 0
        self._held = 0.0  # seconds of this turn before the last resume
        self._since: float | None = None  # when the piece last started running
        self._ended = False

    # -- state -------------------------------------------------------------------

    @property
    def holder(self) -> str:
        """Who holds the talking piece now."""
        return self.participants[self._index]

    @property
    def holder_index(self) -> int:
        """The position of the holder in :attr:`participants`."""
        return self._index

    @property
    def next_holder(self) -> str:
        """Who gets the piece next (the first again after the last)."""
        return self.participants[(self._index + 1) % len(self.participants)]

    @property
    def running(self) -> bool:
        """True while the turn's clock is counting down."""
        return self._since is not None

    @property
    def ended(self) -> bool:
        """True once the round was ended."""
        return self._ended

    def held(self) -> float:
        """Seconds the holder has had the piece this turn (paused time not counted)."""
        if self._since is None:
            return self._held
        return self._held + max(0.0, self._clock() - self._since)

    def time_left(self) -> float:
        """Seconds left in this turn (never below zero)."""
        return max(0.0, self.seconds_per_turn - self.held())

    # -- the talking piece ---------------------------------------------------------

    def resume(self) -> None:
        """Start (or restart) the turn's clock."""
        if not self._ended and self._since is None:
            self._since = self._clock()

    def pause(self) -> None:
        """Stop the turn's clock, keeping the time already held."""
        if self._since is not None:
            self._held = self.held()
            self._since = None

    def toggle(self) -> None:
        """Pause when running, resume when paused."""
        if self.running:
            self.pause()
        else:
            self.resume()

    def pass_piece(self) -> Turn:
        """Give the piece to the next person (after the last, the first again).

        The new turn starts in full, running if the piece was running.

        Raises:
            StorycircleError: the round has ended.
        """
        return self._pass(timed_out=False)

    def tick(self) -> Turn | None:
        """Pass the piece if the turn's time ran out; return that turn, or None."""
        if self.running and self.time_left() <= 0:
            return self._pass(timed_out=True)
        return None

    def _pass(self, *, timed_out: bool) -> Turn:
        if self._ended:
            raise StorycircleError("the round has ended")
        turn = Turn(self.holder, min(self.held(), float(self.seconds_per_turn)), timed_out)
        self.turns.append(turn)
        self.timed_out = timed_out
        self._index = (self._index + 1) % len(self.participants)
        self._held = 0.0
        if self._since is not None:
            self._since = self._clock()
        return turn

    def end(self) -> None:
        """End the round: the clock stops and the piece passes no more."""
        self.pause()
        self._ended = True
