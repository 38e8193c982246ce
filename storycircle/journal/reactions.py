"""Reactions: "Me too" and "This gave me hope".

A reaction is a story id, a kind and a keyed token; it holds no text and no
member id. The token is ``HMAC-SHA256(HKDF(member identity,
"storycircle/reaction/v1"), story id, kind)`` truncated to 16 bytes: the
member finds their own reactions again, anyone reading the database sees how
many of each kind a story has but not who gave them, nor which reactions come
from the same member. The hope count also feeds the related-stories ranking.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from storycircle.sealing.keys import TOKEN_BYTES, hkdf
from storycircle.store import Store

if TYPE_CHECKING:
    from storycircle.journal.members import UnlockedMember

REACTION_INFO = b"storycircle/reaction/v1"

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

    def __init__(self, store: Store, member: UnlockedMember) -> None:
        """Bind to the store and the member who reacts (their key makes the tokens).

        Reactions the member gave before tokens existed are tokened now.
        """
        self._store = store
        self._key = hkdf(member.identity.to_bytes(), REACTION_INFO)
        store.reacting.seal_unsealed(member.id, self.token)

    def __repr__(self) -> str:
        return "Reactions(<keyed>)"

    def token(self, story_id: str, kind: str) -> bytes:
        """This member's token for a reaction of ``kind`` to ``story_id``."""
        message = story_id.encode("utf-8") + b"\x00" + kind.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).digest()[:TOKEN_BYTES]

    def summary(self, story_id: str) -> ReactionSummary:
        """Counts and this member's own reactions for a story."""
        rows = self._store.reacting.of_story(story_id)
        waiting = self._store.reacting.unsealed_counts(story_id)
        return ReactionSummary(
            me_too=sum(1 for kind, _ in rows if kind == "me-too") + waiting.get("me-too", 0),
            hope=sum(1 for kind, _ in rows if kind == "hope") + waiting.get("hope", 0),
            mine=frozenset(kind for kind, token in rows if token == self.token(story_id, kind)),
        )

    def toggle(self, story_id: str, kind: ReactionKind) -> ReactionSummary:
        """Give or take back a reaction; return the new summary.

        Raises:
            ValueError: an unknown kind.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown reaction {kind!r}")
        mine = kind in self.summary(story_id).mine
        self._store.reacting.set(story_id, kind, self.token(story_id, kind), not mine)
        return self.summary(story_id)

    def hope_counts(self) -> dict[str, int]:
        """How many "this gave me hope" reactions each story has."""
        return self._store.reacting.counts("hope")
