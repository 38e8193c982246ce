"""A member's reading preferences, sealed to them in the database.

Content-note filters say what a reader is not ready to read; that is private,
so they are stored as an age file encrypted to the member, never in clear.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from storycircle import vault
from storycircle.journal.members import UnlockedMember
from storycircle.models import StorySummary
from storycircle.sanitize import sanitize_line
from storycircle.store import Store

MAX_FILTERS = 32


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a reader chose.

    Attributes:
        hidden_notes: Content notes whose stories are hidden from lists and
            related stories (matched case-insensitively, by substring).
    """

    hidden_notes: tuple[str, ...] = field(default_factory=tuple)

    def hides(self, content_notes: tuple[str, ...]) -> bool:
        """True when a story with these notes should be hidden."""
        if not self.hidden_notes or not content_notes:
            return False
        wanted = [note.casefold() for note in self.hidden_notes]
        return any(w in note.casefold() for note in content_notes for w in wanted)

    def visible(self, rows: Iterable[StorySummary]) -> list[StorySummary]:
        """``rows`` in order, without the stories these preferences hide."""
        if not self.hidden_notes:
            return list(rows)  # the common case, and searches return many rows
        return [s for s in rows if not self.hides(s.content_notes)]


def clean_filters(raw: list[str]) -> tuple[str, ...]:
    """Sanitize, de-duplicate and cap a list of content-note filters."""
    seen: list[str] = []
    for item in raw:
        clean = sanitize_line(item)[:80]
        if clean and clean.casefold() not in (s.casefold() for s in seen):
            seen.append(clean)
    return tuple(seen[:MAX_FILTERS])


def load_preferences(store: Store, member: UnlockedMember) -> Preferences:
    """Read the member's preferences; damaged or missing ones give defaults."""
    blob = store.prefs(member.id)
    if blob is None:
        return Preferences()
    try:
        data = json.loads(vault.decrypt(blob, member.identities))
        return Preferences(hidden_notes=clean_filters([str(x) for x in data["hidden_notes"]]))
    except (vault.AgeError, ValueError, KeyError, TypeError):
        return Preferences()


def save_preferences(store: Store, member: UnlockedMember, prefs: Preferences) -> None:
    """Seal and store the member's preferences."""
    data = json.dumps({"hidden_notes": list(prefs.hidden_notes)}, ensure_ascii=False)
    store.put_prefs(member.id, vault.encrypt(data.encode("utf-8"), [member.own_recipient]))
