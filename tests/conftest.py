"""Shared fixtures: in-memory stores, members with a cheap key derivation, the CLI.

Helpers that tests import live in tests/support/; this file holds fixtures only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.store import Store
from tests.support.cli import Cli
from tests.support.people import TEST_WORK_FACTOR, FakeClock, make_member


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
