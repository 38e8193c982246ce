"""The installed ``storycircle`` command in a real terminal, used as a person would."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle.journal.journal import Journal
from storycircle.journal.members import create_member, unlock
from storycircle.models import Story
from storycircle.session.installation import open_installation
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.terminal.tmux import Terminal, run_storycircle


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir(mode=0o700)
    (folder / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    return folder


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for terminal in started:
        terminal.close()


def _unlock(terminal: Terminal) -> None:
    terminal.wait_for("Who's writing?")
    terminal.type(PASSPHRASE)
    terminal.keys("Enter")
    terminal.wait_for("'s journal")


def test_create_write_quit_and_unlock_again(home: Path, terminals: list[Terminal]) -> None:
    first = run_storycircle(home)
    terminals.append(first)
    first.wait_for("Pseudonym")
    first.type("river")
    first.keys("Tab")
    first.type(PASSPHRASE)
    first.keys("Tab")
    first.type(PASSPHRASE)
    first.keys("Enter")
    first.wait_for("river's journal")
    first.keys("n")
    first.wait_for("Title")
    first.type("The morning after")
    first.keys("Tab")
    first.type("I made tea and sat by the window. #hope")
    first.keys("C-s")
    first.wait_for("The morning after")
    first.keys("C-q")
    second = run_storycircle(home)
    terminals.append(second)
    _unlock(second)
    shown = second.wait_for("The morning after")
    assert "#hope" in shown
    assert "PASSPHRASE" not in shown and PASSPHRASE not in shown


def _hostile_story(home: Path) -> str:
    installation = open_installation(home)
    record = create_member(installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    journal = Journal(installation.store, unlock(record, PASSPHRASE))
    esc, bel = "\x1b", "\x07"
    hostile = (
        f"Safe words {esc}]0;PWNED-TITLE{bel}{esc}]2;PWNED-TWO{esc}\\ "
        f"{esc}]52;c;Y2FuYXJ5LWNsaXBib2FyZA=={bel}{esc}[2J{esc}[10;10H"
        f"[@click=app.quit]click me[/] \u202eevil\u202c end of story"
    )
    story = Story(
        id="hostile0001",
        version=1,
        title="Hostile " + hostile,
        body=hostile + "\n\nA second paragraph " + hostile,
        author_id=record.id,
        created="2026-02-01T10:00:00+00:00",
        updated="2026-02-01T10:00:00+00:00",
    )
    # Written past the service's own sanitizing, as an import or a tampered
    # database could: the display boundary must hold by itself.
    assert journal._write(story, expected_version=0)
    installation.store.close()
    return story.id


def test_hostile_story_cannot_retitle_or_write_the_clipboard(
    home: Path, terminals: list[Terminal]
) -> None:
    _hostile_story(home)
    terminal = run_storycircle(home, size=(110, 34))
    terminals.append(terminal)
    title_before = terminal.pane_title()
    _unlock(terminal)
    terminal.wait_for("Hostile Safe words")
    terminal.keys("Enter")
    shown = terminal.wait_for("end of story")
    assert "[@click=app.quit]click me[/]" in shown
    assert terminal.pane_title() == title_before
    assert "PWNED" not in terminal.pane_title()
    assert "canary" not in terminal.buffers()
    assert "Y2FuYXJ5" not in terminal.buffers()
    # The app is still running and the screen was not cleared by the story.
    assert terminal.alive()
    assert "Safe words" in terminal.screen()


def _editor_with_words(home: Path, terminals: list[Terminal]) -> Terminal:
    installation = open_installation(home)
    create_member(installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    installation.store.close()
    terminal = run_storycircle(home)
    terminals.append(terminal)
    _unlock(terminal)
    terminal.keys("n")
    terminal.wait_for("Title")
    terminal.type("words nobody saved yet")  # into the body, which has the focus
    return terminal


@pytest.mark.parametrize(
    "after",
    ["\x11", "\x0c", "\x11y", "\x11\r", "\x1b[201~\x11", "\x1b\x11"],
    ids=["quit", "lock", "quit-and-yes", "quit-and-enter", "second-marker", "escape-quit"],
)
def test_a_paste_that_ends_itself_early_never_quits_or_locks(
    home: Path, terminals: list[Terminal], after: str
) -> None:
    terminal = _editor_with_words(home, terminals)
    terminal.paste(f"pasted line\x1b[201~{after}echo handed-to-the-shell\r")
    shown = terminal.wait_for("Paste cut short")
    assert terminal.alive()
    assert "words nobody saved yet" in shown and "pasted line" in shown
    assert "Who's writing?" not in shown  # not locked
    assert "handed-to-the-shell" not in shown  # the rest was dropped, not typed


def test_quitting_with_unsaved_words_asks_first(home: Path, terminals: list[Terminal]) -> None:
    terminal = _editor_with_words(home, terminals)
    terminal.keys("C-q")
    terminal.wait_for("Quit storycircle?")
    terminal.keys("Escape")
    terminal.wait_for("words nobody saved yet")
    assert terminal.alive()
    terminal.keys("C-q")
    terminal.wait_for("Quit storycircle?")
    terminal.keys("y")
    deadline = 50
    while terminal.alive() and deadline:
        deadline -= 1
        time.sleep(0.1)
    assert not terminal.alive()


# Titles whose vowels are spacing marks (Unicode Mc): Textual once measured
# them zero cells wide while terminals draw them one cell wide.
COMBINING_TITLES = [
    "मैंने आज पहली बार किसी से बात की और मन हल्का हुआ",
    "স্বাস্থ্য ক্ষেত্রে সহায়তা",
    "நான் மீண்டும் எழுந்தேன்",
    "क्षमा और स्वीकार्यता की कहानी",
    "ที่นี่ฉันได้พักผ่อน",
    "ഞാൻ വീണ്ടും ശ്രമിച്ചു",
]
_SCRIPTS = re.compile("[\u0900-\u0dff\u0e00-\u0e7f]")


def _combining_journal(home: Path) -> None:
    installation = open_installation(home)
    record = create_member(installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    journal = Journal(installation.store, unlock(record, PASSPHRASE))
    with journal.batch():
        for n in range(40):
            if n % 2:
                journal.save(title=f"Plain story {n:02d}", body="x", tags=["hope"])
            else:
                title = COMBINING_TITLES[(n // 2) % len(COMBINING_TITLES)]
                journal.save(title=f"{title} {n:02d}", body="y", tags=["मन"])
    installation.store.close()


def _rows_are_whole(screen: str) -> None:
    for row in screen.splitlines():
        if "Plain story" in row:
            # No letters of another row left behind at its edge.
            assert not _SCRIPTS.search(row), screen
        elif _SCRIPTS.search(row) and row.startswith("20"):
            # Laid out to fit: the tag is shown, or the app shortened the
            # title itself; never cut off by the terminal mid-row.
            assert row.rstrip(" ▄▀▁▔▂▃▅▆▇█▌▐").endswith(("#मन", "…")), screen


@pytest.mark.parametrize("width", [48, 60, 80, 120])
def test_combining_scripts_fit_their_rows_at_any_width(
    home: Path, terminals: list[Terminal], width: int
) -> None:
    _combining_journal(home)
    terminal = run_storycircle(home, size=(width, 24))
    terminals.append(terminal)
    _unlock(terminal)
    terminal.wait_for("palette")  # laid out at the pane's own width
    time.sleep(0.5)
    _rows_are_whole(terminal.screen())
    for key in ["Down"] * 25 + ["PageDown", "Up", "Up", "Home", "End", "PageUp"]:
        terminal.keys(key, pause=0.05)
    time.sleep(0.5)
    _rows_are_whole(terminal.screen())
    terminal.keys("Home")
    time.sleep(0.5)
    _rows_are_whole(terminal.screen())
