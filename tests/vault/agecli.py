"""Drive the reference `age` command line tool from tests.

`age` reads passphrases only from the controlling terminal, so commands that
need one run under a pseudo-terminal that answers each passphrase prompt.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

PROMPT = re.compile(rb"passphrase[^\n]*: ")
TIMEOUT_SECONDS = 60.0


def age_binary() -> str:
    """Return the path of `age`, failing (not skipping) the test when it is missing."""
    path = shutil.which("age")
    if path is None:
        pytest.fail("the age command is missing: install the Debian package age")
    return path


def run_age(args: list[str], *, passphrase: str | None = None, stdout: Path | None = None) -> str:
    """Run `age` and return its terminal output; fail the test if it exits non-zero.

    With a passphrase, `age` runs under a pseudo-terminal and every passphrase
    prompt (including the confirmation when encrypting) gets the passphrase.
    With ``stdout``, age's standard output goes to that file. (Decrypting with
    ``-o`` is avoided: age creates the output file only on its first write, so
    an empty plaintext would leave no file at all.)
    """
    binary = age_binary()
    if passphrase is None:
        with open(stdout or os.devnull, "wb") as out:
            done = subprocess.run(
                [binary, *args], stdout=out, stderr=subprocess.PIPE, timeout=TIMEOUT_SECONDS
            )
        errors = done.stderr.decode(errors="replace")
        assert done.returncode == 0, f"age {' '.join(args)} failed: {errors}"
        return errors

    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is now its controlling terminal
        try:
            if stdout is not None:
                out_fd = os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(out_fd, 1)
            os.execv(binary, [binary, *args])
        finally:
            os._exit(127)
    output = bytearray()
    answered = 0
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        while True:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"age {' '.join(args)} timed out: {output.decode(errors='replace')}")
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                break
            output += chunk
            if len(PROMPT.findall(output)) > answered:
                os.write(fd, passphrase.encode() + b"\n")
                answered += 1
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, f"age {' '.join(args)} failed: {text}"
    assert answered >= 1, f"age never asked for a passphrase: {text}"
    return text


def write_private(path: Path, data: bytes) -> Path:
    """Write a file readable only by the owner (for key files)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path
