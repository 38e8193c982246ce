"""Interface speed: start-up, unlock to a drawn 10k library, key to frame, reader.

Run: ``python -m benchmarks.bench_interface [--quick]``. Prints medians and
ratios against the targets; it never fails. Whole-process start-up is
compared with a minimal Textual app measured in the same run, interleaved.
``--startup-only [--rounds N]`` times only that: start to the drawn unlock
form (a data folder with one member), to the first-run form (an empty one),
and the minimal app, in N interleaved rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember, create_member, unlock
from storycircle.models import Story
from storycircle.screens.library import LibraryScreen
from storycircle.screens.reader import ReaderScreen
from storycircle.session.config import Config
from storycircle.session.installation import Installation, open_installation
from storycircle.session.session import Session
from storycircle.store import Store
from storycircle.tui.app import StorycircleApp

PASSPHRASE = "kettle orbit maple seventeen"
WORDS = [
    "morning",
    "tea",
    "window",
    "walk",
    "breath",
    "friend",
    "group",
    "sleep",
    "night",
    "hope",
    "call",
    "sister",
    "work",
    "kitchen",
    "bus",
    "rain",
    "quiet",
    "list",
    "garden",
    "river",
    "tired",
    "better",
    "slowly",
    "again",
    "today",
]
SIZE = (120, 40)


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


# Bytecode is written and reused, as after ``pip install``: with
# PYTHONDONTWRITEBYTECODE set (some shells and CI do), every start would
# compile storycircle's modules again and time the compiler, not the app.
_COMPILED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time_process(args: list[str]) -> float:
    return _run_process(args)[0]


def _run_process(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of ``python args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, env=_COMPILED)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _folder_with_member(folder: Path) -> Path:
    """A data folder holding one member, so the app starts on the unlock form."""
    installation = open_installation(folder)
    create_member(installation.store, "bench", PASSPHRASE, work_factor=10)
    installation.store.close()
    return folder


def startup_rounds(rounds: int) -> dict[str, tuple[float, float]]:
    """Median whole-process seconds to a drawn first screen (wall clock, CPU), by
    what is started.

    ``unlock``: storycircle with a member (the unlock form); ``first run``:
    an empty data folder (the create form); ``minimal``: a bare Textual app.
    The three alternate within each round, so load on the machine falls on
    all of them alike; CPU time is the steadier figure on a busy machine.
    """
    with tempfile.TemporaryDirectory() as members, tempfile.TemporaryDirectory() as empty:
        probes = {
            "unlock": ["storycircle", str(_folder_with_member(Path(members)))],
            "first run": ["storycircle", empty],
            "minimal": ["minimal"],
        }
        walls: dict[str, list[float]] = {name: [] for name in probes}
        cpus: dict[str, list[float]] = {name: [] for name in probes}
        for args in probes.values():  # warm the file cache and the bytecode
            _run_process(["-m", "benchmarks.startup_probe", *args])
        for _ in range(rounds):
            for name, args in probes.items():
                wall, cpu = _run_process(["-m", "benchmarks.startup_probe", *args])
                walls[name].append(wall)
                cpus[name].append(cpu)
    return {name: (_median(walls[name]), _median(cpus[name])) for name in probes}


def startup(rounds: int) -> tuple[float, float]:
    """Median whole-process seconds to the drawn unlock form, and the minimal app's."""
    medians = startup_rounds(rounds)
    return medians["unlock"][0], medians["minimal"][0]


def print_startup(rounds: int) -> None:
    """Print the start-up medians and their ratios to the minimal app."""
    medians = startup_rounds(rounds)
    wall_min, cpu_min = medians["minimal"]
    print(f"start-up to the first drawn screen ({rounds} interleaved rounds, medians)")
    print("| started | wall clock | ratio | CPU | ratio | target |")
    print("|---|---|---|---|---|---|")
    for name, (wall, cpu) in medians.items():
        target = "<= 1.2x" if name == "unlock" else ""
        print(
            f"| {name} | {wall:.3f} s | {wall / wall_min:.2f}x "
            f"| {cpu:.3f} s | {cpu / cpu_min:.2f}x | {target} |"
        )


def unlock_seconds(work_factor: int, rounds: int) -> float:
    """Median seconds of one unlock at ``work_factor``."""
    store = Store.memory()
    record = create_member(store, "bench", PASSPHRASE, work_factor=work_factor)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        unlock(record, PASSPHRASE)
        samples.append(time.perf_counter() - start)
    store.close()
    return _median(samples)


