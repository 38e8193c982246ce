"""Benchmark importing and exporting 10,000 Markdown stories.

Generates 10,000 Markdown files with YAML front matter (about 200 words and
5 tags each, tags drawn from 500 with Zipf popularity, s = 1.1) in a
temporary folder, then, three times over, imports them into a fresh
file-backed journal and exports that journal as a Markdown folder. Prints the
median of the three runs next to the target (10 s each). Creating and
unlocking the member is not timed.

Run from the repository root::

    python -m benchmarks.bench_import_export
    python -m benchmarks.bench_import_export --stories 1000 --runs 1   # a quick look
    python -m benchmarks.bench_import_export --also-in-memory   # without fsync per save
    python -m benchmarks.bench_import_export --vs-jrnl   # whole processes, next to jrnl

With ``--vs-jrnl`` it times whole processes instead, as a person runs them:
``storycircle import FOLDER`` (unlocking at the default work factor, the
passphrase on a pipe) against ``jrnl --import --file FILE`` into an empty
encrypted jrnl journal, the same entries in both (:func:`benchmarks.synth.entries`,
300 words and 5 tags each), each round into fresh copies of the empty
journals, rotating who goes first; it prints both medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import synth
from benchmarks.datasets import Dataset, build_jrnl, build_storycircle, jrnl_text
from benchmarks.runner import FD, Command, run_once
from storycircle.journal.journal import Journal
from storycircle.journal.members import create_member, unlock
from storycircle.models import JOURNAL_SCOPE
from storycircle.paths import DATABASE_NAME
from storycircle.store import Store
from storycircle.transfer.exporting import export_journal
from storycircle.transfer.importing import import_path

TARGET_SECONDS = 10.0
TARGET_VS_JRNL_SECONDS = 5.0
"""Issue 17: storycircle imports 10,000 Markdown files in at most 5 s."""
TAG_POOL = 500
ZIPF_S = 1.1
WORDS = [
    "morning",
    "night",
    "walk",
    "group",
    "call",
    "sleep",
    "kitchen",
    "bus",
    "work",
    "friend",
    "sister",
    "door",
    "list",
    "coffee",
    "rain",
    "bridge",
    "breathe",
    "count",
    "small",
    "step",
    "tired",
    "again",
    "better",
    "meeting",
    "chair",
    "window",
    "hope",
    "the",
    "a",
    "and",
    "I",
    "was",
    "it",
    "to",
    "of",
    "in",
    "my",
    "that",
    "we",
    "she",
    "he",
    "they",
    "said",
    "felt",
    "went",
    "came",
    "stayed",
]
PASSPHRASE = "benchmark orbit kettle seventeen"


def generate(folder: Path, count: int, seed: int = 7) -> None:
    """Write ``count`` Markdown stories into ``folder``."""
    rng = random.Random(seed)
    tags = [f"topic-{rank}" for rank in range(1, TAG_POOL + 1)]
    weights = [1 / rank**ZIPF_S for rank in range(1, TAG_POOL + 1)]
    for number in range(count):
        chosen: set[str] = set()
        while len(chosen) < 5:
            chosen.add(rng.choices(tags, weights)[0])
        words = rng.choices(WORDS, k=200)
        paragraphs = "\n\n".join(" ".join(words[i : i + 50]) for i in range(0, 200, 50))
        day = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        (folder / f"story-{number:05d}.md").write_text(
            f"---\ntitle: Story {number} about {words[0]} and {words[1]}\n"
            f"tags: [{', '.join(sorted(chosen))}]\ndate: {day}\n---\n\n{paragraphs}\n",
            encoding="utf-8",
        )


def one_run(
    source: Path, work: Path, run: int, *, in_memory: bool = False
) -> tuple[float, float, int]:
    """Import ``source`` into a fresh journal, then export it; return both times."""
    store = Store.memory() if in_memory else Store.open(work / f"run-{run}.db")
    try:
        record = create_member(store, "bench", PASSPHRASE, work_factor=10)
        journal = Journal(store, unlock(record, PASSPHRASE))
        started = time.perf_counter()
        report = import_path(source, journal)
        imported = time.perf_counter() - started
        assert not report.problems, report.problems[:3]
        started = time.perf_counter()
        exported = export_journal(journal, "markdown", work / f"export-{run}")
        exporting = time.perf_counter() - started
        return imported, exporting, exported.stories
    finally:
        store.close()


def write_markdown(folder: Path, entries: list[synth.Entry]) -> None:
    """``entries`` as one Markdown file each, with YAML front matter."""
    folder.mkdir(parents=True)
    for number, entry in enumerate(entries):
        (folder / f"entry-{number:05d}.md").write_text(
            f"---\ntitle: {entry.title}\ntags: [{', '.join(entry.tags)}]\n"
            f"date: {entry.created}\n---\n\n{entry.body}\n",
            encoding="utf-8",
        )


def versus_jrnl(count: int, rounds: int, baseline: Path | None = None) -> dict[str, float]:
    """Time ``storycircle import`` and ``jrnl --import`` of the same entries, interleaved.

    With ``baseline`` (a checkout of another version of storycircle) its
    import is timed in the same rounds too, to compare versions on one load.

    Returns:
        The median wall-clock seconds of each contender ("storycircle",
        "jrnl", "baseline"), for a results table.
    """
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="storycircle-bench-") as temporary:
        root = Path(temporary)
        entries = synth.entries(count, words=300)
        write_markdown(root / "markdown", entries)
        (root / "entries.txt").write_text(jrnl_text(entries), encoding="utf-8")
        empty = Dataset(count, root / "empty")
        build_storycircle(empty.home, [])  # one member, keys at the default work factor
        build_jrnl(empty.jrnl, [])  # an encrypted jrnl journal holding nothing
        config = empty.jrnl / "config" / "jrnl" / "jrnl.yaml"
        template = config.read_text()
        source = ("import", str(root / "markdown"), "--passphrase-fd", FD)
        commands: dict[str, Callable[[Dataset], Command]] = {
            "storycircle": lambda data: Command(
                ("-m", "storycircle", *source), data.storycircle_env()
            ),
            "jrnl": lambda data: Command(
                ("-m", "jrnl", "--import", "--file", str(root / "entries.txt")), data.jrnl_env()
            ),
        }
        if baseline is not None:
            # -m would find this checkout's package first (the working folder
            # leads sys.path), so the baseline's folder is put in front.
            start = (
                f"import runpy, sys; sys.path.insert(0, {str(baseline.resolve())!r}); "
                "runpy.run_module('storycircle', run_name='__main__')"
            )
            commands["baseline"] = lambda data: Command(
                ("-c", start, *source), data.storycircle_env()
            )

        def fresh(run: int) -> Dataset:
            target = Dataset(count, root / f"run-{run}")
            shutil.copytree(empty.folder, target.folder)
            (target.jrnl / "config" / "jrnl" / "jrnl.yaml").write_text(
                template.replace(str(empty.jrnl), str(target.jrnl))
            )
            return target

        names = list(commands)
        times: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        run = 0
        for number in range(rounds + 1):  # round 0 warms the caches and is not counted
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                data = fresh(run)
                run += 1
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                seconds, _, _ = run_once(commands[name](data))
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                # CPU seconds of that one child (reaped in run_once): what
                # the import costs, less swayed than wall time by a loaded machine.
                used = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
                if name == "jrnl":
                    size = (data.jrnl / "journal.txt").stat().st_size
                    assert size > count * 100, f"jrnl's journal is only {size} bytes"
                else:
                    store = Store.open(data.home / DATABASE_NAME)
                    stored = store.count_stories(JOURNAL_SCOPE)
                    store.close()
                    assert stored == count, f"{name} stored {stored} of {count}"
                shutil.rmtree(data.folder)
                if number:
                    times[name].append(seconds)
                    cpu[name].append(used)
                print(
                    f"round {number}{' (warm-up)' if not number else ''}: {name} {seconds:.2f} s "
                    f"(CPU {used:.2f} s)"
                )
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    ours, theirs = medians["storycircle"], medians["jrnl"]
    verdict = "meets" if ours <= TARGET_VS_JRNL_SECONDS else "MISSES"
    extra = ""
    if "baseline" in medians:
        extra = f", baseline {medians['baseline']:.2f} s ({medians['baseline'] / theirs:.2f}x)"
    print(
        f"import of {count:,} Markdown files, median of {rounds} interleaved rounds: "
        f"storycircle {ours:.2f} s, jrnl {theirs:.2f} s, ratio {ours / theirs:.2f}x{extra}; "
        f"target <= {TARGET_VS_JRNL_SECONDS:.0f} s: {verdict} "
        f"(load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"after: {' '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )
    print(
        "CPU seconds (user + system), medians: "
        + ", ".join(f"{name} {value:.2f} s" for name, value in cpu_medians.items())
        + f"; ratio {cpu_medians['storycircle'] / cpu_medians['jrnl']:.2f}x"
    )
    return medians


def main() -> None:
    """Run the benchmark and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--also-in-memory",
        action="store_true",
        help="one more run on an in-memory store, to separate the cost of the import "
        "pipeline from the store's per-save fsync",
    )
    parser.add_argument(
        "--vs-jrnl",
        action="store_true",
        help="whole processes: `storycircle import` against `jrnl --import` of the same "
        "entries, interleaved; prints both medians and the ratio",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds with --vs-jrnl")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="with --vs-jrnl, also time the storycircle in this folder (e.g. `git archive "
        "main | tar -x -C /tmp/before`) in the same rounds",
    )
    args = parser.parse_args()
    if args.vs_jrnl:
        versus_jrnl(args.stories, args.rounds, args.baseline)
        return
    with tempfile.TemporaryDirectory(prefix="storycircle-bench-") as temporary:
        root = Path(temporary)
        source = root / "source"
        source.mkdir()
        started = time.perf_counter()
        generate(source, args.stories)
        print(f"generated {args.stories} files in {time.perf_counter() - started:.1f} s")
        imports, exports = [], []
        for run in range(args.runs):
            imported, exported, count = one_run(source, root, run)
            assert count == args.stories, count
            imports.append(imported)
            exports.append(exported)
            print(f"run {run + 1}: import {imported:.2f} s, export {exported:.2f} s")
        if args.also_in_memory:
            imported, exported, _ = one_run(source, root, args.runs, in_memory=True)
            print(f"in-memory store: import {imported:.2f} s, export {exported:.2f} s")
    for name, times in (("import", imports), ("export", exports)):
        median = statistics.median(times)
        verdict = "meets" if median <= TARGET_SECONDS else "MISSES"
        print(
            f"{name} of {args.stories} stories: median {median:.2f} s over {args.runs} runs "
            f"({median / args.stories * 1000:.2f} ms each); target <= {TARGET_SECONDS:.0f} s: "
            f"{verdict}"
        )


if __name__ == "__main__":
    main()
