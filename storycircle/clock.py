"""Clocks as callables, so tests can inject their own: the date of stories, and waits.

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


Monotonic = Callable[[], float]
"""A clock in seconds that only moves forward (``time.monotonic`` in use)."""
