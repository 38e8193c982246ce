"""Helpers of the fault suite: forked writers, deterministic story text, the CLI.

A forked child inherits the parent's imported modules and unlocked keys, so
starting one costs a millisecond instead of a fresh interpreter; each child
opens its own SQLite connection, as a second process of storycircle would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.support.people import TEST_WORK_FACTOR

REPO = Path(__file__).resolve().parents[2]
FILLER = "I kept going one small step at a time. "


def body_for(story_id: str, version: int) -> str:
    """The body a writer gives version ``version`` of a story: checkable and ~12 KiB.

    Large enough that one save spans many database pages, so a kill can land
    in the middle of writing them.
    """
    return f"{story_id} version {version}\n\n" + FILLER * (300 + version % 7)


def title_for(story_id: str, version: int) -> str:
    """The title a writer gives version ``version`` of a story."""
    return f"Story {story_id} v{version}"


def tag_for(version: int) -> str:
    """The one tag a writer gives version ``version`` (so tag tokens change each save)."""
    return f"ver{version}"


def fork(work: Callable[[], None]) -> int:
    """Run ``work`` in a forked child; return its pid.

    The child exits 0 when ``work`` returns and 1 when it raises (after
    printing the error type only: no story text). It never returns into the
    test runner.
    """
    pid = os.fork()
    if pid != 0:
        return pid
    status = 1
    try:
        work()
        status = 0
    except BaseException as error:
        os.write(2, f"child failed: {type(error).__name__}: {error}\n".encode())
    finally:
        os._exit(status)


def wait(pid: int) -> int:
    """Wait for a child; return its exit code, or minus the signal that ended it."""
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def cli_env(home: Path) -> dict[str, str]:
    """Environment of a ``python -m storycircle`` child: this checkout, one data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYCIRCLE")}
    env["STORYCIRCLE_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO)
    return env


def run_cli(
    home: Path, *args: str, passphrase: str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m storycircle ARGS`` against ``home`` as a person would."""
    read_fd, write_fd = os.pipe()
    if passphrase is not None:
        os.write(write_fd, (passphrase + "\n").encode())
    os.close(write_fd)
    extra = ["--passphrase-fd", str(read_fd)] if passphrase is not None else []
    try:
        return subprocess.run(
            [sys.executable, "-m", "storycircle", *args, *extra],
            input=stdin,
            capture_output=True,
            text=True,
            env=cli_env(home),
            pass_fds=(read_fd,),
            timeout=60,
            check=False,
        )
    finally:
        os.close(read_fd)


def private_home(path: Path) -> Path:
    """A data folder with the cheap test work factor in its settings."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    (path / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    return path
