"""Benchmark hybrid post-quantum (mlkem768x25519) keys against X25519.

Figures (issue #19), each printed as a median:

* encrypt and decrypt a 2 KiB story to one recipient, and to a circle of 12
  (12 recipients in one file; decrypted by the last one listed, the slowest);
* re-key a circle of 10,000 stories after a removal: <= 20 s (hybrid circle,
  beside the same circle with classic keys);
* apply 1,000 new story files from a circle folder: <= 5 s (hybrid, and classic).

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
from functools import partial
from pathlib import Path

from benchmarks.bench_circles import Person, _share_all, _stories
from storycircle import vault
from storycircle.circles import MemberCard
from storycircle.circles.inbox import refresh
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
    card = MemberCard.of(person.member.record)
    if classic:  # a card as made before hybrid keys
        return MemberCard(card.member_id, card.recipient, card.signing_public, card.pseudonym)
    return card


def bench_rekey(root: Path, size: int, runs: int, *, classic: bool) -> float:
    """Median seconds to remove a member from a circle of ``size`` stories."""
    store = Store.open(root / f"rekey-{classic}.db")
    host = Person(store, "host")
    keep = Person(store, "keep")
    others = [Person(store, f"member{n}") for n in range(runs)]
    circle = host.circles.create("Re-key circle")
    for other in [keep, *others]:
        host.circles.invite(circle.id, _card(other, classic))
        other.circles.accept(circle.id, other.member.pseudonym)
    _share_all(host, _stories(host, size, seed=5), circle.id)
    times = []
    for other in others:
        started = time.perf_counter()
        host.circles.remove(circle.id, other.member.id)
        times.append(time.perf_counter() - started)
        hybrid = host.circles.roster(circle.id).epoch_recipient.startswith("age1pq1")
        assert hybrid != classic, "the circle key is not of the kind measured"
    store.close()
    return statistics.median(times)


def bench_folder(root: Path, files: int, runs: int, *, classic: bool) -> float:
    """Median seconds for another machine to apply ``files`` new story files."""
    folder = root / f"folder-{classic}"
    folder.mkdir()
    one = Store.open(root / f"one-{classic}.db")
    ash = Person(one, "ash")
    circle = ash.circles.create("Folder circle", folder=str(folder))
    readers = []
    for run in range(runs):
        store = Store.open(root / f"two-{classic}-{run}.db")
        reader = Person(store, f"reader{run}")
        ash.circles.invite(circle.id, _card(reader, classic))
        readers.append((store, reader))
    if classic:
        # A circle's key is made at creation and at each re-key: one removal
        # after the classic readers joined makes it classic.
        gone = Person(one, "gone")
        ash.circles.invite(circle.id, _card(gone, classic))
        ash.circles.remove(circle.id, gone.member.id)
    _share_all(ash, _stories(ash, files, seed=6), circle.id)
    hybrid = ash.circles.roster(circle.id).epoch_recipient.startswith("age1pq1")
    assert hybrid != classic, "the circle key is not of the kind measured"
    times = []
    for store, reader in readers:
        started = time.perf_counter()
        report = refresh(reader.sharing, str(folder))
        times.append(time.perf_counter() - started)
        assert report.applied >= files and not report.refused, report.summary()
        store.close()
    one.close()
    return statistics.median(times)


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
    print(f"{'figure':40} {'X25519':>10} {'hybrid':>10} {'target':>8}  result")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        figures = {
            "rekey": (f"re-key {size} stories after a removal", bench_rekey, size),
            "folder": (f"apply {files} new files from a folder", bench_folder, files),
        }
        for name, (label, bench, amount) in figures.items():
            classic_s = bench(root, amount, runs, classic=True)
            hybrid_s = bench(root, amount, runs, classic=False)
            target = TARGETS[name]
            verdict = "meets" if hybrid_s <= target else f"MISS ({hybrid_s / target:.1f}x)"
            print(
                f"{label:40} {classic_s:8.2f} s {hybrid_s:8.2f} s {target:6.1f} s  {verdict}",
                flush=True,
            )


if __name__ == "__main__":
    main()
