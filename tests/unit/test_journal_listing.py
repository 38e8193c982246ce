"""Listing a journal from a worker: its own connection, cancellation, adoption."""

from __future__ import annotations

import threading

import pytest

from storycircle import journal as journal_module
from storycircle.journal import Journal, read_summaries
from storycircle.models import StorySummary
from storycircle.store import Store
from tests.conftest import FakeClock, make_member


def _journal_of_three(store: Store) -> Journal:
    journal = Journal(store, make_member(store), clock=FakeClock())
    for title in ("First", "Second", "Third"):
        journal.save(title=title, body="words", tags=["hope"])
    return journal


def test_a_worker_thread_reads_every_row_newest_first(file_store: Store) -> None:
    journal = _journal_of_three(file_store)
    assert file_store.path is not None
    result: list[object] = []
    worker = threading.Thread(
        target=lambda: result.append(read_summaries(file_store.path, journal.member))
    )
    worker.start()
    worker.join()
    rows, damaged = result[0]  # type: ignore[misc]
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
