"""Fixtures for Pilot tests: an app over an in-memory store with a cheap KDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from storycircle.tui.app import StorycircleApp
from tests.support.people import TEST_WORK_FACTOR, FakeClock


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    store = Store.memory()
    installation = Installation(tmp_path, store, Config(work_factor=TEST_WORK_FACTOR))
    yield Session(installation, clock=FakeClock())
    store.close()


@pytest.fixture
def app(session: Session) -> StorycircleApp:
    return StorycircleApp(session)


@pytest.fixture
def file_session(tmp_path: Path) -> Iterator[Session]:
    """A session over a database file: work that runs in a worker thread opens
    its own connection (import, export, re-keying a circle), as in real use."""
    store = Store.open(tmp_path / "storycircle.db")
    installation = Installation(tmp_path, store, Config(work_factor=TEST_WORK_FACTOR))
    yield Session(installation, clock=FakeClock())
    store.close()
