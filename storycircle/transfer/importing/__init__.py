"""Import stories into the encrypted journal from other tools and from storycircle.

:func:`import_path` recognises a folder of Markdown files (Obsidian, Jekyll
and Hugo front matter), a single Markdown file, a jrnl JSON export, and
storycircle's own JSON export and age bundle. Each story is checked,
canonicalised, signed and encrypted to its author exactly like one typed in
the app (:meth:`Journal.compose`, then :meth:`Journal.write_new` for a batch
of them); nothing is written in clear anywhere. Files are read and stories
saved in one thread: saving holds the GIL nearly all the time, so a reader
thread only took turns with it and made import slower.

Stories are written :data:`BATCH_SIZE` at a time, one transaction each. A bad
file or entry is skipped with a one-line reason and the rest go on; a batch
that cannot be written (a full disk) is reported story by story and the next
batch is tried, while what earlier batches wrote stays. Import only ever adds
stories: a story already in the journal is never changed, so a failed or
partial import leaves what was stored untouched.

Stories that carry a storycircle id are matched by it. From a bundle or a
JSON export (which cannot have been edited by hand) the same id and version
means "already here"; otherwise, and for a Markdown file carrying an id, the
content decides, and a story whose text differs is kept as a new copy.
Stories without an id are skipped when the journal holds one with the same
title and text. Importing the same thing twice therefore adds nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from storycircle.errors import PassphraseNeeded, StoreError, StorycircleError
from storycircle.journal.cleaning import clean_notes, clean_title
from storycircle.journal.journal import Journal
from storycircle.models import Story
from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.tagging.tags import TagCache, canonical_tags, usable_tags
from storycircle.transfer.importing.sources import (
    Candidate,
    ImportProblem,
    open_source,
)
from storycircle.wording import counted, plural

__all__ = [
    "ImportClock",
    "ImportProblem",
    "ImportReport",
    "PassphraseNeeded",
    "import_path",
]

Progress = Callable[[int, int], None]


BATCH_SIZE = 2000
"""Stories written per transaction during an import.

Each commit is a disk sync: writing 10k stories took 1.5 s in batches of 500
and 0.95 s in batches of 2,500 on a loaded machine. The write lock is held
only while a batch is inserted, not while its files are read and sealed, and
a crash loses at most the batch being written (importing again adds it).
"""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did.

    Attributes:
        kind: The format recognised, e.g. ``"Markdown folder"``.
        imported: Ids of the stories added.
        copies: Ids of stories added as copies because the journal held a
            different text under the same id.
        already_present: How many were skipped because the journal has them.
        problems: Files or entries skipped, each with its reason.
        dropped_tags: Tags left off stories that were imported, each with why.
    """

    kind: str
    imported: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()
    already_present: int = 0
    problems: tuple[ImportProblem, ...] = field(default_factory=tuple)
    dropped_tags: tuple[ImportProblem, ...] = field(default_factory=tuple)

    @property
    def added(self) -> int:
        """How many stories the journal gained."""
        return len(self.imported) + len(self.copies)

    def summary(self) -> str:
        """One sentence for a person: what was imported, kept, and skipped."""
        extra = []
        if self.already_present:
            extra.append(f"{self.already_present} already in your journal")
        if self.copies:
            copies = plural(
                len(self.copies), "a copy of a changed story", "copies of changed stories"
            )
            extra.append(f"{len(self.copies):,} kept as {copies}")
        if self.problems:
            extra.append(f"{len(self.problems)} skipped")
        if self.dropped_tags:
            count = len(self.dropped_tags)
            extra.append(f"{count} {'tag' if count == 1 else 'tags'} left off")
        details = f" ({', '.join(extra)})" if extra else ""
        return f"Imported {counted(self.added, 'story')} from a {self.kind}{details}."


