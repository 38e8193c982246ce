"""``storycircle kiosk --setup`` and ``storycircle kiosk``, run as separate processes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from storycircle.kiosk.policy import PIN_FILE, load_pin, verify_pin
from storycircle.session.config import load_config
from tests.support.cli import child_env
from tests.support.people import TEST_WORK_FACTOR

PIN = "circle-2468"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir(mode=0o700)
    (folder / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    return folder


def _kiosk(home: Path, *args: str, pin: str | None = None) -> subprocess.CompletedProcess[str]:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, (pin + "\n").encode() if pin is not None else b"")
    os.close(write_fd)
    extra = ["--pin-fd", str(read_fd)] if pin is not None else []
    try:
        return subprocess.run(
            [sys.executable, "-m", "storycircle", "kiosk", *args, *extra],
            input="",
            capture_output=True,
            text=True,
            env=child_env(home),
            pass_fds=(read_fd,),
            timeout=60,
        )
    finally:
        os.close(read_fd)


def test_setup_stores_only_a_hash_and_the_settings(home: Path) -> None:
    done = _kiosk(home, "--setup", "--idle-minutes", "2", "--hide-members", pin=PIN)
    assert done.returncode == 0, done.stderr
    assert "The kiosk is ready" in done.stdout
    stored = load_pin(home)
    assert stored is not None and verify_pin(PIN, stored)
    assert stat.S_IMODE((home / PIN_FILE).stat().st_mode) == 0o600
    for path in home.iterdir():
        if path.is_file():
            assert PIN.encode() not in path.read_bytes(), path
    config = load_config(home)
    assert (config.kiosk_idle_seconds, config.kiosk_hide_members) == (120, True)
    assert config.work_factor == TEST_WORK_FACTOR  # the rest of the file is kept


def test_setup_without_choices_keeps_the_settings(home: Path) -> None:
    assert _kiosk(home, "--setup", pin=PIN).returncode == 0
    config = load_config(home)
    assert (config.kiosk_idle_seconds, config.kiosk_hide_members) == (180, False)


@pytest.mark.parametrize(
    ("args", "pin", "message"),
    [
        ((), "12345", "at least 6 characters"),
        (("--idle-minutes", "0"), PIN, "from 5 seconds to 60 minutes"),
        ((), None, "run the setup in a terminal"),
    ],
)
def test_bad_setup_is_one_line_and_changes_nothing(
    home: Path, args: tuple[str, ...], pin: str | None, message: str
) -> None:
    done = _kiosk(home, "--setup", *args, pin=pin)
    assert done.returncode == 1
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (home / PIN_FILE).exists()


def test_the_pin_is_never_an_argument(home: Path) -> None:
    done = _kiosk(home, "--setup", "--pin", PIN)
    assert done.returncode == 2
    assert not (home / PIN_FILE).exists()


def test_the_kiosk_needs_a_terminal(home: Path) -> None:
    done = _kiosk(home)
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr


def test_setup_chooses_the_help_region(home: Path) -> None:
    done = _kiosk(home, "--setup", "--help-region", "GB", pin=PIN)
    assert done.returncode == 0, done.stderr
    assert load_config(home).help_locale == "en-GB"
    refused = _kiosk(home, "--setup", "--help-region", "Atlantis", pin=PIN)
    assert refused.returncode == 1 and "no help lines for 'Atlantis'" in refused.stderr
    assert load_config(home).help_locale == "en-GB"
