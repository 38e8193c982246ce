"""The stories a related index holds, and keeping them current.

Where the tags come from. The index is built from decrypted
:class:`~storycircle.models.StorySummary` rows: ``Journal.summaries()`` (already
decrypted and cached once the library is open), circle summaries, and the
collections' stories (tags in clear). The keyed tag tokens of the database were
not used because a token only means something inside its own scope (the same
tag has a different token in the journal and in each circle), so counting
"stories about relapse" across scopes, labelling shared tags and finding hope
markers would need the tag names anyway. The index lives in memory for the
unlocked session only, like the summary cache it is built from, and a query
never decrypts anything.

Filters first. Stories whose content notes the reader chose to hide are held
back when they are added: they never appear, and never count in tag
frequencies, normalization counts or the tag browser.

:class:`~storycircle.reading.related.RelatedIndex` builds on
:class:`RelatedStories` with the ranking, the counts and the tag browser; they
are kept apart so each stays short.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from datetime import date
from math import exp, log, log1p
from typing import Protocol, runtime_checkable

from storycircle.models import JOURNAL_SCOPE, StorySummary
from storycircle.reading.related_text import Labels
from storycircle.tagging.postings import Postings
from storycircle.tagging.tag_index import TagIndex
from storycircle.tagging.vocabulary import Vocabulary

__all__ = [
    "HOPE_BRIDGE",
    "REACTION_CAP",
    "REACTION_WEIGHT",
    "RECENCY_HALF_LIFE_DAYS",
    "RECENCY_WEIGHT",
    "Hidden",
    "HidesNotes",
    "InnerKey",
    "Key",
    "RelatedStories",
    "as_predicate",
    "inner_key",
    "key_of",
    "outer_key",
]

Key = tuple[str, str]
"""A story's identity across scopes: ``(scope, id)``."""

HOPE_BRIDGE = 1.5
REACTION_WEIGHT = 0.3
REACTION_CAP = 50
"""Reactions beyond this many lift a story no further (one viral story should not
dominate every list, and a small cap keeps the ranking's bounds tight)."""
RECENCY_WEIGHT = 0.25
RECENCY_HALF_LIFE_DAYS = 365.0
_COMPACT_MIN = 1_024
_LN2 = log(2.0)
# Stored per story, by slot: hope reactions, day (ordinal), prior (reactions +
# recency), bridged (prior + HOPE_BRIDGE for hope stories), hopeful (0 or 1).
_COLUMNS = {"hope": "I", "day": "i", "prior": "d", "bridged": "d", "hopeful": "B"}


@runtime_checkable
class HidesNotes(Protocol):
    """Anything that says whether content notes are hidden (``Preferences``)."""

    def hides(self, content_notes: tuple[str, ...]) -> bool:
        """True when a story with these notes must not be shown."""
        ...


Hidden = HidesNotes | Callable[[tuple[str, ...]], bool] | None
"""Content-note filters: reading preferences, a predicate, or nothing."""


def key_of(summary: StorySummary) -> Key:
    """The index key of a summary."""
    return (summary.scope, summary.id)


InnerKey = str | Key
"""How the index keys a story: a journal story by its id alone, others by ``(scope, id)``."""


def inner_key(key: Key) -> InnerKey:
    """The index's own key of the story ``key`` (an :data:`InnerKey`)."""
    # Journal stories are nearly all of a large index: keyed by the id string
    # the summary already holds, not by a new (scope, id) tuple each (5 MiB
    # at 100k stories). A str never equals a tuple, so keys cannot collide.
    return key[1] if key[0] == JOURNAL_SCOPE else key


def outer_key(inner: InnerKey | None) -> Key:
    """The ``(scope, id)`` of a live slot's index key (undoes :func:`inner_key`)."""
    if isinstance(inner, str):
        return (JOURNAL_SCOPE, inner)
    assert inner is not None  # only live slots are ranked
    return inner


def as_predicate(hidden: Hidden) -> Callable[[tuple[str, ...]], bool]:
    """Content-note filters as one predicate (nothing hidden for None)."""
    if hidden is None:
        return lambda _notes: False
    if isinstance(hidden, HidesNotes):
        return hidden.hides
    return hidden


def _day(created: str) -> int:
    try:
        return date.fromisoformat(created[:10]).toordinal()
    except ValueError:
        return 0  # An unreadable date counts as very old: no recency lift.