def build_library(path: Path, count: int) -> UnlockedMember:
    """A database of ``count`` signed, encrypted stories of ~200 words."""
    store = Store.open(path)
    record = create_member(store, "bench", PASSPHRASE, work_factor=10)
    member = unlock(record, PASSPHRASE)
    journal = Journal(store, member)
    rng = random.Random(7)
    tags = [f"topic-{n}" for n in range(200)]
    for n in range(count):
        stamp = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+00:00"
        story = Story(
            id=f"s{n:07d}",
            version=1,
            title=f"Story {n}: " + " ".join(rng.choices(WORDS, k=4)),
            body=" ".join(rng.choices(WORDS, k=200)),
            tags=tuple(rng.sample(tags, 5)),
            author_id=member.id,
            created=stamp,
            updated=stamp,
        )
        journal._write(story, expected_version=0)
    store.close()
    return member


async def _library_and_keys(path: Path, member: UnlockedMember, rounds: int) -> tuple[float, float]:
    open_times: list[float] = []
    key_cpu: list[float] = []
    for _ in range(rounds):
        store = Store.open(path)
        session = Session(Installation(path.parent, store, Config(work_factor=10)))
        app = StorycircleApp(session)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            session.open_journal(member)  # keys already derived: KDF excluded
            await app.push_screen(LibraryScreen(session))
            await pilot.pause()
            open_times.append(time.perf_counter() - start)
            for _ in range(20):
                cpu = time.process_time()
                await pilot.press("down")
                await pilot.pause()
                key_cpu.append(time.process_time() - cpu)
        store.close()
    return _median(open_times), _median(key_cpu)


async def _reader(path: Path, member: UnlockedMember, rounds: int) -> float:
    store = Store.open(path)
    session = Session(Installation(path.parent, store, Config(work_factor=10)))
    journal = session.open_journal(member)
    paragraphs = [" ".join(random.Random(n).choices(WORDS, k=100)) for n in range(20)]
    story = journal.save(title="A long story", body="\n\n".join(paragraphs), tags=["hope"]).story
    samples = []
    app = StorycircleApp(session)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(rounds):
            start = time.perf_counter()
            await app.push_screen(ReaderScreen(session, story.id))
            await pilot.pause()
            samples.append(time.perf_counter() - start)
            app.pop_screen()
            await pilot.pause()
    store.close()
    return _median(samples)


def _row(name: str, value: float, unit: str, target: str, ok: Callable[[float], bool]) -> str:
    mark = "meets" if ok(value) else "MISSES"
    return f"| {name} | {value:.3f} {unit} | {target} | {mark} |"


def main() -> None:
    """Run every figure and print a table of medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 1,000 stories")
    parser.add_argument("--startup-only", action="store_true", help="time start-up only")
    parser.add_argument("--rounds", type=int, default=0, help="rounds (default 9; 3 quick)")
    args = parser.parse_args()
    if args.startup_only:
        print_startup(args.rounds or 15)
        return
    rounds = args.rounds or (3 if args.quick else 9)
    count = 1_000 if args.quick else 10_000
    ours, minimal = startup(rounds)
    kdf = unlock_seconds(17, 3 if args.quick else 5)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "storycircle.db"
        member = build_library(path, count)
        library, key = asyncio.run(_library_and_keys(path, member, 3 if args.quick else 5))
        reader = asyncio.run(_reader(path, member, rounds))
    print(f"storycircle interface benchmark ({count:,} stories, {rounds} rounds, medians)")
    print("| figure | median | target | |")
    print("|---|---|---|---|")
    print(f"| start to drawn unlock form: storycircle | {ours:.3f} s | | |")
    print(f"| start to first screen: minimal Textual app | {minimal:.3f} s | | |")
    print(_row("start-up ratio", ours / minimal, "x", "<= 1.2", lambda v: v <= 1.2))
    print(_row("unlock at work factor 17 (KDF)", kdf, "s", "(reported)", lambda v: True))
    print(_row(f"unlock to drawn library, {count:,}", library, "s", "<= 0.300", lambda v: v <= 0.3))
    print(_row("key press to frame (CPU)", key * 1000, "ms", "<= 16", lambda v: v <= 16))
    print(_row("2,000-word story to drawn reader", reader, "s", "<= 0.400", lambda v: v <= 0.4))


if __name__ == "__main__":
    main()
