"""Fixtures for circles carried by a real sync engine (``pytest -m sync``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.syncthing import SyncthingPair, ensure_loopback, syncthing_binary


@pytest.fixture
def syncthing(tmp_path: Path) -> Iterator[SyncthingPair]:
    """Two running Syncthing daemons sharing one folder on loopback.

    Outside CI a machine without the Debian package skips these tests with
    the reason; in CI (``CI=true``) a missing package is a failure, because
    .ci/run installs it.
    """
    if syncthing_binary() is None:
        message = "syncthing is not installed (Debian package syncthing; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    ensure_loopback()
    pair = SyncthingPair(tmp_path)
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()
