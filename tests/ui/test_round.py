"""A circle round under Pilot, in the kiosk with a hand-moved clock and in the plain app."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, SelectionList, Static

from storycircle.circles import Circles, MemberCard, Sharing
from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.kiosk.policy import KioskPolicy, save_pin
from storycircle.models import Circle
from storycircle.screens.kiosk_pin import KioskPinScreen
from storycircle.screens.kiosk_start import KioskStartScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.prompt_picker import PromptPicker
from storycircle.screens.round_reading import RoundReadingScreen, RoundStoryPicker
from storycircle.screens.round_setup import RoundSetupScreen
from storycircle.screens.round_view import RoundScreen
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from storycircle.tui.kiosk_app import KioskApp
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR, make_member
from tests.ui.helpers import SIZE, current_screen, screen_text, static_text

PIN = "circle-2468"
IDLE = 180
CANARY = "CANARY-round-51c2"
HOSTILE_NAME = "[b]Elm[/b][@click=app.quit]x[/]"
HOSTILE_PROMPT = "[@click=app.quit]Quit now[/] [reverse]loud[/reverse]"


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Group:
    """The circle a round is held in, as the host sees it."""

    circle: Circle
    host: UnlockedMember


def _circles(session: Session, member: UnlockedMember) -> Circles:
    return Circles(session.installation.store, member)


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def group(session: Session) -> Group:
    """river hosts "Tuesdays" as Ash; Willow and a hostile name joined; oak is only invited."""
    store = session.installation.store
    river = make_member(store, "river")
    birch = make_member(store, "birch")
    elm = make_member(store, "elm")
    oak = make_member(store, "oak")
    host = _circles(session, river)
    circle = host.create("Tuesdays", "Ash")
    for someone in (birch, elm, oak):
        host.invite(circle.id, MemberCard.of(someone.record))
    _circles(session, birch).accept(circle.id, "Willow")
    _circles(session, elm).accept(circle.id, HOSTILE_NAME)
    # Willow shares a story carrying a content note, with a canary in its body.
    story = (
        Journal(store, birch)
        .save(
            title="The long walk",
            body=f"First paragraph of the walk.\n\nSecond paragraph: {CANARY}.",
            content_notes=("grief",),
        )
        .story
    )
    Sharing(_circles(session, birch)).share(story, circle.id)
    return Group(host.circle(circle.id), river)


@pytest.fixture
def kiosk(session: Session, group: Group, tmp_path: Path, ticks: Ticks) -> KioskApp:
    save_pin(tmp_path, PIN, work_factor=TEST_WORK_FACTOR)
    policy = KioskPolicy.create(tmp_path, idle_seconds=IDLE, hide_members=False, clock=ticks)
    return KioskApp(session, policy)


async def _unlock(app: KioskApp, pilot: object, name: str = "river") -> None:
    screen = app.screen
    assert isinstance(screen, KioskStartScreen)
    record = next(m for m in app.session.members() if m.pseudonym == name)
    screen.query_one("#start-member").value = record.id  # type: ignore[attr-defined]
    field = screen.query_one("#start-passphrase", Input)
    field.value = PASSPHRASE
    await field.action_submit()
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, LibraryScreen)


async def _give_pin(app: KioskApp, pilot: object, pin: str) -> None:
    field = app.screen.query_one("#pin", Input)
    field.value = pin
    await field.action_submit()
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def _setup(app: KioskApp, pilot: object) -> RoundSetupScreen:
    await _unlock(app, pilot)
    await pilot.press("r")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, KioskPinScreen)
    await _give_pin(app, pilot, PIN)
    setup = app.screen
    assert isinstance(setup, RoundSetupScreen)
    return setup


async def _start(
    app: StorycircleApp, pilot: object, prompt: str = "What helped this week?", minutes: str = "3"
) -> RoundScreen:
    setup = app.screen
    assert isinstance(setup, RoundSetupScreen)
    setup.query_one("#round-prompt", Input).value = prompt
    setup.query_one("#round-minutes", Input).value = minutes
    await pilot.pause()  # type: ignore[attr-defined]
    setup.start()
    await pilot.pause()  # type: ignore[attr-defined]
    view = app.screen
    assert isinstance(view, RoundScreen), static_text(app, "#round-status")
    return view


def _attached(kind: type) -> list[object]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, kind) and o.is_attached]  # type: ignore[attr-defined]


async def test_the_facilitator_pin_comes_before_the_set_up(kiosk: KioskApp, ticks: Ticks) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _unlock(kiosk, pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskPinScreen)
        await _give_pin(kiosk, pilot, "000000")
        assert isinstance(kiosk.screen, KioskPinScreen)
        assert "not the PIN" in static_text(kiosk, "#pin-status")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(kiosk.screen, LibraryScreen)
        assert not _attached(RoundSetupScreen)
        ticks.now += 1  # the wait after a wrong PIN
        await pilot.press("r")
        await pilot.pause()
        await _give_pin(kiosk, pilot, PIN)
        assert isinstance(kiosk.screen, RoundSetupScreen)


async def test_set_up_lists_joined_members_and_picks_a_prompt(kiosk: KioskApp) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        setup = await _setup(kiosk, pilot)
        present = setup.query_one("#round-present", SelectionList)
        shown = [str(present.get_option_at_index(i).prompt) for i in range(present.option_count)]
        assert shown == ["Ash", "Willow", HOSTILE_NAME]  # oak was only invited
        setup.action_pick_prompt()
        await pilot.pause()
        assert isinstance(kiosk.screen, PromptPicker)
        kiosk.screen.query_one("#prompts", OptionList).highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert current_screen(kiosk) is setup
        assert setup.query_one("#round-prompt", Input).value.startswith("Think of a moment")
        present.deselect(1)  # Willow is not here today
        await pilot.pause()
        setup.start()
        await pilot.pause()
        view = kiosk.screen
        assert isinstance(view, RoundScreen)
        assert view.round.participants == ("Ash", HOSTILE_NAME)
        text = screen_text(kiosk)
        assert "A moment of hope" in text and "Think of a moment" in text
        assert "Willow" not in static_text(kiosk, "#round-people")


async def test_bad_choices_are_said_and_nothing_starts(kiosk: KioskApp) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        setup = await _setup(kiosk, pilot)
        setup.start()  # no prompt yet
        await pilot.pause()
        assert kiosk.screen is setup
        assert "prompt" in static_text(kiosk, "#round-status")
        setup.query_one("#round-prompt", Input).value = "Hello"
        setup.query_one("#round-present", SelectionList).deselect_all()
        setup.start()
        await pilot.pause()
        assert "at least one" in static_text(kiosk, "#round-status")


async def test_the_piece_passes_with_the_clock_and_by_hand(kiosk: KioskApp, ticks: Ticks) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _setup(kiosk, pilot)
        view = await _start(kiosk, pilot, minutes="1")
        assert "What helped this week?" in static_text(kiosk, "#round-prompt-text")
        assert view.round.holder == "Ash" and not view.round.running
        await pilot.press("space")
        assert view.round.running
        ticks.now += 59
        view.tick()
        await pilot.pause()
        assert view.round.holder == "Ash"
        ticks.now += 1
        view.tick()
        await pilot.pause()
        assert view.round.holder == "Willow"
        assert "Ash's time is up" in static_text(kiosk, "#round-state")
        assert "◆ Willow" in static_text(kiosk, "#round-people")
        await pilot.press("n")
        await pilot.press("n")
        await pilot.pause()
        assert view.round.holder == "Ash"  # round the circle and back
        assert [turn.participant for turn in view.round.turns] == ["Ash", "Willow", HOSTILE_NAME]
        await pilot.press("space")
        assert not view.round.running


async def test_a_running_round_keeps_the_kiosk_awake_a_paused_one_locks(
    kiosk: KioskApp, session: Session, ticks: Ticks
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _setup(kiosk, pilot)
        view = await _start(kiosk, pilot, minutes="30")
        await pilot.press("space")
        for _ in range(4):  # twelve minutes of talking, no key pressed
            ticks.now += IDLE
            kiosk.check_idle_lock()
            await pilot.pause()
        assert kiosk.screen is view
        assert session.journal is not None
        view.round.pause()
        ticks.now += IDLE
        kiosk.check_idle_lock()
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskStartScreen)
        assert session.journal is None
        assert not _attached(RoundScreen)
        assert "What helped" not in screen_text(kiosk)


async def test_the_reading_view_obeys_the_idle_lock_and_leaves_no_story(
    kiosk: KioskApp, session: Session, ticks: Ticks
) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _setup(kiosk, pilot)
        view = await _start(kiosk, pilot, minutes="30")
        await pilot.press("space")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(kiosk.screen, RoundStoryPicker)
        assert not view.round.running  # covering the round holds the piece
        await pilot.press("enter")
        await pilot.pause()
        reading = kiosk.screen
        assert isinstance(reading, RoundReadingScreen)
        # Content notes first; the body waits until asked for.
        assert "content notes: grief" in screen_text(kiosk)
        assert CANARY not in screen_text(kiosk)
        await pilot.click("#reading-open")
        await pilot.pause()
        paragraphs = [str(p.render()) for p in reading.query(".reading-paragraph").results(Static)]
        assert paragraphs == ["First paragraph of the walk.", f"Second paragraph: {CANARY}."]
        assert all(p.styles.text_style.bold for p in reading.query(".reading-paragraph"))
        assert "by Willow" in screen_text(kiosk)
        assert CANARY in screen_text(kiosk)
        ticks.now += IDLE
        kiosk.check_idle_lock()
        await pilot.pause()
        assert isinstance(kiosk.screen, KioskStartScreen)
        assert not _attached(RoundScreen) and not _attached(RoundReadingScreen)
        assert not any(
            CANARY in str(widget.render())
            for screen in kiosk.screen_stack
            for widget in screen.query(Static)
        )
        assert CANARY not in screen_text(kiosk)


async def test_back_from_a_story_the_piece_runs_on(kiosk: KioskApp) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _setup(kiosk, pilot)
        view = await _start(kiosk, pilot)
        await pilot.press("space")
        await pilot.press("s", "enter")
        await pilot.pause()
        assert isinstance(kiosk.screen, RoundReadingScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert current_screen(kiosk) is view
        assert view.round.running


async def test_hostile_prompt_and_pseudonym_stay_inert(kiosk: KioskApp) -> None:
    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _setup(kiosk, pilot)
        await _start(kiosk, pilot, prompt=HOSTILE_PROMPT + "\x1b[2J")
        await pilot.pause()
        text = screen_text(kiosk)
        assert "[@click=app.quit]Quit now[/]" in text
        assert "[reverse]loud[/reverse]" in text
        assert HOSTILE_NAME in text
        assert "\x1b" not in text
        await pilot.click("#round-prompt-text")  # an inert link does nothing
        await pilot.pause()
        assert kiosk.is_running


async def test_ending_the_round_asks_and_stores_nothing(
    kiosk: KioskApp, session: Session, tmp_path: Path, ticks: Ticks
) -> None:
    connection = session.installation.store._conn

    def everything() -> tuple[list[str], list[Path]]:
        return list(connection.iterdump()), sorted(tmp_path.rglob("*"))

    async with kiosk.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _setup(kiosk, pilot)
        before = everything()
        view = await _start(kiosk, pilot)
        await pilot.press("space")
        ticks.now += 200
        view.tick()
        await pilot.press("s", "enter")
        await pilot.pause()
        await pilot.click("#reading-open")
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")  # "Keep going"
        await pilot.pause()
        assert kiosk.screen is view
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(kiosk.screen, LibraryScreen)
        assert view.round.ended
        assert everything() == before


async def test_outside_a_kiosk_no_pin_and_a_round_needs_a_circle(
    session: Session, group: Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = StorycircleApp(session)
    notices: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: notices.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        session.open_journal(group.host)
        app.push_screen(LibraryScreen(session))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RoundSetupScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        # A member in no circle is told why, and nothing opens.
        loner = make_member(session.installation.store, "loner")
        session.open_journal(loner)
        app.action_start_round()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert notices == ["A round needs a circle you have joined."]


async def test_the_palette_offers_a_round_to_a_member_only(session: Session, group: Group) -> None:
    from storycircle.tui.palette import StoryCommands

    app = StorycircleApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        provider = StoryCommands(app.screen)
        names = [name for name, _, _ in provider._fixed()]
        assert "Start a circle round" not in names
        session.open_journal(group.host)
        names = [name for name, _, _ in provider._fixed()]
        assert "Start a circle round" in names
