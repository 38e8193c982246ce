"""Related stories: what a reader of one story may want to read next.

For now the ranking is by shared tags; see the related-narratives work for
the weighted ranking.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storycircle.models import StorySummary


@dataclass(frozen=True, slots=True)
class Related:
    """One suggestion and why it is there.

    Attributes:
        summary: The suggested story.
        shared: Tags it shares with the story being read.
        reason: One line a reader sees ("shares: relapse, sleep").
    """

    summary: StorySummary
    shared: tuple[str, ...]
    reason: str


def by_shared_tags(
    story_id: str, tags: Iterable[str], candidates: Iterable[StorySummary], limit: int = 8
) -> list[Related]:
    """Stories that share the most tags with the one being read, newest first on ties."""
    wanted = set(tags)
    found: list[Related] = []
    for candidate in candidates:
        if candidate.id == story_id:
            continue
        shared = tuple(tag for tag in candidate.tags if tag in wanted)
        if shared:
            found.append(Related(candidate, shared, "shares: " + ", ".join(shared)))
    # Newest first, then (stable) most shared tags first.
    found.sort(key=lambda r: r.summary.created, reverse=True)
    found.sort(key=lambda r: len(r.shared), reverse=True)
    return found[:limit]
