"""Keys sent in one burst (a password manager's auto-type) land where slow typing would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle.journal.members import unlock
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
def terminal(home: Path) -> Iterator[Terminal]:
    started = run_storycircle(home)
    yield started
    started.close()


def _field_line(screen: str, label: str) -> str:
    """The line under ``label`` on the welcome form: the field's visible text."""
    frame = "".join(chr(c) for c in range(0x2580, 0x25A0)) + "│ \t"  # borders, scrollbars
    lines = [text.strip(frame) for text in screen.splitlines()]
    index = next(i for i, text in enumerate(lines) if text.startswith(label))
    return lines[index + 1]


def test_the_welcome_form_typed_in_one_burst_fills_every_field(
    home: Path, terminal: Terminal
) -> None:
    terminal.wait_for("Pseudonym")
    terminal.burst("river", "Tab", PASSPHRASE, "Tab", PASSPHRASE)
    shown = terminal.wait_for("•" * len(PASSPHRASE))
    assert _field_line(shown, "Pseudonym") == "river"
    assert _field_line(shown, "Passphrase") == "•" * len(PASSPHRASE)
    assert _field_line(shown, "Type it again") == "•" * len(PASSPHRASE)
    terminal.keys("Enter")
    terminal.wait_for("river's journal")
    installation = open_installation(home)
    try:
        (record,) = installation.store.members()
        assert record.pseudonym == "river"
        assert unlock(record, PASSPHRASE).id == record.id
    finally:
        installation.store.close()


def test_a_burst_with_enter_between_fields_creates_the_member(
    home: Path, terminal: Terminal
) -> None:
    terminal.wait_for("Pseudonym")
    terminal.burst("river", "Enter", PASSPHRASE, "Enter", PASSPHRASE, "Enter")
    terminal.wait_for("river's journal")
    installation = open_installation(home)
    try:
        (record,) = installation.store.members()
        assert record.pseudonym == "river"
        assert unlock(record, PASSPHRASE).id == record.id
    finally:
        installation.store.close()
