"""The app's resident memory after its background work, beside jrnl's.

Run as ``python -m benchmarks.app_memory SIZE [--rounds N]`` (the dataset is
generated if missing, see :mod:`benchmarks.datasets`). Each round starts the
real app headless in its own process (``--probe``), unlocks it as a person
does, waits until the background work is done (every row of the journal
listed, the full-text index opened and merged) and opens the related-stories
index (as opening a story does), then reads ``/proc/self/status``:

* ``VmRSS``, the resident memory *after* that work: the figure the goal is
  about ("app RSS at 100k after background work");
* ``VmHWM``, the peak on the way (mostly the key derivation's 128 MiB, which
  is returned to the system once the key is derived).

jrnl's figure is the peak RSS of ``jrnl -n 5`` (it holds the whole decrypted
journal until it exits), measured in the same run. Prints a table with the
medians and the ratio, and one JSON line.

The dataset must already hold its full-text index (any earlier open made it,
e.g. ``python -m benchmarks.app_queries SIZE 10``); otherwise the first round
indexes every story, which is not what a person pays at each unlock.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
from pathlib import Path

from benchmarks.datasets import ensure
from benchmarks.runner import FD, Command, run_once

SIZE = (120, 40)
POLL = 0.05


def status_mib() -> dict[str, float]:
    """``VmRSS``, ``VmHWM``, ``RssAnon`` and ``RssFile`` of this process in MiB (Linux)."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            found[name] = int(value.split()[0]) / 1024
    return found


def probe(fd: int) -> None:
    """Run the app, unlock, wait for the background work, print the memory as JSON."""
    from textual.pilot import Pilot
    from textual.widgets import Input

    from storycircle.cli.terminal import PassphraseSource
    from storycircle.screens.library import LibraryScreen
    from storycircle.screens.welcome import WelcomeScreen
    from storycircle.session.installation import open_installation
    from storycircle.session.session import Session
    from storycircle.tui.app import StorycircleApp

    passphrase = PassphraseSource(fd).ask("")
    installation = open_installation()
    session = Session(installation)
    app = StorycircleApp(session)
    result: dict[str, float] = {}

    async def drive(pilot: Pilot[object]) -> None:
        while not (isinstance(app.screen, WelcomeScreen) and app.screen.is_mounted):
            await pilot.pause(POLL)
        field = app.screen.query_one("#unlock-passphrase", Input)
        field.value = passphrase
        field.focus()
        app.simulate_key("enter")
        while True:
            await pilot.pause(POLL)
            if not isinstance(app.screen, LibraryScreen):
                continue
            library = session.library
            index = library.text_index
            journal = library.journal
            ready = journal is not None and journal.listed and index is not None and index.ready
            if ready and not any(worker.is_running for worker in app.workers):
                break
        library.index  # noqa: B018 - the related index, as opening a story builds it
        await pilot.pause(POLL)
        gc.collect()
        result.update(status_mib())
        result["stories"] = len(library.journal.summaries()) if library.journal else 0
        app.exit()

    try:
        app.run(headless=True, size=SIZE, auto_pilot=drive)
    finally:
        installation.store.close()
    print(json.dumps(result))


def measure(size: int, rounds: int) -> dict[str, list[float]]:
    """The app's RSS after its background work and its peak, and ``jrnl -n 5``'s peak, in turn.

    Returns:
        Each round's MiB under ``app_rss_after_mib``, ``app_peak_mib`` and
        ``jrnl_peak_mib``.
    """
    dataset = ensure(size)
    app = Command(("-m", "benchmarks.app_memory", "0", "--probe", FD), dataset.storycircle_env())
    jrnl = Command(("-m", "jrnl", "-n", "5"), dataset.jrnl_env())
    keys = ("app_rss_after_mib", "app_peak_mib", "jrnl_peak_mib")
    found: dict[str, list[float]] = {key: [] for key in keys}
    for _ in range(rounds):
        result = json.loads(run_once(app, capture=True)[2].decode().strip().splitlines()[-1])
        assert result["stories"] == size, result
        found["app_rss_after_mib"].append(result["VmRSS"])
        found["app_peak_mib"].append(result["VmHWM"])
        found["jrnl_peak_mib"].append(run_once(jrnl)[1])
    return found


def main() -> None:
    """Measure the app and ``jrnl -n 5`` in turn; print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", type=int)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:
        probe(args.probe)
        return
    found = measure(args.size, args.rounds)
    ours, high, jrnl_peak = (
        statistics.median(found[k]) for k in ("app_rss_after_mib", "app_peak_mib", "jrnl_peak_mib")
    )
    print(f"{'figure':<52} {'MiB':>7}")
    print(f"{'app RSS after background work, ' + f'{args.size:,}':<52} {ours:>7.0f}")
    print(f"{'app peak RSS (VmHWM), ' + f'{args.size:,}':<52} {high:>7.0f}")
    print(f"{'jrnl -n 5 peak RSS, ' + f'{args.size:,}':<52} {jrnl_peak:>7.0f}")
    print(f"ratio (app after / jrnl peak): {ours / jrnl_peak:.3f}x (goal <= 0.1x)")
    print(json.dumps({**found, "ratio": ours / jrnl_peak}), file=sys.stderr)


if __name__ == "__main__":
    main()
