"""The installed ``storycircle kiosk`` in a real terminal: idle lock and closed keys."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle.journal.journal import Journal
from storycircle.journal.members import create_member, unlock
from storycircle.session.installation import open_installation
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.terminal.tmux import Terminal, run_storycircle, storycircle_binary

CANARY = "CANARY-51c0ffee"
IDLE_SECONDS = 6


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir(mode=0o700)
    (folder / "config.toml").write_text(
        f"work_factor = {TEST_WORK_FACTOR}\nkiosk_idle_seconds = {IDLE_SECONDS}\n"
    )
    installation = open_installation(folder)
    record = create_member(installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    Journal(installation.store, unlock(record, PASSPHRASE)).save(
        title="Canary night", body=f"Only river may read {CANARY}.", tags=[], content_notes=[]
    )
    installation.store.close()
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"circle-2468\n")
    os.close(write_fd)
    env = {**os.environ, "STORYCIRCLE_HOME": str(folder)}
    done = subprocess.run(
        [storycircle_binary(), "kiosk", "--setup", "--pin-fd", str(read_fd)],
        pass_fds=(read_fd,),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(read_fd)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for terminal in started:
        terminal.close()


def test_idle_lock_leaves_no_story_on_screen_and_keys_do_not_quit(
    home: Path, terminals: list[Terminal]
) -> None:
    terminal = run_storycircle(home, "kiosk")
    terminals.append(terminal)
    terminal.wait_for("Who's sharing?")
    # Ways out a person would try: none of them leaves the app.
    terminal.keys("C-c", "C-q", "C-z", "C-\\")
    time.sleep(1)
    assert terminal.alive(), terminal.screen()
    assert "Who's sharing?" in terminal.screen()

    terminal.type(PASSPHRASE)  # the only member is chosen already
    terminal.keys("Enter")
    terminal.wait_for("river's journal")
    terminal.keys("Enter")
    terminal.wait_for(CANARY)
    terminal.keys("C-c", "C-z")
    assert terminal.alive()
    # Left alone past the idle limit: the countdown, then the start screen.
    terminal.wait_for("Locking in", timeout=IDLE_SECONDS + 5)
    shown = terminal.wait_for("Who's sharing?", timeout=IDLE_SECONDS + 10)
    assert CANARY not in shown
    assert "Canary night" not in shown
    assert terminal.alive()


def test_the_kiosk_refuses_to_start_before_setup(tmp_path: Path, terminals: list[Terminal]) -> None:
    home = tmp_path / "fresh"
    home.mkdir(mode=0o700)
    terminal = Terminal(
        [
            "sh",
            "-c",
            f"{storycircle_binary()} kiosk; echo exit=$?; sleep 30",
        ],
        {"STORYCIRCLE_HOME": str(home), "TERM": "xterm-256color"},
        (100, 10),
    )
    terminals.append(terminal)
    shown = terminal.wait_for("exit=")
    assert "storycircle kiosk --setup" in shown
    assert "exit=1" in shown
