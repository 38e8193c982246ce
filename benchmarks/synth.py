"""Synthetic stories with Zipf-distributed tags, for benchmarks and scale tests.

Tag popularity in real collections is heavily skewed: a few tags (anxiety,
depression, hope) are on a large share of stories and most tags are rare. A
Zipf law with exponent ``s`` near 1.1 over the tag ranks gives that shape. The
vocabulary's terms are scattered over the ranks so that hope and struggle
markers occur at every popularity, like in real data; the other ranks are free
tags.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from storycircle.models import JOURNAL_SCOPE, StorySummary
from storycircle.tagging.vocabulary import Vocabulary

NOTES = ("alcohol", "self-harm (not described)", "bereavement", "drug use")


# Like in real collections, a few struggles and "hope" are among the most used
# tags; these ranks are fixed, the other vocabulary terms are scattered.
PINNED = {"anxiety": 0, "depression": 1, "hope": 3, "relapse": 7, "loneliness": 15}


def zipf_tags(count: int = 1_000, *, seed: int = 1) -> list[str]:
    """``count`` distinct tags in popularity order, vocabulary terms among them."""
    rng = random.Random(seed)
    tags = [f"free-tag-{rank:04d}" for rank in range(count)]
    pinned = {slug: rank for slug, rank in PINNED.items() if rank < count}
    terms = [term.slug for term in Vocabulary.load().terms if term.slug not in pinned]
    free_ranks = [rank for rank in range(count) if rank not in pinned.values()]
    for slug, rank in zip(
        terms, rng.sample(free_ranks, min(len(free_ranks), len(terms))), strict=False
    ):
        tags[rank] = slug
    for slug, rank in pinned.items():
        tags[rank] = slug
    return tags


def zipf_weights(count: int, s: float = 1.1) -> list[float]:
    """Cumulative Zipf weights of ranks 1..count (for ``random.choices``)."""
    return list(accumulate(1.0 / (rank**s) for rank in range(1, count + 1)))


def draw_tags(
    rng: random.Random, tags: list[str], cum_weights: list[float], per_story: int
) -> tuple[str, ...]:
    """``per_story`` distinct tags drawn by popularity."""
    chosen: dict[str, None] = {}
    while len(chosen) < per_story:
        for tag in rng.choices(tags, cum_weights=cum_weights, k=per_story - len(chosen)):
            chosen[tag] = None
    return tuple(chosen)


def stories(
    n: int,
    *,
    tag_count: int = 1_000,
    per_story: int = 5,
    s: float = 1.1,
    seed: int = 7,
    today: date = date(2026, 6, 1),
) -> Iterator[StorySummary]:
    """``n`` synthetic story summaries over five years, 5% with a content note."""
    rng = random.Random(seed)
    tags = zipf_tags(tag_count, seed=seed)
    weights = zipf_weights(tag_count, s)
    for number in range(n):
        day = today - timedelta(days=rng.randrange(5 * 365))
        notes = (rng.choice(NOTES),) if rng.random() < 0.05 else ()
        yield StorySummary(
            id=f"s{number:07d}",
            version=1,
            title=f"Story {number}",
            tags=draw_tags(rng, tags, weights, per_story),
            content_notes=notes,
            created=day.isoformat() + "T09:00:00+00:00",
            updated=day.isoformat() + "T09:00:00+00:00",
            author_id="",
            scope=JOURNAL_SCOPE,
            words=300,
        )


def hope_counts(summaries: list[StorySummary], *, seed: int = 11) -> dict[str, int]:
    """ "This gave me hope" counts for one story in ten, a few with many."""
    rng = random.Random(seed)
    return {s.id: int(rng.paretovariate(1.5)) for s in summaries if rng.random() < 0.1}


# -- whole entries: the same text for storycircle and for jrnl --------------------

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "br", "st", "tr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")


def word_list(count: int = 5_000, *, seed: int = 3) -> list[str]:
    """``count`` distinct pronounceable words, most frequent first.

    Real English words would make some searches hit titles or tags by
    accident; made-up words of two or three syllables give a clean Zipf text.
    """
    rng = random.Random(seed)
    words: dict[str, None] = {}
    while len(words) < count:
        syllables = rng.choice((2, 2, 3))
        words["".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))] = None
    return list(words)


@dataclass(frozen=True, slots=True)
class Entry:
    """One synthetic journal entry: what both tools store."""

    id: str
    title: str
    body: str
    tags: tuple[str, ...]
    created: str


def entries(n: int, *, words: int = 200, seed: int = 7) -> list[Entry]:
    """``n`` entries of about ``words`` words with 5 Zipf tags each, oldest first.

    Titles, tags and dates come from :func:`stories`, so the tag shape is the
    one the related-stories benchmark measures; bodies are drawn from
    :func:`word_list` with Zipf frequencies. Entries are sorted by date (then
    id) so that "newest first" means the same thing in both tools.
    """
    rng = random.Random(seed + 1)
    vocabulary = word_list()
    weights = zipf_weights(len(vocabulary), 1.0)
    result: list[Entry] = []
    for number, summary in enumerate(stories(n, seed=seed)):
        body = rng.choices(vocabulary, cum_weights=weights, k=words)
        # A distinct minute per entry keeps dates unique for jrnl, which sorts by them.
        minute = number % (24 * 60)
        created = f"{summary.created[:10]}T{minute // 60:02d}:{minute % 60:02d}:00+00:00"
        title = " ".join(rng.choices(vocabulary[:500], k=4)).capitalize()
        result.append(Entry(summary.id, title, " ".join(body) + ".", summary.tags, created))
    result.sort(key=lambda e: (e.created, e.id))
    return result
