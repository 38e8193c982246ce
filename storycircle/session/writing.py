"""The session's writing verbs: the journal's owner, drafts, imports, and why a save failed.

Kept apart from :mod:`storycircle.session.session` so each stays short.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle.errors import StorycircleError

# Imported where used, not here: the session is imported before the first
# screen is drawn, and none of this is needed until someone writes (start-up cost).
if TYPE_CHECKING:
    from storycircle.journal.journal import Journal
    from storycircle.models import Draft
    from storycircle.session.installation import Installation
    from storycircle.transfer.importing import ImportReport

__all__ = ["Locked", "WritingVerbs"]


class Locked(StorycircleError):
    """An action needs an unlocked member."""


class WritingVerbs:
    """What the editor and the import screen ask; mixed into the session's :class:`Session`."""

    installation: Installation
    journal: Journal | None

    def require_journal(self) -> Journal:
        """The unlocked member's journal.

        Raises:
            Locked: nobody is unlocked.
        """
        if self.journal is None:
            raise Locked("unlock first")
        return self.journal

    @staticmethod
    def reason_for(error: Exception) -> str:
        """The words to show a person for a save or draft that failed.

        Messages of storycircle's own errors, of the operating system's and
        of SQLite's are written for people; anything else is a bug whose text
        may hold internals, so only its kind is named.
        """
        from storycircle.store import SqliteError
        from storycircle.tagging.slugs import TagError

        if isinstance(error, StorycircleError | TagError | OSError | SqliteError) and str(error):
            return str(error)
        return f"unexpected {type(error).__name__}"

    # -- drafts -------------------------------------------------------------------

    def autosave_draft(self, draft: Draft) -> None:
        """Store a draft encrypted to the author (called every few seconds)."""
        self.require_journal().save_draft(draft)

    def drafts(self) -> list[Draft]:
        """Drafts left behind by an interrupted session."""
        return self.require_journal().drafts()

    def discard_draft(self, draft_id: str) -> None:
        """Forget a draft (saved or thrown away)."""
        self.require_journal().discard_draft(draft_id)

    @staticmethod
    def new_draft_id() -> str:
        """A fresh id for the draft of a new story."""
        from storycircle.journal.journal import Journal

        return Journal.new_draft_id()

    # -- importing --------------------------------------------------------------

    def import_stories(
        self, path: Path, progress: Callable[[int, int], None], passphrase: str | None = None
    ) -> ImportReport:
        """Import a folder, jrnl export or bundle into the member's journal.

        Made to run in a worker thread: it opens its own connection to the
        database file (SQLite connections stay on their thread) and touches
        nothing of this session but the member's keys. Call
        :meth:`imported` on the UI thread afterwards.

        Raises:
            PassphraseNeeded: the bundle is sealed with a passphrase; ask and retry.
            StorycircleError: the path cannot be imported at all.
        """
        from storycircle.journal.journal import Journal
        from storycircle.store import Store
        from storycircle.transfer.importing import ImportClock, import_path

        member = self.require_journal().member
        store_path = self.installation.store.path
        if store_path is None:
            raise StorycircleError("importing needs a database file, not an in-memory one")
        store = Store.open(store_path)
        try:
            clock = ImportClock()
            journal = Journal(store, member, clock=clock)
            return import_path(path, journal, progress=progress, passphrase=passphrase, clock=clock)
        finally:
            store.close()
