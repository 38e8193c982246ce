"""The circle round's talking piece, on a clock the test moves by hand."""

from __future__ import annotations

import builtins
import os
from pathlib import Path

import pytest

from storycircle.circles.round import (
    MAX_PROMPT_LENGTH,
    Round,
    Turn,
    clean_prompt,
    participants_of,
    round_circles,
    turn_seconds,
)
from storycircle.errors import StorycircleError
from storycircle.models import Circle, CircleMember

PEOPLE = ("Willow", "Ash", "Oak")


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


def _round(ticks: Ticks, seconds: int = 60) -> Round:
    return Round("What helped this week?", PEOPLE, seconds, clock=ticks)


def test_a_new_round_waits_with_the_first_person_holding_a_full_turn(ticks: Ticks) -> None:
    circle_round = _round(ticks)
    ticks.now += 500
    assert circle_round.holder == "Willow"
    assert circle_round.holder_index == 0
    assert not circle_round.running
    assert circle_round.time_left() == 60
    assert circle_round.tick() is None


def test_time_runs_only_while_the_piece_runs(ticks: Ticks) -> None:
    circle_round = _round(ticks)
    circle_round.resume()
    ticks.now += 20
    assert circle_round.time_left() == 40
    circle_round.pause()
    ticks.now += 300
    assert circle_round.time_left() == 40
    assert circle_round.tick() is None
    circle_round.toggle()
    assert circle_round.running
    ticks.now += 15
    assert circle_round.time_left() == 25
    circle_round.toggle()
    assert not circle_round.running


def test_passing_moves_to_the_next_and_wraps_around(ticks: Ticks) -> None:
    circle_round = _round(ticks)
    circle_round.resume()
    ticks.now += 10
    first = circle_round.pass_piece()
    assert first == Turn("Willow", 10.0, timed_out=False)
    assert circle_round.holder == "Ash"
    assert circle_round.time_left() == 60  # a fresh, full turn
    assert circle_round.running
    circle_round.pass_piece()
    assert circle_round.holder == "Oak"
    assert circle_round.next_holder == "Willow"
    circle_round.pass_piece()
    assert circle_round.holder == "Willow"
    assert [turn.participant for turn in circle_round.turns] == ["Willow", "Ash", "Oak"]


def test_a_paused_pass_leaves_the_next_turn_paused(ticks: Ticks) -> None:
    circle_round = _round(ticks)
    circle_round.pass_piece()
    ticks.now += 100
    assert circle_round.holder == "Ash"
    assert not circle_round.running
    assert circle_round.time_left() == 60


def test_the_piece_passes_by_itself_when_the_time_runs_out(ticks: Ticks) -> None:
    circle_round = _round(ticks)
    circle_round.resume()
    ticks.now += 59
    assert circle_round.tick() is None
    assert circle_round.holder == "Willow"
    ticks.now += 1
    turn = circle_round.tick()
    assert turn == Turn("Willow", 60.0, timed_out=True)
    assert circle_round.timed_out
    assert circle_round.holder == "Ash"
    assert circle_round.time_left() == 60
    ticks.now += 5
    circle_round.pass_piece()
    assert not circle_round.timed_out  # the screen tells a pass by hand apart


def test_a_long_sleep_passes_once_and_skips_nobody(ticks: Ticks) -> None:
    circle_round = _round(ticks)
    circle_round.resume()
    ticks.now += 60 * 10
    assert circle_round.tick() is not None
    assert circle_round.holder == "Ash"
    assert circle_round.tick() is None
    assert circle_round.time_left() == 60


def test_an_ended_round_stops_and_refuses_to_pass(ticks: Ticks) -> None:
    circle_round = _round(ticks)
    circle_round.resume()
    ticks.now += 30
    circle_round.end()
    assert circle_round.ended
    assert not circle_round.running
    circle_round.resume()
    assert not circle_round.running
    ticks.now += 100
    assert circle_round.tick() is None
    with pytest.raises(StorycircleError):
        circle_round.pass_piece()


def test_prompt_and_names_are_cleaned_and_checked(ticks: Ticks) -> None:
    hostile = "[@click=app.quit]Go\x1b]0;pwned\x07 \u202eon"
    circle_round = Round(hostile, ["\x1b[31mRed", "", "  "], 60, clock=ticks)
    assert "\x1b" not in circle_round.prompt
    assert "\u202e" not in circle_round.prompt
    assert circle_round.participants == ("Red",)
    with pytest.raises(StorycircleError, match="at least one"):
        Round("A prompt", ["", " "], 60, clock=ticks)
    with pytest.raises(StorycircleError, match="prompt"):
        clean_prompt("  \n ")
    with pytest.raises(StorycircleError, match="at most"):
        clean_prompt("x" * (MAX_PROMPT_LENGTH + 1))
    with pytest.raises(StorycircleError):
        Round("A prompt", PEOPLE, 5, clock=ticks)


@pytest.mark.parametrize(("typed", "seconds"), [("3", 180), (" 1.5 ", 90), ("0,5", 30)])
def test_minutes_per_turn(typed: str, seconds: int) -> None:
    assert turn_seconds(typed) == seconds


@pytest.mark.parametrize("typed", ["", "three", "0", "0.1", "31", "nan", "inf", "-2"])
def test_minutes_per_turn_out_of_range(typed: str) -> None:
    with pytest.raises(StorycircleError):
        turn_seconds(typed)


def test_only_active_circles_and_joined_members_take_part() -> None:
    members = (
        CircleMember("a", "Willow", "active", is_host=True),
        CircleMember("b", "Ash", "invited"),
        CircleMember("c", "Oak", "active"),
        CircleMember("d", "Elm", "left"),
    )
    active = Circle("1", "Tuesdays", 1, "a", "", members, "active")
    invited = Circle("2", "Fridays", 1, "x", "", members, "invited")
    assert round_circles([active, invited]) == [active]
    assert participants_of(active) == ["Willow", "Oak"]


def test_a_whole_round_writes_nothing(
    ticks: Ticks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a round tried to open a file: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.chdir(tmp_path)
    circle_round = _round(ticks)
    circle_round.resume()
    for _ in range(7):
        ticks.now += 61
        circle_round.tick()
    circle_round.pass_piece()
    circle_round.end()
    assert len(circle_round.turns) == 8
    assert list(tmp_path.iterdir()) == []
