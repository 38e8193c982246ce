"""The session's reading verbs: sections, themes, collections, and the slow work behind them.

Kept apart from :mod:`storycircle.session.session` so each stays short. The
two slow jobs of the library screen (decrypting a large journal's rows, and
opening the full-text index) run in worker threads; these verbs open their
own database connection there, because a SQLite connection belongs to the
thread that opened it, and they turn a database or file error into "not
now" rather than an exception, since both jobs only make the screen faster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storycircle.errors import StorycircleError
from storycircle.heap import give_back

# Imported where used, not here: the session is imported before the first
# screen is drawn, and none of this is needed until someone reads (start-up cost).
if TYPE_CHECKING:
    from storycircle.journal.journal import Journal
    from storycircle.journal.members import UnlockedMember
    from storycircle.models import Collection, StorySummary
    from storycircle.reading.library import Library
    from storycircle.session.installation import Installation

Cancelled = Callable[[], bool]
"""Asked now and then by slow work; True means stop."""


@dataclass(frozen=True, slots=True)
class ListedJournal:
    """A journal's rows decrypted by a worker, to be adopted on the app's thread.

    Attributes:
        member: Whose journal it is (the session may have locked meanwhile).
        rows: Every list row.
        damaged: Ids of rows that did not open.
    """

    member: UnlockedMember
    rows: list[StorySummary]
    damaged: set[str]


class ReadingVerbs:
    """What a reader's screens ask of the library; mixed into the session's :class:`Session`."""

    installation: Installation
    journal: Journal | None
    library: Library

    @property
    def unlocked(self) -> bool:
        """True when a member is unlocked (not a guest)."""
        return self.journal is not None

    @property
    def member(self) -> UnlockedMember | None:
        """The unlocked member, or None for a guest."""
        return self.journal.member if self.journal is not None else None

    @property
    def can_work_in_threads(self) -> bool:
        """False for an in-memory database (tests): its connection cannot cross threads."""
        return self.installation.store.path is not None

    # -- what there is to read -----------------------------------------------------------

    def themes(self) -> list[tuple[str, str]]:
        """The themes a reader may filter by, as ``(label, name)``."""
        return self.library.themes()

    def themes_with_tags(self) -> list[tuple[str, list[tuple[str, str, int]]]]:
        """Each theme with its tags and how many readable stories carry each."""
        return self.library.themes_with_tags()

    def stories_with_tag(self, tag: str) -> list[StorySummary]:
        """The readable stories carrying ``tag``, newest first."""
        return self.library.stories_with_tag(tag)

    def collection(self, slug: str) -> Collection | None:
        """A curated collection by its slug, or None."""
        return self.library.collection(slug)

    def collection_warning(self, story_id: str) -> str:
        """What a reader should know before trusting a collection's story ("" when nothing)."""
        return self.library.collection_warning(story_id)

    def is_collection_story(self, story_id: str) -> bool:
        """True when ``story_id`` comes from a curated collection."""
        return self.library.is_collection_story(story_id)

    def searches_text(self, section: str) -> bool:
        """True when a search in ``section`` also looks inside the stories' text."""
        return self.library.searches_text(section)

    @property
    def text_matches(self) -> int:
        """How many stories the last text search matched, before the list's limit."""
        return self.library.text_matches

    # -- a large journal, listed in the background ---------------------------------------

    def journal_first_page(self, limit: int) -> tuple[list[StorySummary], int] | None:
        """The newest ``limit`` rows and the total, while the journal is not listed yet.

        None when it is listed already, nobody is unlocked, or the database is
        in memory (no worker can open it: the journal is listed at once).
        """
        if self.journal is None or not self.can_work_in_threads:
            return None
        return self.library.journal_first_page(limit)

    def list_journal(self, cancelled: Cancelled) -> ListedJournal | None:
        """Decrypt every row of the member's journal (call from a worker thread).

        None when nobody is unlocked, when ``cancelled`` says stop, or when the
        database cannot be read here; listing then happens on the app's thread
        the usual way, which reports any problem.
        """
        from storycircle.journal.journal import read_summaries
        from storycircle.store import SqliteError

        member, database = self.member, self.installation.store.path
        if member is None or database is None:
            return None
        try:
            listed = read_summaries(database, member, cancelled)
        except (StorycircleError, OSError, SqliteError):
            return None
        finally:
            give_back()  # every row's decrypted JSON, freed as it was read
        return None if listed is None else ListedJournal(member, *listed)

    def adopt_journal(self, listed: ListedJournal) -> bool:
        """Take rows listed by :meth:`list_journal`; False when the member changed meanwhile."""
        journal = self.journal
        if journal is None or journal.member is not listed.member:
            return False
        journal.adopt(listed.rows, listed.damaged)
        return True

    # -- the full-text index --------------------------------------------------------------

    def text_index_work(self) -> str:
        """What the journal's text index needs next: ``"load"``, ``"merge"`` or ``""``.

        Call on the app's thread; a ``"load"`` attaches a new index for
        :meth:`open_text_index` to open.
        """
        if self.journal is None or not self.can_work_in_threads:
            return ""
        opened = self.library.text_index
        if opened is not None:
            return "merge" if opened.ready and opened.merge_plan() else ""
        return "load" if self.library.start_text_index() is not None else ""

    def open_text_index(
        self, cancelled: Cancelled, ready: Callable[[], None], *, merge_only: bool = False
    ) -> None:
        """Open the attached text index, then tidy it, on one connection (call from a worker).

        Unless ``merge_only``, the index is loaded from its sealed segments and
        ``ready`` is called once searches may use it. Then, still in the
        background, deleted stories are purged and small segments folded.
        Stopped by ``cancelled``; a database or file error stops it quietly
        (searching falls back to titles and tags; ``doctor`` rebuilds).
        """
        from storycircle.store import SqliteError, Store

        index, database = self.library.text_index, self.installation.store.path
        if index is None or database is None:
            return
        try:
            store = Store.open(database)
        except (StorycircleError, OSError, SqliteError):
            return
        try:
            if not merge_only:
                if not index.load(store, cancelled):
                    return
                ready()
            while not cancelled() and index.merge(store, cancelled):
                pass
            give_back()  # the segments read and merged on the way
        except (StorycircleError, OSError, SqliteError):
            return
        finally:
            store.close()
