"""Every CLI command's fixed cost: ``list -n 1`` with an unlocked session, without, and jrnl.

Run from the repository root (jrnl comes with the ``bench`` extra)::

    python -m benchmarks.bench_cli                 # 1,000 entries, 15 rounds
    python -m benchmarks.bench_cli --size 10000 --rounds 9

Three whole processes on the same small journal, interleaved as in
:mod:`benchmarks.bench_vs_jrnl` (rotating order, one warm-up, medians):

* ``session``: ``storycircle list -n 1`` while ``storycircle unlock`` is live,
  so no passphrase and no scrypt (goal ≤ 0.15 s);
* ``passphrase``: the same with the passphrase on a pipe, one scrypt at the
  default work factor 17 (goal ≤ 0.35 s);
* ``jrnl``: ``jrnl -n 1``, its password from a keyring.

``python -c pass`` is timed too: the interpreter's own start, which no
command can go below; and ``imports``, the modules every verb loads before it
does anything (the rest of ``session`` is the work itself). Each figure is
given as wall-clock and CPU time: on a shared machine the CPU time is the
steadier estimate of an idle machine's wall time. The session lives in a
private runtime folder made for the run and is locked at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.datasets import Dataset, ensure
from benchmarks.runner import FD, Command, lines, run_once, timed_usage

GOALS = {"session": 0.15, "passphrase": 0.35}


def commands(data: Dataset, runtime: Path) -> dict[str, Command]:
    """The timed commands on ``data``, sessions kept in ``runtime``."""
    env = {**data.storycircle_env(), "XDG_RUNTIME_DIR": str(runtime)}
    return {
        "session": Command(("-m", "storycircle", "list", "-n", "1"), env),
        "passphrase": Command(("-m", "storycircle", "list", "-n", "1", "--passphrase-fd", FD), env),
        "jrnl": Command(("-m", "jrnl", "-n", "1"), data.jrnl_env()),
        "imports": Command(("-c", "import storycircle.cli.main, storycircle.cli.commands"), env),
        "python": Command(("-c", "pass"), env),
    }


def timed_run(command: Command) -> tuple[float, float]:
    """Run ``command`` once: its wall-clock seconds and the CPU seconds it used.

    The CPU time (user + system, of that one child, from ``wait4``) hardly
    changes when other programs share the machine; the wall time does.
    """
    elapsed, usage = timed_usage(command)
    return elapsed, usage.ru_utime + usage.ru_stime


def interleaved_cpu(
    commands: dict[str, Command], rounds: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU seconds of each command: one warm-up, then rounds in rotating order."""
    names = list(commands)
    for name in names:
        timed_run(commands[name])
    results: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu = timed_run(commands[name])
            results[name][0].append(wall)
            results[name][1].append(cpu)
    return results


Medians = dict[str, tuple[float, float]]
"""Per command: median wall-clock seconds, median CPU seconds."""


def measure(size: int, rounds: int) -> Medians:
    """Start a session on the ``size`` journal, time every command, lock; the medians."""
    data = ensure(size)
    runtime = Path(tempfile.mkdtemp(prefix="sc-bench-"))  # 0700, ours
    timed = commands(data, runtime)
    env = timed["session"].env
    unlock = Command(("-m", "storycircle", "unlock", "--for", "30m", "--passphrase-fd", FD), env)
    try:
        run_once(unlock, capture=True)
        # The same story both ways: the session opens the journal the passphrase opens.
        first = lines(run_once(timed["session"], capture=True)[2])
        assert first == lines(run_once(timed["passphrase"], capture=True)[2]), first
        samples = interleaved_cpu(timed, rounds)
    finally:
        run_once(Command(("-m", "storycircle", "lock"), env), capture=True)
        shutil.rmtree(runtime, ignore_errors=True)
    return {
        name: (statistics.median(walls), statistics.median(cpus))
        for name, (walls, cpus) in samples.items()
    }


def verdict(name: str, seconds: float) -> str:
    """``meets`` or by how much ``seconds`` misses the goal of ``name`` ("" without one)."""
    goal = GOALS.get(name)
    if goal is None:
        return ""
    return "meets" if seconds <= goal else f"misses by {seconds / goal:.1f}x"


def main(argv: list[str] | None = None) -> int:
    """Time the commands and print medians, goals and ratios to jrnl."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--size", type=int, default=1_000, help="entries in the journal")
    options.add_argument("--rounds", type=int, default=15, help="timed runs of each command")
    args = options.parse_args(argv)
    medians = measure(args.size, args.rounds)
    jrnl = medians["jrnl"][0]
    print(
        f"`list -n 1`, {args.size:,} entries, {args.rounds} rounds, medians of wall-clock "
        f"and CPU (user+system) seconds; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores, python {sys.version.split()[0]}:"
    )
    for name, (wall, cpu) in medians.items():
        judged = ""
        if name in GOALS:
            judged = f"  goal <= {GOALS[name]:.2f} s: wall {verdict(name, wall)}"
            judged += f", CPU {verdict(name, cpu)}"
        print(
            f"  {name:<11} wall {wall:6.3f} s  CPU {cpu:6.3f} s  {wall / jrnl:5.2f}x jrnl{judged}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
