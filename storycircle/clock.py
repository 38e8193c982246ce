"""The clock stories are dated by: a callable, so tests can inject their own.

Apart from :mod:`storycircle.journal.journal` so the session can name its default
clock without importing the journal (and its key code) at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)
