"""The version record: only its member can write or read it, and it travels with saves."""

from __future__ import annotations

import pytest

from storycircle.errors import RolledBack
from storycircle.journal.journal import Journal
from storycircle.journal.versions import VersionRecord
from storycircle.sealing.keys import SealError
from storycircle.store import Store
from tests.support.people import FakeClock, make_member


def test_saves_deletes_and_batches_keep_the_record(store: Store) -> None:
    member = make_member(store)
    journal = Journal(store, member, clock=FakeClock())
    first = journal.save(title="a", body="a").story
    journal.save(title="a2", body="a2", story_id=first.id, base_version=1)
    with journal.batch():
        second = journal.save(title="b", body="b").story
        third = journal.save(title="c", body="c").story
    journal.delete(third.id)
    assert journal.versions.read() == {first.id: 2, second.id: 1}
    assert journal.versions.check().older == () and journal.versions.check().missing == ()


def test_a_record_sealed_for_another_member_or_changed_does_not_open(store: Store) -> None:
    river, oak = make_member(store, "river"), make_member(store, "oak")
    Journal(store, river, clock=FakeClock()).save(title="a", body="a")
    blob = store.versions.get(river.id)
    assert blob is not None
    store.versions.put(oak.id, blob)  # moved to another member's row
    with pytest.raises(SealError):
        VersionRecord(store, oak).read()
    store.versions.put(river.id, blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(SealError):
        VersionRecord(store, river).read()


def test_an_older_row_is_refused_on_read(store: Store) -> None:
    member = make_member(store)
    journal = Journal(store, member, clock=FakeClock())
    story = journal.save(title="a", body="first words").story
    old = store.story(story.id)
    assert old is not None
    journal.save(title="a", body="second words", story_id=story.id, base_version=1)
    store._conn.execute(
        "UPDATE stories SET version = 1, blob = ?, summary = ? WHERE id = ?",
        (old.blob, old.summary, story.id),
    )
    with pytest.raises(RolledBack, match="rolled back"):
        Journal(store, member).load(story.id)
    assert Journal(store, member).versions.check().older == (story.id,)
