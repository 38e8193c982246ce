"""The library: every story a reader may open, and how they meet each other.

A reader may open their own journal (once unlocked) and the curated
collections (always, with no account). This service lists them by section,
finds them by words, tag and theme, opens any of them, and ranks related
stories over all of them with :class:`~storycircle.reading.related.RelatedIndex`.
Stories whose content notes the reader chose to hide are left out everywhere.
The collections themselves come from :class:`~storycircle.reading.shelf.CollectionShelf`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import cached_property
from pathlib import Path

from storycircle.circles import CircleError, Sharing
from storycircle.curated.collections import SkippedFile
from storycircle.errors import StoryNotFound
from storycircle.heap import give_back
from storycircle.journal.journal import Journal
from storycircle.journal.preferences import Preferences
from storycircle.journal.search_index import SearchIndex
from storycircle.models import (
    CIRCLE_SCOPE_PREFIX,
    COLLECTION_SCOPE_PREFIX,
    JOURNAL_SCOPE,
    SEARCH_LIMIT,
    Circle,
    Collection,
    Story,
    StoryRef,
    StorySummary,
)
from storycircle.reading.related import Related, RelatedIndex, summary_of
from storycircle.reading.shelf import ALL_COLLECTIONS, CollectionShelf
from storycircle.sanitize import sanitize_line
from storycircle.store import Store
from storycircle.tagging.tags import canonical_tag
from storycircle.tagging.vocabulary import Vocabulary


class Library:
    """The stories one reader may open, with search and related stories."""

    def __init__(
        self,
        data_folder: Path,
        journal: Journal | None,
        preferences: Preferences,
        *,
        hope_counts: Callable[[], Mapping[str, int]] = dict,
        today: date | None = None,
        sharing: Sharing | None = None,
        store: Store | None = None,
    ) -> None:
        """Gather the collections and, when unlocked, the member's journal and circles.

        ``store`` (the caller's connection) keeps the full-text index's
        segments current as stories are saved.
        """
        self.journal = journal
        self.sharing = sharing
        self.preferences = preferences
        self._shelf = CollectionShelf(data_folder)
        self._hope_counts = hope_counts
        self._today = today
        self._index: RelatedIndex | None = None
        self._store = store
        self.text_index: SearchIndex | None = None
        """The journal's full-text index, once :meth:`start_text_index` attached it."""
        self.text_matches = 0
        """How many stories the last full-text search matched (it lists the newest
        :data:`SEARCH_LIMIT`)."""
        # Rows of stories saved since the journal was listed; the others come
        # from the journal's own cache (no second id -> row map of every story).
        self._saved: dict[str, StorySummary] = {}

    # Collections (on the shelf) and the vocabulary are read on first use, not
    # at start-up: the welcome screen needs neither.

    @property
    def collections(self) -> list[Collection]:
        """The shipped collections, then those in the data folder."""
        return self._shelf.collections

    @property
    def skipped(self) -> tuple[SkippedFile, ...]:
        """Collection files that could not be read, with why."""
        return self._shelf.skipped

    @cached_property
    def _vocabulary(self) -> Vocabulary:
        return Vocabulary.load()

    # -- sections and finding -----------------------------------------------------

    def sections(self) -> list[tuple[str, str]]:
        """``(label, key)`` of each section the reader can browse."""
        sections: list[tuple[str, str]] = []
        if self.journal is not None:
            sections.append(("My journal", JOURNAL_SCOPE))
        for circle in self._circles():
            sections.append((f"Circle: {circle.name}", circle.scope))
        return sections + self._shelf.sections()

    def collection(self, slug: str) -> Collection | None:
        """The collection with this slug, or None."""
        return self._shelf.collection(slug)

    def summaries(self, section: str) -> list[StorySummary]:
        """The visible stories of a section, newest first."""
        if section == JOURNAL_SCOPE:
            rows = self.journal.summaries() if self.journal is not None else []
        elif section.startswith(CIRCLE_SCOPE_PREFIX):
            rows = self._circle_rows(section[len(CIRCLE_SCOPE_PREFIX) :])
        else:
            rows = self._shelf.summaries(section)
        return self.preferences.visible(rows)

    def journal_first_page(self, limit: int) -> tuple[list[StorySummary], int] | None:
        """The journal's newest ``limit`` visible rows and how many stories it
        holds, while it has not been listed in full; None once it has.

        A large journal draws its first screen from this while a worker
        decrypts the rest (:func:`~storycircle.journal.journal.read_summaries`).
        """
        journal = self.journal
        if journal is None or journal.listed:
            return None
        page = journal.page(0, limit)
        rows = self.preferences.visible(page.items)
        return rows, page.total

    def find(
        self, section: str, text: str = "", tag: str = "", theme: str = ""
    ) -> list[StorySummary]:
        """A section's visible stories narrowed by words, a tag and a theme.

        Raises:
            TagError: ``tag`` is not a valid tag.
        """
        needle = sanitize_line(text).casefold()
        wanted = canonical_tag(tag) if tag.strip() else ""
        hits = self._text_hits(section, needle, wanted, theme)
        if hits is not None:
            return hits
        rows = self.summaries(section)
        if wanted:
            rows = [s for s in rows if wanted in s.tags]
        if theme:
            rows = [s for s in rows if any(self._theme_of(t) == theme for t in s.tags)]
        if needle:
            # Collection stories are in memory, so their words are searched too.
            texts = self._shelf.stories if self.searches_text(section) else {}
            rows = [
                s
                for s in rows
                if needle in s.title.casefold()
                or any(needle in t for t in s.tags)
                or needle in s.author_name.casefold()
                or (s.id in texts and needle in texts[s.id].body.casefold())
            ]
        return rows

    def searches_text(self, section: str) -> bool:
        """True when searching ``section`` looks at the words of the stories too.

        The journal's words are found through its full-text index and the
        collections' in memory; a circle's stories are searched by title,
        tag and author only (their text is not decrypted for a search).
        """
        return not section.startswith(CIRCLE_SCOPE_PREFIX)

    def _text_hits(
        self, section: str, needle: str, tag: str, theme: str
    ) -> list[StorySummary] | None:
        # Words inside the journal's stories, once the full-text index is open
        # and the journal listed; until then (and for collections) titles and
        # tags are searched. Matches are read newest first and filtered as
        # they come, stopping at SEARCH_LIMIT.
        index, journal = self.text_index, self.journal
        if not needle or section != JOURNAL_SCOPE or index is None or journal is None:
            return None
        if not journal.listed:
            return None
        matches = index.search(needle)
        if matches is None:
            return None
        saved, hides = self._saved, self.preferences.hides
        rows: list[StorySummary] = []
        for _, story_id, version in matches.stories():
            row = saved.get(story_id)
            if row is None or row.version != version:
                row = journal.listed_row(story_id, version)
            if row is None or hides(row.content_notes):
                continue
            if (tag and tag not in row.tags) or (
                theme and not any(self._theme_of(t) == theme for t in row.tags)
            ):
                continue
            rows.append(row)
            if len(rows) >= SEARCH_LIMIT:
                break
        self.text_matches = matches.count
        # Matches come newest written first; the list shows them in the
        # journal's order (by each story's own day, then by when written).
        # A stable sort keeps the order written inside one day.
        rows.sort(key=lambda row: row.created[:10], reverse=True)
        return rows

    def start_text_index(self) -> SearchIndex | None:
        """Attach the journal's full-text index for a worker to open (see
        :meth:`SearchIndex.load`); None when nobody is unlocked."""
        if self.journal is None:
            return None
        self.text_index = SearchIndex(self.journal.member)
        return self.text_index

    def _theme_of(self, tag: str) -> str:
        term = self._vocabulary.term(tag)
        return term.theme if term is not None else ""

    def themes(self) -> list[tuple[str, str]]:
        """``(label, name)`` of the vocabulary's themes, in its order."""
        return [(theme.label, theme.name) for theme in self._vocabulary.themes]

    def known_tags(self) -> list[str]:
        """Every tag of the visible stories, most used first (for completion)."""
        counts: dict[str, int] = {}
        for section in self._readable_sections():
            for summary in self.summaries(section):
                for tag in summary.tags:
                    counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts, key=lambda t: (-counts[t], t))

    # -- opening -------------------------------------------------------------------

    def collection_warning(self, story_id: str) -> str:
        """What a reader must be told before opening this story, or "".

        Said for a story of a collection whose signature does not match, or
        whose curator signed with another key before.
        """
        return self._shelf.warning(story_id)

    def is_collection_story(self, story_id: str) -> bool:
        """True for a story of a curated collection."""
        return story_id in self._shelf.stories

    def load(self, story_id: str) -> Story:
        """Open any story the reader may read.

        Raises:
            StorycircleError: not found, or damaged (the message says which).
        """
        found = self._shelf.stories.get(story_id)
        if found is not None:
            return found.as_story()
        if self.sharing is not None and StoryRef.parse(story_id).is_circle:
            return self.sharing.load(story_id)
        if self.journal is None:
            raise StoryNotFound("unlock to read your own stories")
        return self.journal.load(story_id)

    def author_name(self, story: Story, members: Mapping[str, str]) -> str:
        """The pseudonym shown for a story's author (``members``: id → pseudonym)."""
        found = self._shelf.stories.get(story.id)
        if found is not None:
            return found.author or "anonymous"
        ref = StoryRef.parse(story.id)
        if ref.is_circle and self.sharing is not None:
            try:
                circle = self.sharing.circles.circle(ref.circle_id)
            except CircleError:
                return "unknown member"
            return circle.pseudonym_of(story.author_id) or "unknown member"
        return members.get(story.author_id, "unknown author")

    def scope_of(self, story_id: str) -> str:
        """The scope a story belongs to."""
        found = self._shelf.stories.get(story_id)
        if found is not None:
            return COLLECTION_SCOPE_PREFIX + found.collection
        ref = StoryRef.parse(story_id)
        return ref.scope if ref.is_circle else JOURNAL_SCOPE

    # -- circles ---------------------------------------------------------------------

    def _circles(self) -> list[Circle]:
        if self.sharing is None:
            return []
        return [c for c in self.sharing.circles.circles() if c.my_status == "active"]

    def _circle_rows(self, circle_id: str) -> list[StorySummary]:
        if self.sharing is None:
            return []
        try:
            return self.sharing.summaries(circle_id)
        except CircleError:
            return []  # left or removed meanwhile

    def _readable_sections(self) -> list[str]:
        """Every section whose stories count for related stories and tags."""
        return [JOURNAL_SCOPE, *(c.scope for c in self._circles()), ALL_COLLECTIONS]

    def circles_changed(self) -> None:
        """Stories of circles came or went: rebuild the related index on next use."""
        self._index = None

    # -- related stories --------------------------------------------------------------

    @property
    def index(self) -> RelatedIndex:
        """The related-stories index over everything visible (built on first use)."""
        if self._index is None:
            rows = [row for section in self._readable_sections() for row in self.summaries(section)]
            self._index = RelatedIndex.build(
                rows,
                hope_counts=self._hope_counts(),
                vocabulary=self._vocabulary,
                hidden=self.preferences,
                today=self._today,
            )
            give_back()  # the rows gathered and sorted to build it
        return self._index

    def related(self, story: Story, limit: int = 8) -> list[Related]:
        """Stories related to ``story``, each with why."""
        return self.index.rank((self.scope_of(story.id), story.id), story.tags, limit=limit)

    def count_with_tag(self, tag: str) -> int:
        """How many visible stories carry ``tag``."""
        return self.index.count_with_tag(canonical_tag(tag))

    def normalization(self, story: Story) -> str | None:
        """ "14 stories in your journal and the collections mention relapse", or None.

        The tag chosen is the one the most other stories share: it says most
        plainly that others have been here too.
        """
        if self.journal is None:
            where = "the collections"
        elif self._circles():
            where = "your journal, your circles and the collections"
        else:
            where = "your journal and the collections"
        best = max(story.tags, key=self.index.count_with_tag, default="")
        if not best:
            return None
        return self.index.normalization(best, where)

    def themes_with_tags(self) -> list[tuple[str, list[tuple[str, str, int]]]]:
        """Themes → ``(tag, label, count)`` over the visible stories (tag browser)."""
        return self.index.themes_with_tags()

    def stories_with_tag(self, tag: str) -> list[StorySummary]:
        """Visible stories carrying ``tag``, newest first."""
        return self.index.stories_with_tag(canonical_tag(tag))

    # -- keeping the index current ----------------------------------------------------------

    def story_saved(self, story: Story) -> None:
        """Reflect a saved story in the related index."""
        if self._index is not None:
            self._index.add(summary_of(story))
        self._saved[story.id] = summary_of(story)
        if self.text_index is not None and self._store is not None:
            self.text_index.saved(self._store, story)

    def story_deleted(self, story_id: str) -> None:
        """Reflect a deleted story in the related index."""
        if self._index is not None:
            self._index.remove((JOURNAL_SCOPE, story_id))
        self._saved.pop(story_id, None)
        if self.text_index is not None:
            self.text_index.deleted(story_id)

    def hope_changed(self, story_id: str, count: int) -> None:
        """Reflect a changed "this gave me hope" count in the ranking."""
        if self._index is not None:
            self._index.set_hope_count((self.scope_of(story_id), story_id), count)

    def set_preferences(self, preferences: Preferences) -> None:
        """Apply new content-note filters everywhere."""
        self.preferences = preferences
        if self._index is not None:
            self._index.set_hidden(preferences)
