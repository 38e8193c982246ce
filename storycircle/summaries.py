"""The small listing summary of a story: packed before sealing, unpacked after.

A compact JSON list, not an object: listing parses ten thousand of these.
It is only ever stored sealed with a scope's summary key.
"""

from __future__ import annotations

import json

from storycircle.models import Story, StorySummary


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
    return StorySummary(
        story_id,
        version,
        title,
        tuple(tags),
        tuple(notes),
        created,
        updated,
        author_id,
        scope,
        words,
    )
