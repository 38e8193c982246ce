"""The small listing summary of a story: packed before sealing, unpacked after.

A compact JSON list, not an object: listing parses ten thousand of these.
It is only ever stored sealed with a scope's summary key.
"""

from __future__ import annotations

import json
import sys

from storycircle.models import Story, StorySummary

_SMALL: dict[int, int] = {}
"""One int object per word count seen (a journal of 100k stories repeats a few
thousand counts; each parsed int is otherwise an object of its own)."""


def pack_summary(story: Story) -> bytes:
    """The summary of ``story`` as bytes to seal."""
    summary = [
        story.title,
        list(story.tags),
        list(story.content_notes),
        story.created,
        story.updated,
        story.word_count,
    ]
    return json.dumps(summary, ensure_ascii=False).encode("utf-8")


def unpack_summary(
    opened: bytes, story_id: str, version: int, author_id: str, scope: str
) -> StorySummary:
    """Rebuild a list row from an opened summary.

    Raises:
        ValueError, TypeError: the bytes are not a summary.
    """
    title, tags, notes, created, updated, words = json.loads(opened)
    if not isinstance(title, str) or not isinstance(tags, list):
        raise TypeError("malformed summary")
    # Positional and without per-field conversion: the summary is
    # authenticated with the scope's key, and listing builds thousands.
    # A large journal keeps every row in memory, so what rows repeat is held
    # once: tag and note strings are interned (a few hundred distinct ones
    # across 100k rows), an unedited story's "updated" is its "created"
    # string, and word counts share one int object each.
    intern = sys.intern
    if type(words) is int and len(_SMALL) < 65_536:
        words = _SMALL.setdefault(words, words)
    return StorySummary(
        story_id,
        version,
        title,
        tuple(map(intern, tags)),
        tuple(map(intern, notes)) if notes else (),
        created,
        created if updated == created else updated,
        author_id,
        scope,
        words,
    )
