"""Benchmark hybrid post-quantum (mlkem768x25519) keys against X25519.

Figures (issue #19), each printed as a median:

* encrypt and decrypt a 2 KiB story to one recipient, and to a circle of 12
  (12 recipients in one file; decrypted by the last one listed, the slowest);
* re-key a circle of 10,000 stories after a removal: <= 20 s (hybrid circle,
  beside the same circle with classic keys);
* apply 1,000 new story files from a circle folder: <= 5 s (hybrid, and classic).

The classic and hybrid runs of a circle figure are taken in turn, so that both
see the same load on a shared machine.

The circle figures use the same set-up as :mod:`benchmarks.bench_circles`
(file-backed databases, ~200-word stories). A classic circle is made by
inviting members with cards without a hybrid key, as an older version made them.

Run from the repository root::

    python -m benchmarks.bench_pq            # the figures above
    python -m benchmarks.bench_pq --quick    # 1,000 stories, 100 files, fewer rounds
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from benchmarks.bench_circles import Person, _share_all, _stories
from storycircle import vault
from storycircle.circles import Circles, MemberCard, Sharing
from storycircle.circles.inbox import refresh
from storycircle.journal.journal import Journal
from storycircle.store import Store

STORY = os.urandom(2048)
TARGETS = {"rekey": 20.0, "folder": 5.0}


def _median_ms(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def bench_vault(rounds: int) -> list[tuple[str, float, float]]:
    """(label, X25519 ms, hybrid ms) for encrypt and decrypt at 1 and 12 recipients."""
    rows = []
    for count in (1, 12):
        results = []
        for make in (vault.X25519Identity.generate, vault.HybridIdentity.generate):
            identities: Sequence[vault.X25519Identity | vault.HybridIdentity] = [
                make() for _ in range(count)
            ]
            recipients = [i.recipient for i in identities]
            encrypted = vault.encrypt(STORY, recipients)
            last = [identities[-1]]
            assert vault.decrypt(encrypted, last) == STORY
            results.append(
                (
                    _median_ms(partial(vault.encrypt, STORY, recipients), rounds),
                    _median_ms(partial(vault.decrypt, encrypted, last), rounds),
                )
            )
        who = "one recipient" if count == 1 else "a circle of 12"
        rows.append((f"encrypt 2 KiB to {who}", results[0][0], results[1][0]))
        rows.append((f"decrypt 2 KiB sent to {who}", results[0][1], results[1][1]))
    return rows


def _card(person: Person, classic: bool) -> MemberCard:
    """The member's card; with ``classic``, the member runs as an older version (X25519 only).

    An older version neither puts a hybrid key on the card nor lists one in
    the circle later, so the circle's key stays classic.
    """
    if classic:
        record = replace(person.member.record, hybrid_recipient="")
        person.member = replace(person.member, record=record, hybrid=None, upgrade=None)
        store = person.circles.store
        person.journal = Journal(store, person.member)
        person.circles = Circles(store, person.member)
        person.sharing = Sharing(person.circles)
    return MemberCard.of(person.member.record)


class _RekeyCircle:
    """A circle of ``size`` stories and ``runs`` members to remove, one per timed re-key."""

    def __init__(self, root: Path, size: int, runs: int, *, classic: bool) -> None:
        self.classic = classic
        self.store = Store.open(root / f"rekey-{classic}.db")
        self.host = Person(self.store, "host")
        keep = Person(self.store, "keep")
        self.others = [Person(self.store, f"member{n}") for n in range(runs)]
        self.circle_id = self.host.circles.create("Re-key circle").id
        for other in [keep, *self.others]:
            self.host.circles.invite(self.circle_id, _card(other, classic))
            other.circles.accept(self.circle_id, other.member.pseudonym)
        _share_all(self.host, _stories(self.host, size, seed=5), self.circle_id)

    def remove_one(self, run: int) -> tuple[float, float]:
        """Wall and CPU seconds to remove one member (a re-key of every story)."""
        started, cpu = time.perf_counter(), time.process_time()
        self.host.circles.remove(self.circle_id, self.others[run].member.id)
        elapsed = time.perf_counter() - started, time.process_time() - cpu
        roster = self.host.circles.roster(self.circle_id)
        assert roster.epoch_recipient.startswith("age1pq1") != self.classic, "wrong key kind"
        return elapsed


class _FolderCircle:
    """A circle folder holding ``files`` story files, and ``runs`` readers elsewhere."""

    def __init__(self, root: Path, files: int, runs: int, *, classic: bool) -> None:
        self.folder = root / f"folder-{classic}"
        self.folder.mkdir()
        self.one = Store.open(root / f"one-{classic}.db")
        ash = Person(self.one, "ash")
        circle_id = ash.circles.create("Folder circle", folder=str(self.folder)).id
        self.files = files
        self.readers = []
        for run in range(runs):
            store = Store.open(root / f"two-{classic}-{run}.db")
            reader = Person(store, f"reader{run}")
            ash.circles.invite(circle_id, _card(reader, classic))
            self.readers.append((store, reader))
        if classic:
            # A circle's key is made at creation and at each re-key: one removal
            # after the classic readers joined makes it classic.
            gone = Person(self.one, "gone")
            ash.circles.invite(circle_id, _card(gone, classic))
            ash.circles.remove(circle_id, gone.member.id)
        _share_all(ash, _stories(ash, files, seed=6), circle_id)
        hybrid = ash.circles.roster(circle_id).epoch_recipient.startswith("age1pq1")
        assert hybrid != classic, "the circle key is not of the kind measured"

    def apply_one(self, run: int) -> tuple[float, float]:
        """Wall and CPU seconds for one reader's machine to apply every new file."""
        _store, reader = self.readers[run]
        started, cpu = time.perf_counter(), time.process_time()
        report = refresh(reader.sharing, str(self.folder))
        elapsed = time.perf_counter() - started, time.process_time() - cpu
        assert report.applied >= self.files and not report.refused, report.summary()
        return elapsed


