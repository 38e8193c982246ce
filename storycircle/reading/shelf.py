"""The curated collections as the library shows them: read once, on first use.

The collections need nothing of the reader (no journal, no circles, no keys):
a guest reads them too. :class:`CollectionShelf` reads the shipped ones and
those in the data folder, names them as sections, lists their stories and
says what a reader must be told before opening one. It sits apart from
:class:`~storycircle.reading.library.Library`, which composes it, so the
library reads as how the reader's stories meet and this as where the
collections come from.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from storycircle.curated.collections import SkippedFile, shipped_collections, user_collections
from storycircle.curated.curators import signature_note
from storycircle.models import COLLECTION_SCOPE_PREFIX, Collection, CollectionStory, StorySummary

ALL_COLLECTIONS = "collections"
"""Section key of every collection at once (a single one is ``collection:<slug>``)."""


class CollectionShelf:
    """The shipped collections, then those in the data folder, read on first use."""

    def __init__(self, data_folder: Path) -> None:
        """Find the member's own collections in ``data_folder`` (once they are asked for)."""
        self._data_folder = data_folder

    # Read on first use, not at start-up: the welcome screen needs none of it.

    @cached_property
    def _loaded(self) -> tuple[list[Collection], tuple[SkippedFile, ...]]:
        shipped = shipped_collections()
        mine = user_collections(self._data_folder)
        return [*shipped.collections, *mine.collections], (*shipped.skipped, *mine.skipped)

    @property
    def collections(self) -> list[Collection]:
        """The shipped collections, then those in the data folder."""
        return self._loaded[0]

    @property
    def skipped(self) -> tuple[SkippedFile, ...]:
        """Collection files that could not be read, with why."""
        return self._loaded[1]

    @cached_property
    def stories(self) -> dict[str, CollectionStory]:
        """Every collection's stories by id."""
        return {story.id: story for c in self.collections for story in c.stories}

    def collection(self, slug: str) -> Collection | None:
        """The collection with this slug, or None."""
        return next((c for c in self.collections if c.slug == slug), None)

    def sections(self) -> list[tuple[str, str]]:
        """``(label, key)`` of all the collections at once, then of each (none without any)."""
        sections: list[tuple[str, str]] = []
        if self.collections:
            sections.append(("All collections", ALL_COLLECTIONS))
        for collection in self.collections:
            mark = {True: " · verified", False: " · signature does not match", None: ""}
            state = mark[collection.signature]
            if collection.signature and collection.trust == "changed":
                state = " · curator key changed"
            label = f"{collection.title} ({len(collection.stories)}){state}"
            sections.append((label, COLLECTION_SCOPE_PREFIX + collection.slug))
        return sections

    def summaries(self, section: str) -> list[StorySummary]:
        """The rows of ``section`` (all collections, or one), newest first; none for another."""
        chosen = [
            c
            for c in self.collections
            if section == ALL_COLLECTIONS or section == COLLECTION_SCOPE_PREFIX + c.slug
        ]
        rows = [story.as_summary() for c in chosen for story in c.stories]
        rows.sort(key=lambda s: s.created, reverse=True)
        return rows

    def warning(self, story_id: str) -> str:
        """What a reader must be told before opening this story, or "".

        Said for a story of a collection whose signature does not match, or
        whose curator signed with another key before.
        """
        found = self.stories.get(story_id)
        collection = self.collection(found.collection) if found is not None else None
        if collection is None:
            return ""
        if collection.signature is False or collection.trust == "changed":
            return (
                f"{collection.title}: {signature_note(collection)}. Its stories may not be "
                f"what {collection.curator} wrote."
            )
        return ""
