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
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from storycircle.exporting import export_journal
from storycircle.importing import import_path
from storycircle.journal import Journal
from storycircle.members import create_member, unlock
from storycircle.store import Store

TARGET_SECONDS = 10.0
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
    args = parser.parse_args()
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
