"""A writer killed with SIGKILL at random moments never leaves a half-saved story.

One forked child per kill opens the database and saves stories (and
autosaves an open draft) as fast as it can; the parent kills it after a
random short delay, then reopens the file as the next start would and checks
it. The delays come from a fixed seed; what is asserted holds for any timing.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.models import JOURNAL_SCOPE, Draft
from storycircle.store import Store
from tests.reliability.harness import body_for, fork, tag_for, title_for, wait
from tests.support.people import make_member

KILLS = 200
STORIES = ("a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2", "c3c3c3c3c3c3c3c3")
DRAFT_ID = "d4d4d4d4d4d4d4d4"
SEED = 20260301


def _writer(path: Path, member: UnlockedMember, log: int) -> None:
    """Save forever, logging ``B``egin and ``E``nd of each save to the pipe."""
    store = Store.open(path)
    journal = Journal(store, member)
    versions = {}
    for story_id in STORIES:
        record = store.story(story_id)
        assert record is not None
        versions[story_id] = record.version
    turn = 0
    while True:
        story_id = STORIES[turn % len(STORIES)]
        new = versions[story_id] + 1
        os.write(log, f"D {turn}\n".encode())
        journal.save_draft(Draft(id=DRAFT_ID, title="open draft", body=body_for("draft", turn)))
        os.write(log, f"d {turn}\nB {story_id} {new}\n".encode())
        journal.save(
            title=title_for(story_id, new),
            body=body_for(story_id, new),
            tags=[tag_for(new)],
            story_id=story_id,
            base_version=new - 1,
        )
        os.write(log, f"E {story_id} {new}\n".encode())
        versions[story_id] = new
        turn += 1


def _read_log(fd: int) -> list[list[str]]:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return [line.split() for line in b"".join(chunks).decode().splitlines()]


def _check(
    path: Path,
    member: UnlockedMember,
    known: dict[str, int],
    known_draft: list[str | None],
    events: list[list[str]],
) -> tuple[str, int]:
    """Check the file after a kill; update what is known; return (last event, saves done)."""
    begun = {e[1]: int(e[2]) for e in events if e[0] == "B"}
    ended = {e[1]: int(e[2]) for e in events if e[0] == "E"}
    drafts_begun = [int(e[1]) for e in events if e[0] == "D"]
    drafts_ended = [int(e[1]) for e in events if e[0] == "d"]
    store = Store.open(path)
    try:
        assert store.integrity_check() == []
        journal = Journal(store, member)
        keys = member.journal
        for story_id in STORIES:
            record = store.story(story_id)
            assert record is not None
            committed = ended.get(story_id, known[story_id])
            # Wholly the last committed version, or wholly the one being written.
            allowed = {committed}
            if begun.get(story_id, 0) > committed:
                allowed.add(begun[story_id])
            assert record.version in allowed, (story_id, record.version, allowed)
            story = journal.load(story_id)  # decrypts and verifies the signature
            assert story.version == record.version
            assert story.title == title_for(story_id, record.version)
            assert story.body == body_for(story_id, record.version)
            assert story.tags == (tag_for(record.version),)
            token = keys.tag_token(tag_for(record.version))
            assert story_id in store.story_ids_with_token(JOURNAL_SCOPE, token)
            known[story_id] = record.version
        summaries = {s.id: s for s in journal.summaries()}
        assert journal.damaged == set()
        assert {i: s.title for i, s in summaries.items()} == {
            i: title_for(i, known[i]) for i in STORIES
        }
        assert sum(store.token_counts(JOURNAL_SCOPE).values()) == len(STORIES)
        drafts = journal.drafts()
        assert journal.damaged == set()
        # The open draft is there and opens, whole: the last one written (in
        # this run or an earlier one), or the one being written at the kill.
        last = body_for("draft", drafts_ended[-1]) if drafts_ended else known_draft[0]
        candidates = {last} | {body_for("draft", turn) for turn in drafts_begun[-1:]}
        if drafts:
            [draft] = drafts
            assert draft.id == DRAFT_ID
            assert draft.body in candidates
            known_draft[0] = draft.body
        else:
            assert last is None  # only before the first draft was ever committed
    finally:
        store.close()
    return (events[-1][0] if events else ""), len(ended)


def test_sigkill_during_saves_leaves_every_story_whole(tmp_path: Path) -> None:
    path = tmp_path / "storycircle.db"
    store = Store.open(path)
    member = make_member(store)
    journal = Journal(store, member)
    for story_id in STORIES:
        journal.save(
            title=title_for(story_id, 1),
            body=body_for(story_id, 1),
            tags=[tag_for(1)],
            story_id=story_id,
        )
    store.close()

    delays = random.Random(SEED)
    known = dict.fromkeys(STORIES, 1)
    known_draft: list[str | None] = [None]
    last_events: list[str] = []
    saves = 0
    started = time.monotonic()
    for _ in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = fork(lambda w=write_fd: _writer(path, member, w))  # type: ignore[misc]
        os.close(write_fd)
        # Wait until the writer has started its first write, then kill it at
        # a random moment of what follows: every kill lands while it writes.
        first = os.read(read_fd, 65536)
        time.sleep(delays.uniform(0.0, 0.04))
        os.kill(pid, signal.SIGKILL)
        assert wait(pid) == -signal.SIGKILL  # killed, not ended by an error of its own
        assert first, "the writer died before writing"
        events = [line.split() for line in first.decode().splitlines()] + _read_log(read_fd)
        last, done = _check(path, member, known, known_draft, events)
        last_events.append(last)
        saves += done
    elapsed = time.monotonic() - started
    in_story, in_draft = last_events.count("B"), last_events.count("D")
    print(
        f"\n{KILLS} kills ({in_story} during a story save, {in_draft} during a draft save), "
        f"{saves} saves completed, {elapsed:.1f} s"
    )
    # Both kinds of write were interrupted at least once (most kills land in one).
    assert in_story >= 1 and in_draft >= 1
