"""People for tests: members with a cheap key derivation, and a clock that moves.

The scrypt work factor is lowered only here, in tests, so the suite stays fast;
the program's default is 17.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storycircle.journal.members import UnlockedMember, create_member, unlock
from storycircle.store import Store

TEST_WORK_FACTOR = 10
"""scrypt work factor of every test member (the program's default is 17)."""

PASSPHRASE = "kettle orbit maple seventeen"
"""Every test member's passphrase."""


class FakeClock:
    """A clock that moves forward one minute each time it is read."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def make_member(store: Store, pseudonym: str = "river") -> UnlockedMember:
    """A new member in ``store``, unlocked."""
    record = create_member(store, pseudonym, PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    return unlock(record, PASSPHRASE)
