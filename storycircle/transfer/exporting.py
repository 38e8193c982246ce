"""Export stories: a Markdown folder, a JSON file, an HTML booklet or an age bundle.

Every export goes into a new or empty folder and nowhere else: the folder is
opened once and each file is created relative to it (``dir_fd``) with
``O_EXCL | O_NOFOLLOW``, under a name derived here (a slug), never a
title taken raw. A personal export is private (folder 0700, files 0600). If an
export fails half-way, the files it wrote are removed again. The folder and
its names are in :mod:`storycircle.transfer.output_folder`, the entries and
their Markdown and JSON in :mod:`storycircle.transfer.export_entries`, the HTML
booklet in :mod:`storycircle.transfer.booklet_html`.

The bundle is the JSON document encrypted in memory with the vault, so no
plaintext copy ever touches the disk; ``age -d`` opens it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle import vault
from storycircle.errors import StorycircleError
from storycircle.models import Collection, ExportReport
from storycircle.sealing.passphrase import check_strength
from storycircle.transfer.booklet import BookletAbout
from storycircle.transfer.booklet_html import render_html
from storycircle.transfer.export_entries import ExportEntry, bundle_payload, story_markdown
from storycircle.transfer.output_folder import OutputFolder, slugify, unique_name

if TYPE_CHECKING:
    from storycircle.journal.journal import Journal

__all__ = [
    "ExportEntry",
    "ExportFormat",
    "ExportReport",
    "OutputFolder",
    "Progress",
    "bundle_payload",
    "export_collection",
    "export_journal",
    "export_stories",
    "journal_entries",
    "render_html",
    "slugify",
    "story_markdown",
    "unique_name",
]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a long operation runs."""

FILE_NAMES = {"json": "stories.json", "html": "stories.html", "bundle": "stories.age"}


class ExportFormat(StrEnum):
    """What an export writes."""

    MARKDOWN = "markdown"
    JSON = "json"
    HTML = "html"
    BUNDLE = "bundle"


def export_stories(
    entries: Sequence[ExportEntry],
    fmt: ExportFormat | str,
    dest: Path,
    *,
    title: str = "Stories",
    private: bool = True,
    recipients: Sequence[vault.Recipient] = (),
    armor: bool = False,
    progress: Progress | None = None,
    about: BookletAbout | None = None,
) -> ExportReport:
    """Write ``entries`` into the new or empty folder ``dest``.

    Args:
        entries: The stories.
        fmt: ``markdown`` (one file per story), ``json``, ``html`` or ``bundle``.
        dest: The folder; created if missing, refused if not empty.
        title: Title of the HTML booklet.
        private: Folder 0700 and files 0600 (personal exports).
        recipients: Who can open a bundle (required for ``bundle``).
        armor: Write the bundle as ASCII armor.
        progress: Called with ``(done, total)`` per Markdown file.
        about: What the HTML booklet says about itself (a collection's licence...).

    Raises:
        StorycircleError: unknown format, unusable folder, no recipients.
    """
    try:
        kind = ExportFormat(fmt)
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise StorycircleError(
            f"unknown export format {fmt!s:.20}; choose one of {choices}"
        ) from None
    if kind is ExportFormat.BUNDLE and not recipients:
        raise StorycircleError("a bundle needs a key or passphrase to be encrypted to")
    with OutputFolder(dest, private=private) as out:
        if kind is ExportFormat.MARKDOWN:
            used: set[str] = set()
            for done, entry in enumerate(entries, start=1):
                out.write(unique_name(slugify(entry.title), used), story_markdown(entry).encode())
                if progress is not None:
                    progress(done, len(entries))
        elif kind is ExportFormat.JSON:
            out.write(FILE_NAMES["json"], bundle_payload(entries))
        elif kind is ExportFormat.HTML:
            out.write(FILE_NAMES["html"], render_html(entries, title, about).encode("utf-8"))
        else:
            try:
                sealed = vault.encrypt(bundle_payload(entries), recipients, armor=armor)
            except vault.AgeError as error:
                raise StorycircleError(f"the bundle cannot be written: {error}") from None
            out.write(FILE_NAMES["bundle"], sealed)
        return ExportReport(dest, tuple(out.written), len(entries))


def journal_entries(
    journal: Journal, *, progress: Progress | None = None
) -> tuple[list[ExportEntry], list[str]]:
    """Decrypt every story of ``journal``, oldest first.

    Returns:
        The entries, and the ids of stories that could not be read.
    """
    summaries = list(reversed(journal.summaries()))
    entries: list[ExportEntry] = []
    unreadable: list[str] = []
    for done, summary in enumerate(summaries, start=1):
        try:
            entries.append(
                ExportEntry.from_story(journal.load(summary.id), journal.member.pseudonym)
            )
        except StorycircleError:
            unreadable.append(summary.id)
        if progress is not None:
            progress(done, len(summaries))
    return entries, unreadable


def export_journal(
    journal: Journal,
    fmt: ExportFormat | str,
    dest: Path,
    *,
    armor: bool = False,
    passphrase: str | None = None,
    work_factor: int = 18,
    progress: Progress | None = None,
    classic_key: bool = False,
) -> ExportReport:
    """Export every story of a journal, privately.

    A bundle is encrypted to the member's own key (hybrid post-quantum when
    they have one; their X25519 key with ``classic_key``, for age before 1.3),
    or to ``passphrase`` (checked for strength) when one is given.

    Raises:
        StorycircleError: as :func:`export_stories`, or a weak passphrase.
    """
    member = journal.member
    own = member.identity.recipient if classic_key else member.own_recipient
    recipients: list[vault.Recipient] = [own]
    if passphrase is not None:
        check_strength(passphrase, pseudonym=journal.member.pseudonym)
        recipients = [vault.ScryptRecipient(passphrase, work_factor)]
    entries, unreadable = journal_entries(journal, progress=progress)
    title = f"Stories of {journal.member.pseudonym}"
    report = export_stories(
        entries, fmt, dest, title=title, recipients=recipients, armor=armor, progress=progress
    )
    return ExportReport(report.folder, report.files, report.stories, tuple(unreadable))


def export_collection(
    collection: Collection,
    fmt: ExportFormat | str,
    dest: Path,
    *,
    recipients: Sequence[vault.Recipient] = (),
    armor: bool = False,
) -> ExportReport:
    """Export a curated collection (public writing: ordinary permissions)."""
    entries = [ExportEntry.from_collection_story(story) for story in collection.stories]
    about = BookletAbout(
        collection.curator, collection.description, collection.license, collection.consent
    )
    return export_stories(
        entries,
        fmt,
        dest,
        title=collection.title,
        private=False,
        recipients=recipients,
        armor=armor,
        about=about,
    )
