"""One way to run the command line in tests: ``python -m storycircle`` as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def child_env(home: Path) -> dict[str, str]:
    """The environment of a child run: this checkout first, one data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYCIRCLE")}
    env["STORYCIRCLE_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO)
    return env


class Cli:
    """Runs ``python -m storycircle`` against one data folder."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def env(self) -> dict[str, str]:
        """The child's environment (a subclass may add to it)."""
        return child_env(self.home)

    def __call__(
        self, *args: str, passphrases: tuple[str, ...] = (), stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        read_fd, write_fd = os.pipe()
        os.write(write_fd, "".join(p + "\n" for p in passphrases).encode())
        os.close(write_fd)
        extra = ["--passphrase-fd", str(read_fd)] if passphrases else []
        try:
            return subprocess.run(
                [sys.executable, "-m", "storycircle", *args, *extra],
                input=stdin if stdin is not None else "",
                capture_output=True,
                text=True,
                env=self.env(),
                pass_fds=(read_fd,),
                timeout=60,
            )
        finally:
            os.close(read_fd)
