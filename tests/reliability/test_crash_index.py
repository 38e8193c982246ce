"""A writer killed with SIGKILL while it writes search segments loses nothing.

One forked child per kill saves stories and, as the app does, writes a sealed
segment for each (``SearchIndex.saved``) and merges them now and then; the
parent kills it at a random moment, then opens the index as the next unlock
would and checks that every story in the database is found by its own word,
and nothing else is. Delays come from a fixed seed; the checks hold for any.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.journal.search_index import SearchIndex
from storycircle.store import Store
from tests.reliability.harness import fork, wait
from tests.support.people import make_member

KILLS = 40
SEED = 20261204
FILLER = " ".join(f"filler{n}" for n in range(400))  # segments of many terms


def _word(turn: int, pid: int) -> str:
    return f"only{pid}x{turn}end"  # no word is a prefix of another


def _writer(path: Path, member: UnlockedMember, log: int) -> None:
    """Save, index and merge forever, logging each step to the pipe."""
    store = Store.open(path)
    journal = Journal(store, member)
    index = SearchIndex(member)
    index.load(store)
    turn = 0
    while True:
        story = journal.save(title="t", body=f"{_word(turn, os.getpid())} river {FILLER}").story
        os.write(log, b"S\n")
        index.saved(store, story)
        os.write(log, b"s\n")
        if turn % 3 == 2:
            os.write(log, b"M\n")
            index.merge(store)
            os.write(log, b"m\n")
        turn += 1


def _check(path: Path, member: UnlockedMember) -> int:
    store = Store.open(path)
    try:
        assert store.integrity_check() == []
        index = SearchIndex(member)
        assert index.load(store)
        rows = store.search.journal_rows(member.id)
        for _, story_id, _ in rows:
            story = Journal(store, member).load(story_id)
            word = story.body.split()[0]
            matches = index.search(word)
            assert matches is not None
            assert [found for _, found, _ in matches.stories()] == [story_id]
        river = index.search("river")
        assert river is not None and river.count == len(rows)
        return len(rows)
    finally:
        store.close()


def test_sigkill_during_segment_writes_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "storycircle.db"
    store = Store.open(path)
    member = make_member(store)
    store.close()
    delays = random.Random(SEED)
    during = {"S": 0, "M": 0}
    stories = 0
    started = time.monotonic()
    for _ in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = fork(lambda w=write_fd: _writer(path, member, w))  # type: ignore[misc]
        os.close(write_fd)
        time.sleep(delays.uniform(0.05, 0.25))
        os.kill(pid, signal.SIGKILL)
        assert wait(pid) == -signal.SIGKILL
        chunks = []
        while chunk := os.read(read_fd, 65536):
            chunks.append(chunk)
        os.close(read_fd)
        events = b"".join(chunks).decode().split()
        if events and events[-1] in during:
            during[events[-1]] += 1  # killed between the start and end of a segment write
        stories = _check(path, member)
    print(
        f"\n{KILLS} kills ({during['S']} in a save's segment, {during['M']} in a merge), "
        f"{stories} stories, {time.monotonic() - started:.1f} s"
    )
    assert stories > KILLS  # the writers got work done between kills
    assert during["S"] + during["M"] >= 1
