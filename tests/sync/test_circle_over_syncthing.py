"""One circle between two data folders, carried by two real Syncthing daemons.

Every step waits for Syncthing to make the two folders equal, then refreshes
the other machine, as two people on two computers would. The daemons run on
loopback only (tests/sync/syncthing.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle import vault
from storycircle.circles.folder import temporary_name
from storycircle.circles.inbox import refresh
from storycircle.circles.tidy import tidy_folder
from storycircle.store import Store
from tests.circles.helpers import Person, again, person
from tests.sync.syncthing import Daemon, SyncthingPair, wait_until

pytestmark = pytest.mark.sync

# Files Syncthing or storycircle keep to themselves while writing, and
# Syncthing's own marker: never part of what a folder holds.
_PRIVATE_PREFIXES = (".stfolder", ".stversions", ".syncthing.", ".storycircle-", "~syncthing~")


def circle_files(folder: Path) -> dict[str, bytes]:
    """The circle files a folder holds now, by name."""
    files = {}
    for entry in os.scandir(folder):
        if entry.name.startswith(_PRIVATE_PREFIXES) or not entry.is_file():
            continue
        files[entry.name] = Path(entry.path).read_bytes()
    return files


def wait_synced(pair: SyncthingPair, what: str = "the two folders to match") -> float:
    """Wait until both folders hold the same circle files, byte for byte."""
    return wait_until(
        lambda: circle_files(pair.left.folder) == circle_files(pair.right.folder), what
    )


@pytest.fixture
def machines(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    one = Store.open(tmp_path / "one.db")
    two = Store.open(tmp_path / "two.db")
    yield one, two
    one.close()
    two.close()


def _joined(pair: SyncthingPair, machines: tuple[Store, Store]) -> tuple[Person, Person, str]:
    """Ash (left machine) hosts a circle in the synced folder; Birch (right) joins."""
    one, two = machines
    ash, birch = person(one, "ash"), person(two, "birch")
    left, right = str(pair.left.folder), str(pair.right.folder)
    circle = ash.circles.create("Tuesday group", folder=left)
    # The card travels some other way (a message, a note): here, in memory.
    ash.circles.invite(circle.id, birch.card)
    wait_synced(pair, "the invitation to reach the right machine")
    report = refresh(birch.sharing, right)
    assert report.refused == []
    birch.circles.set_folder(circle.id, right)
    assert [c.my_status for c in birch.circles.circles()] == ["invited"]
    birch.circles.accept(circle.id, "Willow")
    wait_synced(pair, "the acceptance to reach the left machine")
    assert refresh(ash.sharing, left).refused == []
    assert [m.status for m in ash.circles.circle(circle.id).members] == ["active", "active"]
    return ash, birch, circle.id


def _titles(someone: Person, circle_id: str) -> list[str]:
    return sorted(s.title for s in someone.sharing.summaries(circle_id))


def test_share_both_ways_withdraw_and_remove_over_syncthing(
    syncthing: SyncthingPair, machines: tuple[Store, Store]
) -> None:
    ash, birch, circle_id = _joined(syncthing, machines)
    left, right = str(syncthing.left.folder), str(syncthing.right.folder)

    ash.sharing.share(ash.write("From the left", "Walked home.", ("hope",)), circle_id)
    birch.sharing.share(birch.write("From the right", "Slept well."), circle_id)
    wait_synced(syncthing, "both shares to cross")
    assert refresh(birch.sharing, right).refused == []
    assert refresh(ash.sharing, left).refused == []
    assert (
        _titles(ash, circle_id) == _titles(birch, circle_id) == ["From the left", "From the right"]
    )

    withdrawn = ash.write("Changed my mind")
    ash.sharing.share(withdrawn, circle_id)
    wait_synced(syncthing)
    refresh(birch.sharing, right)
    assert "Changed my mind" in _titles(birch, circle_id)
    ash.sharing.withdraw(withdrawn.id, circle_id)
    wait_synced(syncthing, "the withdrawal to cross")
    refresh(birch.sharing, right)
    assert "Changed my mind" not in _titles(birch, circle_id)

    # Ash removes Birch: a new epoch, and what is shared after it never opens
    # with Birch's key, on Birch's machine or anywhere.
    ash.circles.remove(circle_id, birch.member.id)
    ash.sharing.share(ash.write("After the removal", "Not for Birch."), circle_id)
    wait_synced(syncthing, "the removal and the new share to cross")
    refresh(birch.sharing, right)
    _one, two = machines
    assert again(two, birch).circles.circles() == []
    # The only files Birch's key still opens are Birch's own (a story is
    # always encrypted to its author too); nothing of Ash's.
    for name, data in circle_files(syncthing.right.folder).items():
        if not name.startswith("story-"):
            continue
        try:
            plaintext = vault.decrypt(data, [birch.member.identity])
        except vault.AgeError:
            continue
        assert birch.member.id.encode() in plaintext and b"Not for Birch" not in plaintext
    # Nothing Birch's machine wrote after the removal changes Ash's circle.
    before = _titles(ash, circle_id)
    assert refresh(ash.sharing, left).applied == 0
    assert _titles(ash, circle_id) == before


def _kill_when_some_arrived(receiver: Daemon, total: int) -> None:
    """Kill the receiving daemon (SIGKILL) part-way through a transfer."""
    wait_until(
        lambda: 0 < sum(1 for n in os.listdir(receiver.folder) if n.startswith("story-")) < total,
        "the transfer to start",
        timeout=30,
    )
    receiver.stop(kill=True)


def test_a_daemon_killed_mid_transfer_delivers_every_story_once(
    syncthing: SyncthingPair, machines: tuple[Store, Store]
) -> None:
    ash, birch, circle_id = _joined(syncthing, machines)
    total = 200
    for number in range(total):
        ash.sharing.share(ash.write(f"Story {number:03d}", f"Body {number}."), circle_id)
    _kill_when_some_arrived(syncthing.right, total)
    syncthing.right.start()
    wait_synced(syncthing, "every story after the restart")
    report = refresh(birch.sharing, str(syncthing.right.folder))
    assert report.refused == []
    titles = _titles(birch, circle_id)
    assert titles == sorted(f"Story {number:03d}" for number in range(total))
    # Refreshing again adds nothing: every story arrived exactly once.
    assert refresh(birch.sharing, str(syncthing.right.folder)).applied == 0
    assert len(birch.sharing.summaries(circle_id)) == total


def test_a_paused_link_loses_nothing_when_it_resumes(
    syncthing: SyncthingPair, machines: tuple[Store, Store]
) -> None:
    ash, birch, circle_id = _joined(syncthing, machines)
    left, right = str(syncthing.left.folder), str(syncthing.right.folder)
    first = ash.write("Ash, first draft", "One.")
    ash.sharing.share(first, circle_id)
    mine = birch.write("Birch, first draft", "Two.")
    birch.sharing.share(mine, circle_id)
    wait_synced(syncthing)
    refresh(ash.sharing, left)
    refresh(birch.sharing, right)

    syncthing.left.pause_peer(syncthing.right)
    syncthing.right.pause_peer(syncthing.left)
    # While apart, both share something new and both edit what they shared.
    ash.sharing.share(ash.write("Ash, while apart", "Three."), circle_id)
    edited = ash.journal.save(
        title="Ash, second draft", body="One, edited.", story_id=first.id, base_version=1
    ).story
    ash.sharing.story_saved(edited)
    birch.sharing.share(birch.write("Birch, while apart", "Four."), circle_id)
    redone = birch.journal.save(
        title="Birch, second draft", body="Two, edited.", story_id=mine.id, base_version=1
    ).story
    birch.sharing.story_saved(redone)
    assert circle_files(syncthing.left.folder) != circle_files(syncthing.right.folder)

    syncthing.left.resume_peer(syncthing.right)
    syncthing.right.resume_peer(syncthing.left)
    wait_synced(syncthing, "both sides' changes after resuming")
    assert refresh(ash.sharing, left).refused == []
    assert refresh(birch.sharing, right).refused == []
    expected = [
        "Ash, second draft",
        "Ash, while apart",
        "Birch, second draft",
        "Birch, while apart",
    ]
    assert _titles(ash, circle_id) == _titles(birch, circle_id) == expected


def test_a_half_written_circle_file_is_never_carried(syncthing: SyncthingPair) -> None:
    # What write_file names a file while writing it, left behind as by a crash.
    (syncthing.left.folder / temporary_name()).write_bytes(b"half a story")
    (syncthing.left.folder / "story-after.age").write_bytes(b"whole")
    wait_until(lambda: (syncthing.right.folder / "story-after.age").exists(), "the whole file")
    syncthing.left.rescan()
    syncthing.right.rescan()
    time.sleep(2)  # give a wrongly carried file time to arrive before looking
    assert sorted(os.listdir(syncthing.right.folder)) == [".stfolder", "story-after.age"]


def test_a_conflict_copy_is_named_and_tidied_without_losing_either_side(
    syncthing: SyncthingPair, machines: tuple[Store, Store]
) -> None:
    ash, _birch, circle_id = _joined(syncthing, machines)
    left, right = syncthing.left.folder, syncthing.right.folder
    ash.sharing.share(ash.write("Shared once", "Words."), circle_id)
    wait_synced(syncthing)
    [name] = [n for n in circle_files(left) if n.startswith("story-")]
    # With the link paused, something other than storycircle changes the same
    # file on both machines (a disk fault, a person with an editor).
    syncthing.left.pause_peer(syncthing.right)
    syncthing.right.pause_peer(syncthing.left)
    (left / name).write_bytes((left / name).read_bytes() + b"left")
    time.sleep(1.1)  # the later change wins in Syncthing; make the order certain
    (right / name).write_bytes((right / name).read_bytes() + b"right")
    syncthing.left.rescan()
    syncthing.right.rescan()
    syncthing.left.resume_peer(syncthing.right)
    syncthing.right.resume_peer(syncthing.left)
    wait_until(
        lambda: (
            any(".sync-conflict-" in n for n in circle_files(left))
            and circle_files(left) == circle_files(right)
        ),
        "Syncthing's conflict copy on both sides",
    )
    contents = sorted(circle_files(left).values())
    report = refresh(ash.sharing, str(left))
    assert any("conflict copy Syncthing made" in reason for _, reason in report.refused)

    tidied = tidy_folder(str(left))
    assert tidied.renamed and not tidied.removed
    wait_synced(syncthing, "the tidied folder to reach the other machine")
    after = circle_files(right)
    assert not any(".sync-conflict-" in n for n in after)
    assert sorted(after.values()) == contents  # both sides' bytes are still there
    assert tidy_folder(str(right)).summary() == "Nothing to tidy."
