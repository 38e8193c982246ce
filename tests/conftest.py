"""Shared fixtures: in-memory stores and members with a cheap key derivation.

The scrypt work factor is lowered only here, in tests, so the suite stays fast;
the program's default is 17.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember, create_member, unlock
from storycircle.store import Store
from tests.support.cli import Cli

TEST_WORK_FACTOR = 10
PASSPHRASE = "kettle orbit maple seventeen"


class FakeClock:
    """A clock that moves forward one minute each time it is read."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def store() -> Iterator[Store]:
    db = Store.memory()
    yield db
    db.close()


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[Store]:
    db = Store.open(tmp_path / "storycircle.db")
    yield db
    db.close()


def make_member(store: Store, pseudonym: str = "river") -> UnlockedMember:
    record = create_member(store, pseudonym, PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    return unlock(record, PASSPHRASE)


@pytest.fixture
def member(store: Store) -> UnlockedMember:
    return make_member(store)


@pytest.fixture
def journal(store: Store, member: UnlockedMember) -> Journal:
    return Journal(store, member, clock=FakeClock())


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The command line against a new data folder with the tests' work factor."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    return Cli(home)
