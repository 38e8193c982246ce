"""In-app query latency on a generated journal: related stories and full-text search.

Run as ``python -m benchmarks.app_queries SIZE QUERIES`` (the dataset must
exist; :mod:`benchmarks.bench_vs_jrnl` makes it). Prints one JSON object:
how long the full-text index takes to open after an unlock (as the
app's background worker opens it, from its sealed segments; the first open of
a dataset, which indexes every story once, is reported apart) and its memory, then p50/p95 of
``Library.related`` and of ``Library.find`` with a word, over random stories
and words. Runs in its own process so its memory is its own.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from benchmarks import synth
from benchmarks.datasets import PASSPHRASE, ensure
from storycircle.journal.members import unlock
from storycircle.journal.search_index import SearchIndex
from storycircle.models import JOURNAL_SCOPE
from storycircle.session.installation import open_installation
from storycircle.session.session import Session
from storycircle.store import Store


def rss_mib() -> float:
    """Resident memory of this process in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p95 of ``samples`` (milliseconds)."""
    ordered = sorted(samples)
    return {
        "p50": ordered[len(ordered) // 2],
        "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
    }


def main() -> None:
    """Measure and print JSON."""
    size, queries = int(sys.argv[1]), int(sys.argv[2])
    dataset = ensure(size)
    installation = open_installation(dataset.home)
    session = Session(installation)
    member = unlock(session.members()[0], PASSPHRASE)
    session.open_journal(member)
    library = session.library
    rows = library.summaries(JOURNAL_SCOPE)

    start = time.perf_counter()
    library.index  # noqa: B018 - builds the related index, as the first reader does
    related_build = time.perf_counter() - start

    rng = random.Random(size)
    samples = []
    for summary in rng.sample(rows, min(len(rows), queries)):
        story = library.load(summary.id)
        start = time.perf_counter()
        library.related(story)
        samples.append((time.perf_counter() - start) * 1000)
    related = percentiles(samples)

    # The full-text index as the library screen's worker opens it: on its
    # own connection. The first open of a dataset indexes every story (once,
    # kept sealed in the database) and merges; the figure that counts is the
    # next unlock, which only opens the sealed segments.
    assert installation.store.path is not None
    worker_store = Store.open(installation.store.path)
    start = time.perf_counter()
    first = SearchIndex(member)
    first.load(worker_store)
    while first.merge(worker_store):
        pass
    first_open = time.perf_counter() - start
    del first
    before = rss_mib()
    start = time.perf_counter()
    index = library.start_text_index()
    assert index is not None
    index.load(worker_store)
    index_ready = time.perf_counter() - start
    index_mib = rss_mib() - before
    worker_store.close()
    segments = index.segment_count
    # Words drawn two ways: by their frequency in the text (mostly very
    # common words, each matching a third of the journal or more: the worst
    # case), and uniformly from the vocabulary (distinctive words, as people
    # mostly search for).
    vocabulary = synth.word_list()
    weights = synth.zipf_weights(len(vocabulary), 1.0)
    frequent = rng.choices(vocabulary, cum_weights=weights, k=queries)
    draws = {
        "frequent": frequent,
        "any": rng.choices(vocabulary, k=queries),
        # Partial words, as typed: the first two or three letters of those
        # frequent words (each matching hundreds of words of the vocabulary).
        "partial": [word[: rng.choice((2, 3))] for word in frequent],
    }
    search: dict[str, dict[str, float]] = {}
    hits: dict[str, int] = {}
    matched: dict[str, int] = {}
    for name, words in draws.items():
        samples, counts, matches = [], [], []
        for word in words:
            start = time.perf_counter()
            found = library.find(JOURNAL_SCOPE, word)
            samples.append((time.perf_counter() - start) * 1000)
            counts.append(len(found))
            matches.append(library.text_matches)  # found lists the newest SEARCH_LIMIT
        search[name] = percentiles(samples)
        hits[name] = sorted(counts)[len(counts) // 2]
        matched[name] = sorted(matches)[len(matches) // 2]
    installation.store.close()
    print(
        json.dumps(
            {
                "size": size,
                "related_build_s": related_build,
                "related_ms": related,
                "index_first_open_s": first_open,
                "index_ready_s": index_ready,
                "index_segments": segments,
                "index_mib": index_mib,
                "rss_after_mib": rss_mib(),
                "search_ms": search,
                "search_hits_median": hits,
                "search_matches_median": matched,
            }
        )
    )


if __name__ == "__main__":
    main()
