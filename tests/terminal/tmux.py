"""Drive the installed ``storycircle`` command in a real terminal under tmux.

Each session runs on a private tmux server socket, so tests never touch a
person's own tmux, and the server is killed afterwards.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

TIMEOUT = 20.0


def tmux_binary() -> str:
    """Path of tmux; the test fails (not skips) when it is missing."""
    path = shutil.which("tmux")
    if path is None:
        pytest.fail("tmux is missing: install the Debian package tmux")
    return path


def storycircle_binary() -> str:
    """Path of the installed command; fails the test when it is not installed."""
    path = shutil.which("storycircle")
    if path is None:
        pytest.fail('the storycircle command is not installed: pip install ".[test]"')
    return path


class Terminal:
    """One tmux pane running a command."""

    def __init__(self, command: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        """Start ``command`` in a detached tmux session of ``size`` (columns, rows)."""
        self.socket = f"storycircle-test-{uuid.uuid4().hex[:8]}"
        self.tmux = tmux_binary()
        # OSC 52 into a paste buffer, and titles from OSC 0/2, are what a hostile
        # story would try: keep both features on so the test can see them.
        self._run(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            "sleep 3600",
        )
        self._run("set-option", "-g", "set-clipboard", "on")
        self._run("set-option", "-g", "allow-rename", "on")
        self._run("set-window-option", "-g", "allow-passthrough", "on", check=False)
        env_args = [f"{key}={value}" for key, value in env.items()]
        # COLUMNS and LINES from the test runner's environment would override
        # the pane's real size (the tmux server inherits them): drop them.
        self._run(
            "respawn-pane",
            "-k",
            "-t",
            "t",
            "env",
            "-u",
            "COLUMNS",
            "-u",
            "LINES",
            *env_args,
            *command,
        )

    def _run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [self.tmux, "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {done.stderr}")
        return done.stdout

    def keys(self, *keys: str, pause: float = 0.15) -> None:
        """Send keys one at a time, as a person types (tmux key names allowed)."""
        for key in keys:
            self._run("send-keys", "-t", "t", key)
            time.sleep(pause)

    def burst(self, *keys: str) -> None:
        """Send text and key names in ONE ``send-keys`` call, as a password manager's
        auto-type does: everything reaches the terminal at once."""
        self._run("send-keys", "-t", "t", *keys)
        time.sleep(0.3)

    def type(self, text: str) -> None:
        """Type literal text."""
        self._run("send-keys", "-t", "t", "-l", text)
        time.sleep(0.3)

    def paste(self, text: str) -> None:
        """Paste ``text`` as a terminal does: in one write, bracketed if the app asked."""
        self._run("set-buffer", "-b", "pasted", "--", text)
        self._run("paste-buffer", "-p", "-r", "-d", "-b", "pasted", "-t", "t")
        time.sleep(0.5)

    def screen(self) -> str:
        """The visible text of the pane."""
        return self._run("capture-pane", "-p", "-t", "t")

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait until ``text`` is on screen; fail with the screen if it never is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def pane_title(self) -> str:
        """The pane title (what OSC 0/2 would change)."""
        return self._run("display-message", "-p", "-t", "t", "#{pane_title}").strip()

    def buffers(self) -> str:
        """Every paste buffer's content (what OSC 52 would fill)."""
        names = self._run("list-buffers", "-F", "#{buffer_name}", check=False).split()
        return "\n".join(self._run("show-buffer", "-b", name, check=False) for name in names)

    def alive(self) -> bool:
        """True while the command in the pane is still running."""
        out = self._run("list-panes", "-t", "t", "-F", "#{pane_dead}", check=False)
        return out.strip() == "0"

    def close(self) -> None:
        """Kill the tmux server of this terminal."""
        self._run("kill-server", check=False)


def run_storycircle(home: Path, *args: str, size: tuple[int, int] = (100, 32)) -> Terminal:
    """Start ``storycircle ARGS`` with ``home`` as its data folder."""
    env = {
        "STORYCIRCLE_HOME": str(home),
        "TERM": "xterm-256color",
        "LANG": "en_US.UTF-8",
        "TEXTUAL_ANIMATIONS": "none",
    }
    return Terminal([storycircle_binary(), *args], env, size)
