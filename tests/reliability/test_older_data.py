"""A journal written by the previous release opens with this one.

``data/journal-2026-12-04.db`` was written by storycircle as of 2026-12-04
(one member, ``river``, scrypt work factor 10, one story with tags, a content
note and a reaction). Every test elsewhere writes its data and reads it back
with the same code, so a change to how keys are derived, rows are sealed or
summaries are packed passes them all while every existing journal stops
opening. This one reads bytes an older build wrote.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storycircle.journal.journal import Journal
from storycircle.journal.members import unlock
from storycircle.journal.reactions import Reactions
from storycircle.store import Store
from tests.support.people import PASSPHRASE

WRITTEN = Path(__file__).with_name("data") / "journal-2026-12-04.db"
STORY_ID = "6e1021d2eb21c50a"


@pytest.fixture
def older(tmp_path: Path) -> Store:
    copy = tmp_path / "storycircle.db"
    shutil.copyfile(WRITTEN, copy)
    copy.chmod(0o600)
    return Store.open(copy)


def test_the_older_journal_unlocks_and_lists_its_story(older: Store) -> None:
    member = unlock(older.members()[0], PASSPHRASE)
    journal = Journal(older, member)
    [summary] = journal.summaries()
    assert (summary.id, summary.title) == (STORY_ID, "The first winter")
    assert set(summary.tags) == {"hope", "sleep"}
    assert summary.content_notes == ("mentions relapse",)
    assert journal.damaged == set()


def test_the_older_story_opens_and_verifies(older: Store) -> None:
    member = unlock(older.members()[0], PASSPHRASE)
    story = Journal(older, member).load(STORY_ID)
    assert story.body == "I walked to the river every morning."
    assert story.author_id == member.id


def test_the_older_tag_tokens_and_reactions_still_match(older: Store) -> None:
    member = unlock(older.members()[0], PASSPHRASE)
    assert [s.id for s in Journal(older, member).with_tag("sleep")] == [STORY_ID]
    assert Reactions(older, member).summary(STORY_ID).hope == 1
