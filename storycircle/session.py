"""The app's verbs in one place: who is here, create, unlock, lock.

Screens talk to a :class:`Session` and get models back; they never see SQL or
key bytes. The session keeps at most one unlocked member and drops every key
and decrypted object on :meth:`Session.lock`.
"""

from __future__ import annotations

from storycircle.installation import Installation
from storycircle.journal import Clock, Journal, utc_now
from storycircle.members import (
    UnlockedMember,
    clean_pseudonym,
    ensure_pseudonym_free,
    new_member,
    unlock,
)
from storycircle.models import MemberRecord
from storycircle.passphrase import check_strength


class Session:
    """The state of one running app: an installation and, once unlocked, a journal."""

    def __init__(self, installation: Installation, *, clock: Clock = utc_now) -> None:
        """Wrap an open installation; ``clock`` is injected by tests."""
        self.installation = installation
        self.clock = clock
        self.journal: Journal | None = None

    def members(self) -> list[MemberRecord]:
        """Everyone with an account on this installation."""
        return self.installation.store.members()

    def check_new_member(self, pseudonym: str, passphrase: str) -> None:
        """Refuse a taken or bad pseudonym, or a weak passphrase, before any slow work.

        Raises:
            StorycircleError: with the reason.
        """
        ensure_pseudonym_free(self.installation.store, pseudonym)
        check_strength(passphrase, pseudonym=clean_pseudonym(pseudonym))

    def prepare_member(self, pseudonym: str, passphrase: str) -> MemberRecord:
        """Make a new member's sealed keys: slow and database-free, run it in a worker.

        Raises:
            StorycircleError: bad pseudonym or weak passphrase.
        """
        return new_member(pseudonym, passphrase, work_factor=self.installation.config.work_factor)

    def add_member(self, record: MemberRecord) -> None:
        """Store a member made by :meth:`prepare_member` (on the UI thread).

        Raises:
            StorycircleError: the pseudonym was taken meanwhile.
        """
        self.installation.store.add_member(record)

    @staticmethod
    def unlock_keys(record: MemberRecord, passphrase: str) -> UnlockedMember:
        """Open a member's keys: slow and database-free, so run it in a worker thread.

        Raises:
            WrongPassphrase: the passphrase is wrong.
        """
        return unlock(record, passphrase)

    def open_journal(self, member: UnlockedMember) -> Journal:
        """Make ``member`` the unlocked member and return their journal."""
        self.journal = Journal(self.installation.store, member, clock=self.clock)
        return self.journal

    def lock(self) -> None:
        """Forget the unlocked member, their keys and everything decrypted."""
        self.journal = None
