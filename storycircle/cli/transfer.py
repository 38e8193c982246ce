"""The command-line verbs that move stories in and out: import, export, collections.

The services are imported inside each verb, so the other verbs do not pay for
YAML and Markdown parsers they never use.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from storycircle.cli.session import unlock_member
from storycircle.cli.terminal import PassphraseSource, say_line, warn
from storycircle.errors import StorycircleError
from storycircle.journal.journal import Journal
from storycircle.session.installation import Installation
from storycircle.wording import counted

# Importing, exporting, circles and collections are imported in the verb that
# uses them, so each command loads only its own (start-up cost).

__all__ = ["IO_HANDLERS", "TerminalProgress"]

MAX_BUNDLE_WORK_FACTOR = 20
"""Passphrase bundles are written at most this costly, so import accepts them."""


class TerminalProgress:
    """A progress bar on stderr, drawn only when stderr is a terminal (quiet when piped)."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        """Count ``label`` (e.g. "imported") on ``stream`` (stderr by default)."""
        self._label = label
        self._stream = stream or sys.stderr
        self._shown = self._stream.isatty()
        encoding = (getattr(self._stream, "encoding", None) or "").lower().replace("-", "")
        # Block characters where the terminal can show them, ASCII elsewhere.
        self._marks = ("█", "░") if encoding == "utf8" else ("#", "-")
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        """Redraw the bar, at most ten times a second and at the end."""
        now = time.monotonic()
        if not self._shown or (done < total and now - self._last < 0.1):
            return
        self._last = now
        self._stream.write("\r" + self.line(done, total))
        self._stream.flush()
        self._drawn = True

    def line(self, done: int, total: int) -> str:
        """The bar's text for ``done`` of ``total``, as wide as the terminal allows."""
        count = f" {done:,}/{total:,}"
        width = shutil.get_terminal_size((80, 24)).columns - 1
        room = min(40, width - len(self._label) - len(count) - 3)
        if room < 5:
            return f"{self._label}{count}"
        filled = room * done // total if total > 0 else room
        full, empty = self._marks
        return f"{self._label} [{full * filled}{empty * (room - filled)}]{count}"

    def finish(self) -> None:
        """End the bar's line, if one was drawn."""
        if self._drawn:
            self._stream.write("\n")
            self._drawn = False


def _import(installation: Installation, args: argparse.Namespace) -> int:
    from storycircle.transfer.importing import ImportClock, PassphraseNeeded, import_path

    source = PassphraseSource(args.passphrase_fd)
    clock = ImportClock()
    journal = Journal(installation.store, unlock_member(installation, args, source), clock=clock)
    path = Path(args.path).expanduser()
    if _is_circle_bundle(path):
        from storycircle.circles import Circles, Sharing
        from storycircle.circles.inbox import import_bundle

        circle_report = import_bundle(Sharing(Circles(installation.store, journal.member)), path)
        for name, reason in circle_report.refused:
            warn(f"refused {name}: {reason}")
        say_line(f"circle bundle: {circle_report.summary()}")
        return 0
    progress = TerminalProgress("imported")
    try:
        try:
            report = import_path(path, journal, progress=progress, clock=clock)
        except PassphraseNeeded:
            passphrase = source.ask("Passphrase of the bundle: ")
            report = import_path(
                path, journal, progress=progress, passphrase=passphrase, clock=clock
            )
    finally:
        progress.finish()
    for problem in report.problems:
        warn(f"skipped {problem.source}: {problem.reason}")
    for dropped in report.dropped_tags:
        warn(f"imported {dropped.source} without a tag: {dropped.reason}")
    say_line(report.summary())
    return 1 if report.problems and not report.added and not report.already_present else 0


