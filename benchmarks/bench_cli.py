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
command can go below. The session lives in a private runtime folder made for
the run and is locked at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.datasets import PASSPHRASE, Dataset, ensure
from benchmarks.runner import FD, Command, interleaved, lines, run_once

GOALS = {"session": 0.15, "passphrase": 0.35}


def commands(data: Dataset, runtime: Path) -> dict[str, Command]:
    """The timed commands on ``data``, sessions kept in ``runtime``."""
    env = {**data.storycircle_env(), "XDG_RUNTIME_DIR": str(runtime)}
    return {
        "session": Command(("-m", "storycircle", "list", "-n", "1"), env),
        "passphrase": Command(("-m", "storycircle", "list", "-n", "1", "--passphrase-fd", FD), env),
        "jrnl": Command(("-m", "jrnl", "-n", "1"), data.jrnl_env()),
        "python": Command(("-c", "pass"), env),
    }


def main(argv: list[str] | None = None) -> int:
    """Time the commands and print medians, goals and ratios to jrnl."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--size", type=int, default=1_000, help="entries in the journal")
    options.add_argument("--rounds", type=int, default=15, help="timed runs of each command")
    args = options.parse_args(argv)
    data = ensure(args.size)
    runtime = Path(tempfile.mkdtemp(prefix="sc-bench-"))  # 0700, ours
    timed = commands(data, runtime)
    env = timed["session"].env
    unlock = Command(("-m", "storycircle", "unlock", "--for", "30m", "--passphrase-fd", FD), env)
    try:
        run_once(unlock, capture=True)
        # The same story both ways: the session opens the journal the passphrase opens.
        first = lines(run_once(timed["session"], capture=True)[2])
        assert first == lines(run_once(timed["passphrase"], capture=True)[2]), first
        samples = interleaved(timed, rounds=args.rounds)
    finally:
        run_once(Command(("-m", "storycircle", "lock"), env), capture=True)
        shutil.rmtree(runtime, ignore_errors=True)
    jrnl = samples["jrnl"].median
    print(
        f"`list -n 1`, {args.size:,} entries, {args.rounds} rounds, medians (passphrase "
        f"{PASSPHRASE!r} is the published bench constant):"
    )
    for name, sample in samples.items():
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None:
            verdict = f"  goal ≤ {goal:.2f} s: {'met' if sample.median <= goal else 'MISSED'}"
        print(f"  {name:<11} {sample.median:6.3f} s  {sample.median / jrnl:5.2f}× jrnl{verdict}")
    print(f"  (on {os.cpu_count()} cores, python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
