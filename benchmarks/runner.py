"""Run whole processes, interleaved, and keep their wall time and peak memory.

Each command is started with :class:`subprocess.Popen` and reaped with
:func:`os.wait4`, which gives that one child's resource usage: its peak
resident memory (``ru_maxrss``) is exact, whatever ran before it. Output goes
to ``/dev/null`` (both tools still format it); a failing command is run again
with its output captured so the error can be shown.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.datasets import PASSPHRASE

REPO = Path(__file__).resolve().parent.parent
FD = "{fd}"
"""Placeholder in a command's arguments for the passphrase file descriptor."""


@dataclass(frozen=True)
class Command:
    """One command line to time.

    Attributes:
        args: Arguments after ``python``; :data:`FD` is replaced by the number
            of a pipe holding the passphrase.
        env: The process environment.
    """

    args: tuple[str, ...]
    env: dict[str, str]

    @property
    def passphrase(self) -> bool:
        """True when the command reads the passphrase from a descriptor."""
        return FD in self.args


@dataclass
class Samples:
    """Wall-clock seconds and peak RSS (MiB) of the runs of one command."""

    seconds: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median wall-clock seconds."""
        return statistics.median(self.seconds)

    @property
    def rss(self) -> float:
        """Median peak RSS in MiB."""
        return statistics.median(self.rss_mib)


def _start(command: Command, out: int) -> tuple[subprocess.Popen[bytes], float]:
    """Start ``command``, its passphrase on a pipe: the process and when it started."""
    read_end = None
    args = list(command.args)
    if command.passphrase:
        read_end, write_end = os.pipe()
        os.write(write_end, (PASSPHRASE + "\n").encode())
        os.close(write_end)
        args = [str(read_end) if arg == FD else arg for arg in args]
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env=command.env,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=out,
        pass_fds=(read_end,) if read_end is not None else (),
    )
    if read_end is not None:
        os.close(read_end)
    return process, start


def timed_usage(command: Command) -> tuple[float, resource.struct_rusage]:
    """Run ``command`` to its end, output dropped: wall seconds and the child's resource use.

    Raises:
        RuntimeError: the command failed (with its error text).
    """
    process, start = _start(command, subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        run_once(command, capture=True)  # raises with the error text
    return elapsed, usage


def run_once(command: Command, *, capture: bool = False) -> tuple[float, float, bytes]:
    """Run ``command`` once: ``(seconds, peak RSS MiB, stdout if captured)``."""
    if not capture:
        elapsed, usage = timed_usage(command)
        return elapsed, usage.ru_maxrss / 1024, b""
    process, start = _start(command, subprocess.PIPE)
    stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        args = " ".join(command.args)
        raise RuntimeError(f"{args} failed: {stderr.decode(errors='replace')}")
    return elapsed, 0.0, stdout


def interleaved(
    commands: dict[str, Command], *, rounds: int, warmup: int = 1
) -> dict[str, Samples]:
    """Run every command ``warmup`` times, then ``rounds`` times in rotating order.

    Rotating the order each round spreads any drift of the machine (another
    process starting, caches) over all commands instead of one.
    """
    names = list(commands)
    for _ in range(warmup):
        for name in names:
            run_once(commands[name])
    results = {name: Samples() for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            seconds, rss, _ = run_once(commands[name])
            results[name].seconds.append(seconds)
            results[name].rss_mib.append(rss)
    return results


def python_args(*args: str) -> tuple[str, ...]:
    """``-m`` arguments, kept as a tuple for :class:`Command`."""
    return ("-m", *args)


def lines(output: bytes) -> Sequence[str]:
    """Non-empty lines of a captured output."""
    return [line for line in output.decode(errors="replace").splitlines() if line.strip()]
