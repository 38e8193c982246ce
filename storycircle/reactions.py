"""Reactions: "Me too" and "This gave me hope".

A reaction is a member id, a story id and a kind; it holds no text. The hope
count also feeds the related-stories ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from storycircle.store import Store

ReactionKind = Literal["me-too", "hope"]
KINDS: tuple[ReactionKind, ...] = ("me-too", "hope")
LABELS: dict[ReactionKind, str] = {"me-too": "Me too", "hope": "This gave me hope"}


@dataclass(frozen=True, slots=True)
class ReactionSummary:
    """Reactions to one story as a reader sees them.

    Attributes:
        me_too: How many members said "me too".
        hope: How many members said "this gave me hope".
        mine: The kinds this reader gave.
    """

    me_too: int = 0
    hope: int = 0
    mine: frozenset[str] = frozenset()


class Reactions:
    """Reactions of one member."""

    def __init__(self, store: Store, member_id: str) -> None:
        """Bind to the store and the member who reacts."""
        self._store = store
        self._member_id = member_id

    def summary(self, story_id: str) -> ReactionSummary:
        """Counts and this member's own reactions for a story."""
        rows = self._store.reactions(story_id)
        return ReactionSummary(
            me_too=sum(1 for _, kind in rows if kind == "me-too"),
            hope=sum(1 for _, kind in rows if kind == "hope"),
            mine=frozenset(kind for member, kind in rows if member == self._member_id),
        )

    def toggle(self, story_id: str, kind: ReactionKind) -> ReactionSummary:
        """Give or take back a reaction; return the new summary.

        Raises:
            ValueError: an unknown kind.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown reaction {kind!r}")
        mine = kind in self.summary(story_id).mine
        self._store.set_reaction(story_id, self._member_id, kind, not mine)
        return self.summary(story_id)

    def hope_counts(self) -> dict[str, int]:
        """How many "this gave me hope" reactions each story has."""
        return self._store.reaction_counts("hope")