def _is_circle_bundle(path: Path) -> bool:
    """True when ``path`` is a circle bundle (``storycircle circle export``)."""
    from storycircle.circles.folder import BUNDLE_MAGIC

    try:
        with open(path, "rb") as handle:
            return handle.read(len(BUNDLE_MAGIC)) == BUNDLE_MAGIC
    except OSError:
        return False  # a folder, or unreadable: the journal import says why


def _export(installation: Installation, args: argparse.Namespace) -> int:
    from storycircle import vault
    from storycircle.curated.collections import shipped_collections, user_collections
    from storycircle.transfer import exporting

    if (args.armor or args.passphrase_bundle or args.classic_key) and args.format != "bundle":
        raise StorycircleError(
            "--armor, --passphrase-bundle and --classic-key only apply to a bundle"
        )
    source = PassphraseSource(args.passphrase_fd)
    dest = Path(args.dest).expanduser()
    work_factor = min(installation.config.work_factor, MAX_BUNDLE_WORK_FACTOR)
    if args.collection:
        found = [
            c
            for report in (shipped_collections(), user_collections(installation.folder))
            for c in report.collections
            if c.slug == args.collection
        ]
        if not found:
            raise StorycircleError(f"there is no collection {args.collection}; see `collections`")
        recipients: list[vault.Recipient] = []
        if args.format == "bundle" and args.passphrase_bundle:
            recipients = [vault.ScryptRecipient(_new_bundle_passphrase(source), work_factor)]
        elif args.format == "bundle":
            member = unlock_member(installation, args, source)
            recipients = [member.identity.recipient if args.classic_key else member.own_recipient]
        report = exporting.export_collection(
            found[0], args.format, dest, recipients=recipients, armor=args.armor
        )
    else:
        journal = Journal(installation.store, unlock_member(installation, args, source))
        passphrase = _new_bundle_passphrase(source) if args.passphrase_bundle else None
        progress = TerminalProgress("exported")
        try:
            report = exporting.export_journal(
                journal,
                args.format,
                dest,
                armor=args.armor,
                classic_key=args.classic_key,
                passphrase=passphrase,
                work_factor=work_factor,
                progress=progress,
            )
        finally:
            progress.finish()
    for story_id in report.unreadable:
        warn(f"story {story_id} is damaged and was left out")
    files = counted(len(report.files), "file") if len(report.files) > 1 else ", ".join(report.files)
    say_line(f"Exported {counted(report.stories, 'story')} to {report.folder} ({files}).")
    return 0


def _new_bundle_passphrase(source: PassphraseSource) -> str:
    return source.ask_new("Passphrase for the bundle: ")


def _collections(installation: Installation, args: argparse.Namespace) -> int:
    from storycircle.curated.collections import shipped_collections, user_collections
    from storycircle.curated.curators import accept_curator_key, signature_note

    if args.accept_key:
        mine = {c.slug: c for c in user_collections(installation.folder).collections}
        chosen = mine.get(args.accept_key)
        if chosen is None or chosen.signature is not True:
            raise StorycircleError(f"no signed collection {args.accept_key!r} in your collections")
        accept_curator_key(installation.folder, chosen)
        say_line(f"{chosen.curator}'s key is now taken to be the one that signed {chosen.slug}.")
        return 0
    found = 0
    for where, report in (
        ("shipped", shipped_collections()),
        ("yours", user_collections(installation.folder)),
    ):
        for collection in report.collections:
            found += 1
            count = counted(len(collection.stories), "story")
            say_line(
                f"{collection.slug}: {collection.title} - {count}, "
                f"{signature_note(collection)} ({where}, curated by {collection.curator})"
            )
        for skipped in report.skipped:
            warn(f"skipped {skipped.name}: {skipped.reason}")
    if not found:
        say_line("No collections found.")
    return 0


IO_HANDLERS: dict[str, Callable[[Installation, argparse.Namespace], int]] = {
    "import": _import,
    "export": _export,
    "collections": _collections,
}
"""The verbs of this module, merged into :func:`storycircle.cli.commands.run`."""