class RelatedStories:
    """The stories a reader may open, by tag, kept current (the base of ``RelatedIndex``)."""

    def __init__(
        self,
        *,
        vocabulary: Vocabulary | None = None,
        hidden: Hidden = None,
        today: date | None = None,
    ) -> None:
        """Start empty; see :meth:`~storycircle.reading.related.RelatedIndex.build`.

        Args:
            vocabulary: Labels, themes and hope/struggle kinds (the shipped one by default).
            hidden: Content-note filters; matching stories are held back.
            today: Reference date of the recency term (the system date by default).
        """
        self._vocabulary = vocabulary or Vocabulary.load()
        self._labels = Labels(self._vocabulary)
        self._hides = as_predicate(hidden)
        self._today = (today or date.today()).toordinal()
        self._reset()

    def _reset(self) -> None:
        self._index: TagIndex[InnerKey, StorySummary] = TagIndex(_COLUMNS)
        self._reset_columns()
        self._hope_themes = Postings()  # theme -> slots of hope stories touching it
        self._held_back: dict[Key, tuple[StorySummary, int]] = {}
        self._max_hope = 0  # never lowered: an upper bound is all ranking needs
        self._days: dict[str, int] = {}  # parsed dates: many stories share a day

    def _reset_columns(self) -> None:
        # Shortcuts to the stored columns (new arrays after a compaction).
        self._hope: array[int] = self._index.column("hope")
        self._day: array[int] = self._index.column("day")
        self._prior: array[float] = self._index.column("prior")
        self._bridged: array[float] = self._index.column("bridged")
        self._hopeful: array[int] = self._index.column("hopeful")

    def _add_all(self, items: Iterable[tuple[StorySummary, int]]) -> None:
        # Oldest first, so posting lists run old to new and their tail is the newest.
        for summary, hope in sorted(items, key=lambda item: item[0].created):
            self.add(summary, hope=hope)

    # -- keeping it current -----------------------------------------------------

    def __len__(self) -> int:
        """How many stories can be suggested (held-back ones excluded)."""
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        """Whether the story ``(scope, id)`` can be suggested."""
        return isinstance(key, tuple) and len(key) == 2 and inner_key(key) in self._index

    def add(self, summary: StorySummary, hope: int | None = None) -> bool:
        """Add a story, or replace the one with the same key (a new version).

        Args:
            summary: The story's list row.
            hope: Its hope reactions; ``None`` keeps the count it had.

        Returns:
            False when the reader's filters hold it back.
        """
        key = key_of(summary)
        previous = self._drop(key)
        count = hope if hope is not None else (previous or 0)
        if self._hides(summary.content_notes):
            self._held_back[key] = (summary, count)
            return False
        tags = self._canonical(summary.tags)
        info = self._labels.info
        hopeful = False
        for tag in tags:
            if info(tag).hope:
                hopeful = True
                break
        ymd = summary.created[:10]
        day = self._days.get(ymd)
        if day is None:
            day = self._days[ymd] = _day(ymd)
        prior = self._prior_of(day, count)
        bridged = prior + HOPE_BRIDGE if hopeful else prior
        slot = self._index.add(inner_key(key), tags, summary, (count, day, prior, bridged, hopeful))
        self._max_hope = max(self._max_hope, count)
        if hopeful:
            self._hope_themes.add(slot, self._themes_of(tags))
        return True

    def remove(self, key: Key) -> bool:
        """Forget a story (deleted, or no longer readable); False when unknown."""
        found = self._drop(key) is not None
        if self._index.waste > max(_COMPACT_MIN, len(self._index)):
            self._compact()
        return found

    def set_hope_count(self, key: Key, count: int) -> None:
        """Update a story's "this gave me hope" count after a reaction."""
        if key in self._held_back:
            self._held_back[key] = (self._held_back[key][0], count)
            return
        slot = self._index.slot(inner_key(key))
        if slot is None:
            return
        prior = self._prior_of(self._day[slot], count)
        self._max_hope = max(self._max_hope, count)
        self._hope[slot] = count
        self._prior[slot] = prior
        self._bridged[slot] = prior + HOPE_BRIDGE if self._hopeful[slot] else prior

    def set_hidden(self, hidden: Hidden) -> None:
        """Apply new content-note filters (rebuilds: filters change rarely)."""
        everything = [*self._live(), *self._held_back.values()]
        self._hides = as_predicate(hidden)
        self._reset()
        self._add_all(everything)

    def _live(self) -> Iterable[tuple[StorySummary, int]]:
        for slot in range(self._index.slot_count):
            summary = self._index.item(slot)
            if summary is not None:
                yield summary, self._hope[slot]

    def _drop(self, key: Key) -> int | None:
        held = self._held_back.pop(key, None)
        if held is not None:
            return held[1]
        inner = inner_key(key)
        slot = self._index.slot(inner)
        if slot is None:
            return None
        if self._hopeful[slot]:
            self._hope_themes.remove(slot, self._themes_of(self._index.tags_of(slot)))
        self._index.remove(inner)
        return int(self._hope[slot])

    def _compact(self) -> None:
        slot_count = self._index.slot_count
        self._hope_themes.renumber(self._index.compact(), slot_count)
        self._reset_columns()

    def _prior_of(self, day: int, hope: int) -> float:
        age = max(0, self._today - day)
        recency = exp(-_LN2 * age / RECENCY_HALF_LIFE_DAYS)  # halves every half-life
        return REACTION_WEIGHT * log1p(min(hope, REACTION_CAP)) + RECENCY_WEIGHT * recency

    def _canonical(self, tags: Iterable[str]) -> tuple[str, ...]:
        resolved = tuple(dict.fromkeys(map(self._labels.slug, tags)))
        # Stored tags are usually canonical already: keep the summary's own
        # tuple then, one object fewer per story.
        return tags if isinstance(tags, tuple) and tags == resolved else resolved

    def _themes_of(self, tags: Iterable[str]) -> list[str]:
        themes = dict.fromkeys(self._labels.info(tag).theme for tag in tags)
        return [theme for theme in themes if theme]