Timed = Callable[[int], tuple[float, float]]


def _alternating(classic: Timed, hybrid: Timed, runs: int) -> list[tuple[float, float]]:
    """Median (wall, CPU) seconds of each, runs taken in turn so both see the same load."""
    classic_times, hybrid_times = [], []
    for run in range(runs):
        classic_times.append(classic(run))
        hybrid_times.append(hybrid(run))
    return [
        (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))
        for times in (classic_times, hybrid_times)
    ]


def main() -> None:
    """Run the figures and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer rounds")
    args = parser.parse_args()
    size, files, runs, rounds = (1_000, 100, 1, 50) if args.quick else (10_000, 1_000, 3, 500)
    print(f"vault: medians of {rounds} rounds")
    print(f"{'figure':40} {'X25519':>10} {'hybrid':>10} {'ratio':>7}")
    for label, classic_ms, hybrid_ms in bench_vault(rounds):
        ratio = hybrid_ms / classic_ms
        print(f"{label:40} {classic_ms:8.3f} ms {hybrid_ms:7.3f} ms {ratio:6.1f}x")
    print(f"circles: {size} stories, {files} folder files, median of {runs} run(s)")
    print(f"(load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'figure':40} {'X25519':>10} {'hybrid':>10} {'target':>8}  result")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rekey = [_RekeyCircle(root, size, runs, classic=kind) for kind in (True, False)]
        folder = [_FolderCircle(root, files, runs, classic=kind) for kind in (True, False)]
        figures = {
            "rekey": (
                f"re-key {size} stories after a removal",
                _alternating(rekey[0].remove_one, rekey[1].remove_one, runs),
            ),
            "folder": (
                f"apply {files} new files from a folder",
                _alternating(folder[0].apply_one, folder[1].apply_one, runs),
            ),
        }
        for name, (label, [(classic_s, classic_cpu), (hybrid_s, hybrid_cpu)]) in figures.items():
            target = TARGETS[name]
            verdict = "meets" if hybrid_s <= target else f"MISS ({hybrid_s / target:.1f}x)"
            print(
                f"{label:40} {classic_s:8.2f} s {hybrid_s:8.2f} s {target:6.1f} s  {verdict}",
                flush=True,
            )
            cpu_label = "  of which CPU time of this process"
            print(f"{cpu_label:40} {classic_cpu:8.2f} s {hybrid_cpu:8.2f} s")
        for circle in rekey:
            circle.store.close()
        for place in folder:
            place.one.close()
            for store, _reader in place.readers:
                store.close()


if __name__ == "__main__":
    main()
