"""The session's export verb, for the app: the same formats and choices as ``storycircle export``.

Kept apart from :mod:`storycircle.session.session` so each stays short. An export
decrypts every story, so it runs in a worker thread on its own database
connection (SQLite connections stay on their thread).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle.errors import StorycircleError

# Exporting is imported in the methods, not here: the session is imported
# before the first screen is drawn, and exporting is not (start-up cost).
if TYPE_CHECKING:
    from storycircle.journal.journal import Journal
    from storycircle.models import ExportReport
    from storycircle.reading.library import Library
    from storycircle.session.installation import Installation
    from storycircle.transfer.exporting import ExportFormat

JOURNAL = "journal"
"""What to export: the unlocked member's journal (else a collection's slug)."""

Progress = Callable[[int, int], None]


class ExportVerbs:
    """Export for the app; mixed into :class:`~storycircle.session.session.Session`."""

    installation: Installation
    journal: Journal | None
    library: Library

    def export_choices(self) -> list[tuple[str, str]]:
        """``(label, key)`` of what can be exported: the journal, then each collection."""
        choices = [("My journal", JOURNAL)] if self.journal is not None else []
        choices += [(f"Collection: {c.title}", c.slug) for c in self.library.collections]
        return choices

    def export(
        self,
        what: str,
        fmt: str,
        dest: Path,
        *,
        armor: bool = False,
        passphrase: str | None = None,
        progress: Progress | None = None,
    ) -> ExportReport:
        """Export the journal or a collection into the new or empty folder ``dest``.

        As ``storycircle export``: a bundle is encrypted to the member's key,
        or to ``passphrase`` when one is given (a guest needs one). Made to
        run in a worker thread.

        Raises:
            StorycircleError: a choice that does not fit, a weak passphrase, or
                an unusable folder (nothing is left half-written).
        """
        from storycircle.sealing.passphrase import check_strength
        from storycircle.transfer.exporting import ExportFormat, export_collection
        from storycircle.transfer.importing.sources import MAX_BUNDLE_WORK_FACTOR

        kind = ExportFormat(fmt)
        if (armor or passphrase is not None) and kind is not ExportFormat.BUNDLE:
            raise StorycircleError("armour and a passphrase only apply to a bundle")
        work_factor = min(self.installation.config.work_factor, MAX_BUNDLE_WORK_FACTOR)
        if what == JOURNAL:
            return self._export_journal(kind, dest, armor, passphrase, work_factor, progress)
        collection = self.library.collection(what)
        if collection is None:
            raise StorycircleError(f"there is no collection {what[:40]!r}")
        from storycircle import vault

        recipients: list[vault.Recipient] = []
        if kind is ExportFormat.BUNDLE:
            if passphrase is not None:
                check_strength(passphrase)
                recipients = [vault.ScryptRecipient(passphrase, work_factor)]
            elif self.journal is not None:
                recipients = [self.journal.member.own_recipient]  # hybrid once stored
            else:
                raise StorycircleError("reading as a guest, a bundle needs a passphrase")
        report = export_collection(collection, kind, dest, recipients=recipients, armor=armor)
        if progress is not None:
            progress(report.stories, report.stories)
        return report

    def _export_journal(
        self,
        kind: ExportFormat,
        dest: Path,
        armor: bool,
        passphrase: str | None,
        work_factor: int,
        progress: Progress | None,
    ) -> ExportReport:
        from storycircle.journal.journal import Journal
        from storycircle.store import Store
        from storycircle.transfer.exporting import export_journal

        if self.journal is None:
            raise StorycircleError("unlock first to export your journal")
        member = self.journal.member
        path = self.installation.store.path
        store = Store.open(path) if path is not None else self.installation.store
        try:
            return export_journal(
                Journal(store, member),
                kind,
                dest,
                armor=armor,
                passphrase=passphrase,
                work_factor=work_factor,
                progress=progress,
            )
        finally:
            if path is not None:
                store.close()
