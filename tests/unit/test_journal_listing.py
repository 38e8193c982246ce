"""Listing a journal from a worker: its own connection, cancellation, adoption."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from storycircle.journal import journal_reader as journal_module
from storycircle.journal.journal import Journal, read_summaries
from storycircle.models import StorySummary
from storycircle.store import Store
from storycircle.store.story_rows import NEWEST_FIRST as NEWEST_FIRST_SQL
from storycircle.transfer.importing import ImportClock
from tests.support.people import FakeClock, make_member


def _journal_of_three(store: Store) -> Journal:
    journal = Journal(store, make_member(store), clock=FakeClock())
    for title in ("First", "Second", "Third"):
        journal.save(title=title, body="words", tags=["hope"])
    return journal


def test_a_worker_thread_reads_every_row_newest_first(file_store: Store) -> None:
    journal = _journal_of_three(file_store)
    path = file_store.path
    assert path is not None
    result: list[tuple[list[StorySummary], set[str]] | None] = []
    worker = threading.Thread(target=lambda: result.append(read_summaries(path, journal.member)))
    worker.start()
    worker.join()
    listed = result[0]
    assert listed is not None
    rows, damaged = listed
    assert [s.title for s in rows] == ["Third", "Second", "First"]
    assert damaged == set()
    assert rows == Journal(file_store, journal.member).summaries()


def test_a_cancelled_listing_returns_nothing(file_store: Store) -> None:
    journal = _journal_of_three(file_store)
    assert file_store.path is not None
    assert read_summaries(file_store.path, journal.member, lambda: True) is None


def test_adopted_rows_are_listed_without_decrypting_again(
    file_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = _journal_of_three(file_store)
    assert file_store.path is not None
    listed = read_summaries(file_store.path, journal.member)
    assert listed is not None
    fresh = Journal(file_store, journal.member)
    assert not fresh.listed
    fresh.adopt(*listed)
    assert fresh.listed

    def no_decrypting(*args: object) -> StorySummary:
        raise AssertionError("an adopted row was decrypted again")

    monkeypatch.setattr(journal_module, "unpack_summary", no_decrypting)
    assert [s.title for s in fresh.summaries()] == ["Third", "Second", "First"]
    assert fresh.damaged == set()


def test_a_damaged_row_found_by_the_worker_is_reported(file_store: Store) -> None:
    journal = _journal_of_three(file_store)
    victim = journal.summaries()[1]
    file_store._conn.execute("UPDATE stories SET summary = ? WHERE id = ?", (b"\0" * 64, victim.id))
    assert file_store.path is not None
    listed = read_summaries(file_store.path, journal.member)
    assert listed is not None
    rows, damaged = listed
    assert [s.title for s in rows] == ["Third", "First"]
    assert damaged == {victim.id}
    fresh = Journal(file_store, journal.member)
    fresh.adopt(rows, damaged)
    assert fresh.damaged == {victim.id}


def _written_then_imported(store: Store) -> Journal:
    """Today's story written first, then an import dated 2024, then another today."""
    clock = ImportClock(FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC)))
    journal = Journal(store, make_member(store), clock=clock)
    journal.save(title="Written today", body="words", tags=["hope"])
    with clock.pinned(datetime(2024, 5, 1, 20, 0, tzinfo=UTC)):
        journal.save(title="Imported from 2024", body="words", tags=["hope"])
    with clock.pinned(datetime(2025, 1, 1, 8, 0, tzinfo=UTC)):
        journal.save(title="Imported from 2025", body="words", tags=["hope"])
    journal.save(title="Also today", body="words", tags=["hope"])
    return journal


NEWEST_FIRST = ["Also today", "Written today", "Imported from 2025", "Imported from 2024"]


def test_newest_first_is_by_the_story_date_then_time_written(file_store: Store) -> None:
    journal = _written_then_imported(file_store)
    assert file_store.path is not None
    fresh = Journal(file_store, journal.member)
    assert [s.title for s in fresh.page(0, 10).items] == NEWEST_FIRST
    assert [s.title for s in fresh.page(1, 2).items] == NEWEST_FIRST[1:3]
    assert [s.title for s in fresh.summaries()] == NEWEST_FIRST
    assert [s.title for s in fresh.with_tag("hope")] == NEWEST_FIRST
    assert [s.title for s, _ in fresh.texts(page_size=3)] == NEWEST_FIRST
    listed = read_summaries(file_store.path, journal.member)
    assert listed is not None and [s.title for s in listed[0]] == NEWEST_FIRST


def test_the_order_is_served_by_an_index(file_store: Store) -> None:
    journal = _written_then_imported(file_store)
    plan = file_store._conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM stories WHERE scope = 'journal' AND author_id = ? "
        f"ORDER BY {NEWEST_FIRST_SQL} LIMIT 50",
        (journal.member.id,),
    ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "stories_scope_day" in details and "TEMP B-TREE" not in details


def test_listed_rows_hold_repeated_strings_once(file_store: Store) -> None:
    # A large journal keeps every row in memory: the tags, the author and an
    # unedited story's dates are one object each, not one per row.
    journal = _journal_of_three(file_store)
    rows = Journal(file_store, journal.member).summaries()
    first, second = rows[0], rows[1]
    assert first.tags == second.tags == ("hope",)
    assert first.tags[0] is second.tags[0]
    assert first.author_id is second.author_id
    assert first.updated is first.created


def test_a_new_version_replaces_the_cached_row(file_store: Store) -> None:
    journal = _journal_of_three(file_store)
    first = journal.summaries()[0]
    journal.save(
        title="Third, again", body="more words", story_id=first.id, base_version=first.version
    )
    rows = journal.summaries()
    assert [(r.title, r.version) for r in rows if r.id == first.id] == [("Third, again", 2)]
    assert len(journal._summary_cache) == 3  # the old version's row is not kept
