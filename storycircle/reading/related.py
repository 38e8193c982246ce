"""Related stories: what a reader of one story may want to read next.

A reader of a story about relapse should meet one about coming back from it
(hope), and see that many others wrote about the same thing (normalization).
:class:`RelatedIndex` holds the stories the reader may open and answers both;
which stories it holds, and how it keeps them current, is
:class:`~storycircle.reading.related_stories.RelatedStories`.

Score of a candidate ``c`` for a story ``q`` being read::

    sum(idf(t) for t shared by q and c)          idf = log((N+1)/(df+1)) + 0.1
    + HOPE_BRIDGE   if q carries a struggle, c a hope or milestone marker,
                    and they share a tag  (THEME_BRIDGE if they only share
                    the theme of one of q's struggles)
    + REACTION_WEIGHT * log1p(min("this gave me hope" reactions, REACTION_CAP))
    + RECENCY_WEIGHT * 0.5 ** (age in days / 365)

Every term grows with the candidate's tags, so giving a candidate one more of
the story's tags never lowers its score. A candidate must share a tag, or be a
hope story sharing a struggle's theme, to be suggested at all.

Speed. Posting lists are read rarest tag first into a score accumulator
(:meth:`TagIndex.accumulate`). Reading stops early when the stories found
already outscore anything the remaining lists could bring (the MaxScore
rule); past :data:`POSTING_BUDGET` postings, longer lists are read only for
their newest :data:`MIN_PER_LIST` stories. The best few by that partial score
(plus a per-story bonus kept in an array) are then scored exactly. While the
lists of a story's tags hold at most :data:`POSTING_BUDGET` entries together
(a journal of several hundred stories with the collections), nothing is cut
and the ranking is exact. On 100,000 synthetic stories the suggestions keep
about 98% of the exact top-8 score; what is lost are stories sharing only very
common tags, which say little.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from heapq import nlargest
from math import log, log1p

from storycircle.models import JOURNAL_SCOPE, Story, StorySummary
from storycircle.reading.related_stories import (
    HOPE_BRIDGE,
    REACTION_CAP,
    REACTION_WEIGHT,
    RECENCY_WEIGHT,
    Hidden,
    Key,
    RelatedStories,
    as_predicate,
    inner_key,
    outer_key,
)
from storycircle.reading.related_text import normalization_line, reason
from storycircle.tagging.tag_index import best
from storycircle.tagging.tags import TagError, canonical_tag
from storycircle.tagging.vocabulary import Vocabulary

__all__ = [
    "OTHER_TAGS",
    "Hidden",
    "Key",
    "Related",
    "RelatedIndex",
    "normalization_line",
    "summary_of",
]

IDF_FLOOR = 0.1
"""Added to every idf so a tag every story carries still counts a little."""
THEME_BRIDGE = 0.75
POSTING_BUDGET = 4_000
MIN_PER_LIST = 400
THEME_CAP = 200
"""How many of the newest hope stories of one theme a query looks at."""
OTHER_TAGS = "Other tags"
"""Tag browser group of the tags the vocabulary does not know."""


@dataclass(frozen=True, slots=True)
class Related:
    """One suggestion and why it is there.

    Attributes:
        summary: The suggested story.
        shared: Tags it shares with the story being read, rarest first.
        reason: One line a reader sees ("shares: relapse, sleep · a story of hope").
        score: Its ranking score (higher is closer).
        hopeful: True when it was lifted as a story of hope.
        hope_reactions: How many "this gave me hope" reactions it has.
    """

    summary: StorySummary
    shared: tuple[str, ...]
    reason: str
    score: float = 0.0
    hopeful: bool = False
    hope_reactions: int = 0


def summary_of(story: Story, scope: str = JOURNAL_SCOPE) -> StorySummary:
    """The list row of a just-saved story, to add to the index without decrypting."""
    return StorySummary(
        id=story.id,
        version=story.version,
        title=story.title,
        tags=story.tags,
        content_notes=story.content_notes,
        created=story.created,
        updated=story.updated,
        author_id=story.author_id,
        scope=scope,
        words=story.word_count,
    )


@dataclass(frozen=True, slots=True)
class _Query:
    weights: dict[str, float]  # shared-tag weight of each query tag present in the index
    order: list[str]  # those tags, rarest first
    struggle: bool  # the story carries a struggle: hope stories get the bridge
    themes: tuple[str, ...]  # themes of its struggles, for the theme-only bridge


class RelatedIndex(RelatedStories):
    """The stories a reader may open, indexed by tag for related stories and counts."""

    @classmethod
    def build(
        cls,
        summaries: Iterable[StorySummary],
        *,
        hope_counts: Mapping[str, int] | None = None,
        vocabulary: Vocabulary | None = None,
        hidden: Hidden = None,
        today: date | None = None,
    ) -> RelatedIndex:
        """Index the stories a reader may open.

        Args:
            summaries: Only stories the reader can decrypt (journal, circles,
                collections); nothing else can ever be suggested.
            hope_counts: "This gave me hope" reactions by story id.
            vocabulary: See :class:`RelatedIndex`.
            hidden: See :class:`RelatedIndex`.
            today: See :class:`RelatedIndex`.
        """
        index = cls(vocabulary=vocabulary, hidden=hidden, today=today)
        counts = hope_counts or {}
        index._add_all((s, counts.get(s.id, 0)) for s in summaries)
        return index

    # -- ranking ------------------------------------------------------------------

    def _query(self, tags: Iterable[str]) -> _Query:
        total = len(self._index)
        weights: dict[str, float] = {}
        struggle = False
        themes: dict[str, None] = {}
        for tag in self._canonical(tags):
            info = self._labels.info(tag)
            if info.struggle:
                struggle = True
                if info.theme:
                    themes[info.theme] = None
            df = self._index.df(tag)
            if df:
                weights[tag] = log((total + 1) / (df + 1)) + IDF_FLOOR
        order = sorted(weights, key=self._index.df)
        return _Query(weights, order, struggle, tuple(themes))

    def _exact(self, slot: int, query: _Query) -> tuple[float, tuple[str, ...], str | None]:
        """One candidate's exact score, shared tags, and hope bridge.

        The bridge is None without one, "" through a shared tag, else the
        name of the shared theme.
        """
        tags = self._index.tags_of(slot)
        shared = tuple(tag for tag in query.order if tag in tags)
        total = 0.0
        for tag in shared:
            total += query.weights[tag]
        bridge: str | None = None
        if query.struggle and self._hopeful[slot]:
            if shared:
                total += HOPE_BRIDGE
                bridge = ""
            else:
                mine = self._themes_of(tags)
                theme = next((t for t in query.themes if t in mine), None)
                if theme is not None:
                    total += THEME_BRIDGE
                    bridge = theme
        return total + self._prior[slot], shared, bridge

    def score(self, story_key: Key, story_tags: Iterable[str], candidate: Key) -> float | None:
        """The exact score of ``candidate`` for the story; None if it cannot be suggested."""
        slot = self._index.slot(inner_key(candidate))
        if slot is None or candidate == story_key:
            return None
        return self._exact(slot, self._query(story_tags))[0]

    def rank(
        self,
        story_key: Key,
        story_tags: Iterable[str],
        *,
        limit: int = 8,
        hidden: Hidden = None,
    ) -> list[Related]:
        """Stories related to the one being read, best first.

        Args:
            story_key: ``(scope, id)`` of the story being read; never suggested.
            story_tags: Its tags.
            limit: How many suggestions at most.
            hidden: Extra content-note filters for this query only (the
                index's own filters always apply).

        Returns:
            Up to ``limit`` suggestions sharing a tag, or for a story of
            struggle, hope stories sharing the theme of one of its struggles.
        """
        if limit <= 0 or not self._index:
            return []
        query = self._query(story_tags)
        found = self._index.slot(inner_key(story_key))
        me = -1 if found is None else found
        pool_size = 2 * limit + 8
        weighted = [(tag, query.weights[tag]) for tag in query.order]
        hides = None if hidden is None else _memo(as_predicate(hidden))
        acc, unread = self._index.accumulate(
            weighted,
            budget=POSTING_BUDGET,
            min_per_list=MIN_PER_LIST,
            # One more: the story itself may be among them. No early stop with
            # extra filters: the stories counted as enough might be hidden.
            enough=0 if hides is not None else pool_size + 1,
            headroom=self._headroom(query),
        )
        acc.pop(me, None)
        if hides is not None:
            acc = {s: v for s, v in acc.items() if not self._hidden_by(hides, s)}
        # Twice the pool when a story may miss an unread tag's weight: it gets
        # a second chance at being scored exactly.
        width = 2 * pool_size if unread else pool_size
        boost = self._bridged if query.struggle else self._prior
        pool = best(acc, boost, width, self._headroom(query))
        if query.struggle and query.themes:
            pool += self._best_themed(acc, query, me, pool_size, hides)
        scored = [(self._exact(slot, query), slot) for slot in pool]
        key = self._index.key
        scored.sort(key=lambda item: (-item[0][0], -self._day[item[1]], outer_key(key(item[1]))))
        return [self._related(slot, *found) for found, slot in scored[:limit]]

    def _headroom(self, query: _Query) -> float:
        """The most a story can score beyond shared tags, for this query."""
        most = REACTION_WEIGHT * log1p(min(self._max_hope, REACTION_CAP)) + RECENCY_WEIGHT
        return most + HOPE_BRIDGE if query.struggle else most

    def _best_themed(
        self,
        acc: dict[int, float],
        query: _Query,
        me: int,
        pool_size: int,
        hides: Callable[[tuple[str, ...]], bool] | None,
    ) -> list[int]:
        """Hope stories sharing only a theme with the story's struggles, best first."""
        themed: set[int] = set()
        for theme in query.themes:
            themed.update(self._hope_themes.get(theme)[-THEME_CAP:])
        themed.difference_update(acc)
        themed.discard(me)
        if hides is not None:
            themed = {s for s in themed if not self._hidden_by(hides, s)}
        return nlargest(pool_size, themed, key=self._prior.__getitem__)

    def _hidden_by(self, hides: Callable[[tuple[str, ...]], bool], slot: int) -> bool:
        summary = self._index.item(slot)
        return summary is None or hides(summary.content_notes)

    def _related(
        self, slot: int, score: float, shared: tuple[str, ...], bridge: str | None
    ) -> Related:
        summary = self._index.item(slot)
        assert summary is not None  # Only live slots are in posting lists.
        hope = self._hope[slot]
        text = reason(self._labels, shared, bridge, hope)
        return Related(summary, shared, text, score, bridge is not None, hope)

    # -- counts and the tag browser ---------------------------------------------

    def count_with_tag(self, tag: str, *, excluding: Key | None = None) -> int:
        """How many stories the reader may open carry ``tag`` (typed or canonical).

        Args:
            tag: The tag; synonyms count as their term.
            excluding: A story not to count (the one being read).
        """
        try:
            canonical = canonical_tag(tag, self._vocabulary)
        except TagError:
            return 0
        count = self._index.df(canonical)
        slot = None if excluding is None else self._index.slot(inner_key(excluding))
        if slot is not None and canonical in self._index.tags_of(slot):
            count -= 1
        return count

    def normalization(
        self, tag: str, where: str = "your journal and the collections"
    ) -> str | None:
        """The "N stories … mention <tag>" line for ``tag``, or None below two."""
        count = self.count_with_tag(tag)
        return normalization_line(tag, count, where, vocabulary=self._vocabulary)

    def stories_with_tag(self, tag: str, *, limit: int | None = None) -> list[StorySummary]:
        """The stories carrying ``tag``, newest first."""
        try:
            canonical = canonical_tag(tag, self._vocabulary)
        except TagError:
            return []
        found = [self._index.item(s) for s in reversed(self._index.postings(canonical))]
        stories = [s for s in found if s is not None]
        # Posting lists are nearly in date order already, so this sort is cheap.
        stories.sort(key=lambda s: s.created, reverse=True)
        return stories if limit is None else stories[:limit]

    def themes_with_tags(self) -> list[tuple[str, list[tuple[str, str, int]]]]:
        """Tags in use grouped for browsing: ``(theme label, [(tag, label, count)])``.

        Vocabulary themes come first in vocabulary order, then "Other tags" for
        free tags; inside a group the most used tags come first.
        """
        groups: dict[str | None, list[tuple[str, str, int]]] = {}
        for tag, count in self._index.tag_counts():
            info = self._labels.info(tag)
            groups.setdefault(info.theme, []).append((tag, info.title, count))
        for rows in groups.values():
            rows.sort(key=lambda row: (-row[2], row[1].casefold(), row[0]))
        result = [
            (theme.label, groups[theme.name])
            for theme in self._vocabulary.themes
            if theme.name in groups
        ]
        if None in groups:
            result.append((OTHER_TAGS, groups[None]))
        return result


def _memo(predicate: Callable[[tuple[str, ...]], bool]) -> Callable[[tuple[str, ...]], bool]:
    # Few distinct note sets exist, so each is judged once per query.
    seen: dict[tuple[str, ...], bool] = {}

    def hides(notes: tuple[str, ...]) -> bool:
        verdict = seen.get(notes)
        if verdict is None:
            verdict = seen[notes] = predicate(notes)
        return verdict

    return hides
