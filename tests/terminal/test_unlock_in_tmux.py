"""``storycircle unlock`` typed at a shell in a real terminal, as a person uses it."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle.journal.members import create_member
from storycircle.session.installation import open_installation
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.terminal.tmux import Terminal

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def root() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="sc-t-"))  # short: socket paths are limited
    home, runtime, bin_dir = folder / "home", folder / "run", folder / "bin"
    for made in (home, runtime, bin_dir):
        made.mkdir(mode=0o700)
    (home / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    installation = open_installation(home)
    create_member(installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    installation.store.close()
    # `storycircle` on the shell's PATH runs this checkout.
    command = bin_dir / "storycircle"
    command.write_text(f'#!/bin/sh\nexec {sys.executable} -m storycircle "$@"\n')
    command.chmod(0o700)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _shell(root: Path) -> Terminal:
    env = {
        "STORYCIRCLE_HOME": str(root / "home"),
        "XDG_RUNTIME_DIR": str(root / "run"),
        "PYTHONPATH": str(REPO),
        "PATH": f"{root / 'bin'}:/usr/bin:/bin",
        "PS1": "$ ",
        "TERM": "xterm-256color",
        "HOME": str(root),
        "HISTFILE": "/dev/null",
    }
    return Terminal(["bash", "--norc", "--noprofile"], env, (100, 30))


def _run(terminal: Terminal, line: str) -> None:
    terminal.type(line)
    terminal.keys("Enter")


def test_unlock_once_then_commands_ask_nothing_until_lock(root: Path) -> None:
    first = _shell(root)
    try:
        _run(first, "storycircle unlock --for 5m")
        first.wait_for("Passphrase for river:")
        first.type(PASSPHRASE)
        first.keys("Enter")
        first.wait_for("Unlocked river until")
        assert PASSPHRASE not in first.screen()  # typed without echo
        _run(first, 'storycircle write "The first calm morning" --tag calm')
        first.wait_for("Saved ")
        _run(first, "exit")
    finally:
        first.close()
    # The session outlives the terminal it was started in.
    second = _shell(root)
    try:
        _run(second, "storycircle list")
        shown = second.wait_for("The first calm morning")
        assert "Passphrase" not in shown
        _run(second, "storycircle lock")
        second.wait_for("1 session ended")
        _run(second, "storycircle list")
        second.wait_for("Passphrase for river:")
        second.keys("C-c")
    finally:
        second.close()
