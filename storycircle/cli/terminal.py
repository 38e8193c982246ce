"""Terminal input and output for the command line: passphrases and safe printing.

A passphrase comes from the terminal (without echo) or from a file descriptor
given with ``--passphrase-fd``: never from argv or the environment, where other
users and process listings can see it.
"""

from __future__ import annotations

import getpass
import os
import sys

from storycircle.errors import StorycircleError
from storycircle.sanitize import sanitize_line, sanitize_text

_MAX_PASSPHRASE_BYTES = 4096


_MAX_FD = 2**31 - 1
"""Above this a number cannot name an open file descriptor."""


class PassphraseSource:
    """Where passphrases are read from: a file descriptor, or the terminal."""

    def __init__(self, fd: int | None) -> None:
        """Read from ``fd`` line by line, or ask on the terminal when ``fd`` is None."""
        self._fd = fd
        self._lines: list[str] | None = None

    def _from_fd(self) -> str:
        if self._lines is None:
            assert self._fd is not None
            # A negative or enormous number is refused like a closed one
            # (os.fdopen raises ValueError or OverflowError for those).
            if not 0 <= self._fd < _MAX_FD:
                raise StorycircleError(
                    f"cannot read the passphrase from fd {self._fd}: Bad file descriptor"
                )
            try:
                with os.fdopen(self._fd, "rb", closefd=False) as stream:
                    data = stream.read(_MAX_PASSPHRASE_BYTES + 1)
            except (OSError, ValueError, OverflowError) as error:
                reason = getattr(error, "strerror", None) or "Bad file descriptor"
                raise StorycircleError(
                    f"cannot read the passphrase from fd {self._fd}: {reason}"
                ) from None
            if len(data) > _MAX_PASSPHRASE_BYTES:
                raise StorycircleError("the passphrase input is too long")
            try:
                self._lines = data.decode("utf-8").splitlines()
            except UnicodeDecodeError:
                raise StorycircleError("the passphrase input is not UTF-8 text") from None
        if not self._lines:
            raise StorycircleError(f"fd {self._fd} gave no passphrase (one per line)")
        return self._lines.pop(0)

    @property
    def from_terminal(self) -> bool:
        """True when passphrases are asked on the terminal (no ``--passphrase-fd``)."""
        return self._fd is None

    def ask(self, prompt: str) -> str:
        """Return one passphrase.

        Raises:
            StorycircleError: no terminal and no ``--passphrase-fd``.
        """
        if self._fd is not None:
            return self._from_fd()
        try:
            with open("/dev/tty", "rb"):
                pass
        except OSError:
            raise StorycircleError(
                "no terminal to ask for the passphrase; pass it on a file descriptor "
                "with --passphrase-fd"
            ) from None
        try:
            return getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            raise StorycircleError("no passphrase given") from None

    def ask_new(self, prompt: str = "New passphrase: ") -> str:
        """Return a new passphrase, typed twice on a terminal.

        Raises:
            StorycircleError: the two entries differ.
        """
        first = self.ask(prompt)
        if self._fd is not None:
            return first
        if self.ask("Type it again: ") != first:
            raise StorycircleError("the two passphrases differ; nothing was changed")
        return first


def say(text: str = "") -> None:
    """Print untrusted multi-line text to stdout, escape sequences removed."""
    sys.stdout.write(sanitize_text(text) + "\n")


def say_line(text: str) -> None:
    """Print one line of untrusted text, controls and newlines removed."""
    sys.stdout.write(sanitize_line(text) + "\n")


def warn(text: str) -> None:
    """Print a one-line message for a person on stderr."""
    sys.stderr.write("storycircle: " + sanitize_line(text) + "\n")


def confirmed(yes: bool, question: str, action: str) -> bool:
    """True with ``--yes`` (``yes``), or when the person types yes at the terminal.

    Raises:
        StorycircleError: no ``--yes`` and no terminal to ask on.
    """
    if yes:
        return True
    if not sys.stdin.isatty():
        raise StorycircleError(f"add --yes to {action} without a terminal to confirm")
    return input(f"{question} Type yes: ").strip().lower() == "yes"