class ImportClock:
    """A journal clock that import can set to each story's own date.

    :class:`Journal` dates a save by its clock. Build the journal with this
    clock and pass it to :func:`import_path`, and each imported story keeps the
    date it was written instead of the day it was imported.
    """

    def __init__(self, base: Callable[[], datetime] | None = None) -> None:
        """Tell the time with ``base`` (the real UTC time by default) unless pinned."""
        self._base = base or (lambda: datetime.now(UTC))
        self._pinned: datetime | None = None

    def __call__(self) -> datetime:
        """The pinned time, or the base clock's."""
        return self._pinned or self._base()

    @contextmanager
    def pinned(self, when: datetime | None) -> Iterator[None]:
        """Within the block, read ``when`` (no change when it is None)."""
        self._pinned = when
        try:
            yield
        finally:
            self._pinned = None


def parse_when(text: str) -> datetime | None:
    """An ISO 8601 date or timestamp as an aware datetime (naive means UTC)."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def import_path(
    path: Path,
    journal: Journal,
    *,
    progress: Progress | None = None,
    passphrase: str | None = None,
    clock: ImportClock | None = None,
) -> ImportReport:
    """Import the stories at ``path`` into ``journal``.

    Args:
        path: A folder of Markdown files, a Markdown file, a jrnl JSON export,
            or a storycircle JSON export or bundle.
        journal: Where the stories go.
        progress: Called as ``progress(done, total)`` as files or entries are
            handled: at the start, about every 1/200 of them, after each
            batch is written, and at the end (``done == total``).
        passphrase: Opens a passphrase bundle.
        clock: The clock ``journal`` was built with, to keep original dates.

    Returns:
        What was imported, skipped, and why.

    Raises:
        PassphraseNeeded: a passphrase bundle and no ``passphrase``.
        StorycircleError: the path as a whole cannot be imported; nothing
            was saved then.
    """
    source = open_source(path, journal.member, passphrase)
    run = _Run(journal, clock)
    total = source.total
    # A progress call from the interface's worker waits for the screen, so
    # about 200 calls are made whatever the size, and always the last one.
    step = max(1, total // 200)
    if progress is not None:
        progress(0, total)
    items = enumerate(source.items, start=1)
    while batch := list(itertools.islice(items, BATCH_SIZE)):
        # Files are read and their stories checked first, with no write lock
        # held; then the batch is sealed and written in one transaction: one
        # disk sync and three statements for all its stories. What earlier
        # batches wrote stays whatever happens to this one, and importing
        # again adds only what is missing.
        for done, item in batch:
            run.handle(item)
            if progress is not None and done % step == 0 and done < batch[-1][0]:
                progress(done, max(done, total))
        try:
            run.write()
        except StoreError as error:
            run.failed(error)
        else:
            run.committed()
        if progress is not None:
            done = batch[-1][0]
            progress(done, max(done, total))
    return ImportReport(
        kind=source.kind,
        imported=tuple(run.imported),
        copies=tuple(run.copies),
        already_present=run.already_present,
        problems=tuple(run.problems),
        dropped_tags=tuple(run.dropped_tags),
    )


class _Run:
    """The state of one import: what the journal holds, what was done.

    Stories are checked and dated as their files are read, then written a
    batch at a time (:meth:`write`). Until the batch commits they count as
    pending: :meth:`committed` makes them imported, :meth:`failed` turns
    each into a problem with the reason and forgets it.
    """

    def __init__(self, journal: Journal, clock: ImportClock | None) -> None:
        self.journal = journal
        self.clock = clock or ImportClock()
        self.tags = TagCache()  # dropped with the run: tag names are private
        summaries = journal.summaries()
        self.versions = {s.id: s.version for s in summaries}
        self.titles: dict[str, list[str]] = {}
        for summary in summaries:
            self.titles.setdefault(summary.title.casefold(), []).append(summary.id)
        self.saved: dict[str, Story] = {}  # saved by this run: compared without decrypting
        self.imported: list[str] = []
        self.copies: list[str] = []
        self.already_present = 0
        self.problems: list[ImportProblem] = []
        self.dropped_tags: list[ImportProblem] = []
        # This batch until it commits: the stories to write, and each with
        # where it came from, whether it is a copy, and the tags it dropped.
        self.unwritten: list[Story] = []
        self.pending: list[tuple[str, Story, bool, list[ImportProblem]]] = []

    def _story(self, story_id: str) -> Story:
        return self.saved.get(story_id) or self.journal.load(story_id)

    def handle(self, item: Candidate | ImportProblem) -> None:
        """Note a problem, or check a candidate and save it unless already here."""
        if isinstance(item, ImportProblem):
            self.problems.append(item)
            return
        try:
            self.add(item)
        except StorycircleError as error:
            self.problems.append(ImportProblem(item.source, str(error)))

    def add(self, item: Candidate) -> None:
        # One unusable tag costs that tag, never the story: say which.
        tags, dropped = usable_tags(item.tags, self.tags)
        dropped_tags = [ImportProblem(item.source, reason) for reason in dropped]
        if dropped:
            item = replace(item, tags=tuple(tags))
        # The body gives the title only when the file has none; the journal
        # sanitizes it when saving, so it is not done twice for every story.
        title = clean_title(
            item.title, "" if sanitize_line(item.title) else sanitize_text(item.body)
        )
        if item.story_id in self.versions:
            same_version = item.exact and self.versions[item.story_id] == item.version
            if same_version or self._same(self._story(item.story_id), item, title):
                self.already_present += 1
            else:
                self._save(item, title, story_id=None, copy=True, dropped=dropped_tags)
            return
        for known in self.titles.get(title.casefold(), []):
            if self._same(self._story(known), item, title):
                self.already_present += 1
                return
        self._save(item, title, story_id=item.story_id or None, copy=False, dropped=dropped_tags)

    def _same(self, story: Story, item: Candidate, title: str) -> bool:
        return (
            story.title == title
            and story.body.rstrip() == sanitize_text(item.body).rstrip()
            and story.tags == canonical_tags(item.tags, cache=self.tags)
            and story.content_notes == clean_notes(item.content_notes)
        )

    def _save(
        self,
        item: Candidate,
        title: str,
        *,
        story_id: str | None,
        copy: bool,
        dropped: list[ImportProblem],
    ) -> None:
        with self.clock.pinned(parse_when(item.created)):
            # Checked and dated now, written with its batch. A file carrying
            # an id the journal does not hold keeps it, unless the id turns
            # out to be taken (another member's story): then it gets a new one.
            story = self.journal.compose(
                title=title,
                body=item.body,
                tags=item.tags,
                content_notes=item.content_notes,
                tag_cache=self.tags,
            )
        if story_id is not None:
            story = replace(story, id=story_id)
        self.unwritten.append(story)
        self.pending.append((item.source, story, copy, dropped))
        self.saved[story.id] = story
        self.versions[story.id] = story.version
        self.titles.setdefault(story.title.casefold(), []).append(story.id)

    def write(self) -> None:
        """Seal and write the batch's stories in one transaction.

        Raises:
            StoreError: the batch could not be written; none of it was.
        """
        written = self.journal.write_new(self.unwritten)
        for old, new in zip(self.unwritten, written, strict=True):
            if new.id != old.id:  # an id was taken: the story got a fresh one
                self._forget(old)
                self.saved[new.id] = new
                self.versions[new.id] = new.version
                self.titles.setdefault(new.title.casefold(), []).append(new.id)
                self.pending = [
                    (source, new if story is old else story, copy, dropped)
                    for source, story, copy, dropped in self.pending
                ]
        self.unwritten = []

    def committed(self) -> None:
        """The batch is in the journal: count its stories as imported."""
        for _, story, copy, dropped in self.pending:
            (self.copies if copy else self.imported).append(story.id)
            self.dropped_tags += dropped
        self.pending = []
        self.unwritten = []

    def failed(self, error: StoreError) -> None:
        """The batch did not commit: each of its stories is a problem, and forgotten."""
        for source, story, _, _ in self.pending:
            self.problems.append(ImportProblem(source, str(error)))
            self._forget(story)
        self.pending = []
        self.unwritten = []

    def _forget(self, story: Story) -> None:
        self.saved.pop(story.id, None)
        self.versions.pop(story.id, None)
        same_title = self.titles.get(story.title.casefold(), [])
        if story.id in same_title:
            same_title.remove(story.id)
