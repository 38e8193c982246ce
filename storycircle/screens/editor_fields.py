"""The editor's fields: what the writer typed, the one-line inputs, and the tag helpers.

The editor screen (:mod:`storycircle.screens.editor`) holds the writing and
its life cycle (autosave, saving, leaving); this module holds the parts that
need none of that: the typed fields as a value, the labelled input rows, the
completion of tags against the vocabulary and the chip of one suggested tag.
They sit apart so the screen reads as what happens, and these as what is shown.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Static

from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.tagging.suggest import Suggestion
from storycircle.tagging.vocabulary import Vocabulary
from storycircle.widgets.safe import SafeInput, line

# Separators of a typed tag list, as in storycircle.tagging.tags.parse_tag_list.
_TAG_SEPARATOR = re.compile("[,;\u060c\u061b\u3001\uff0c\uff1b]")


class Fields(NamedTuple):
    """What the writer has typed, exactly as typed."""

    title: str
    body: str
    tags: str
    notes: str


def split_notes(text: str) -> list[str]:
    """Split the comma-separated content notes field into notes."""
    return [note.strip() for note in text.split(",") if note.strip()]


def stored_fields(title: str, body: str, tags: tuple[str, ...], notes: tuple[str, ...]) -> Fields:
    """A saved story's or a draft's parts as the fields show them, cleaned first.

    Stored text came from outside the editor, so it is sanitized before it is shown.
    """
    return Fields(
        sanitize_line(title),
        sanitize_text(body),
        ", ".join(sanitize_line(t) for t in tags),
        ", ".join(sanitize_line(n) for n in notes),
    )


def field_row(label: str, field: Input, row_id: str) -> Horizontal:
    """One labelled line of the editor: ``label`` beside ``field``."""
    return Horizontal(Label(label, classes="field-label"), field, id=row_id, classes="field-row")


def field_input(value: str, field_id: str, hint: str, suggester: Suggester | None = None) -> Input:
    """A compact safe input holding ``value``, with ``hint`` shown while it is empty."""
    return SafeInput(value, id=field_id, compact=True, placeholder=hint, suggester=suggester)


class VocabularySuggester(Suggester):
    """Complete the last item of a tag list against vocabulary slugs and labels."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        """Offer the terms of ``vocabulary`` (the shipped one by default)."""
        # Case-sensitive on purpose: we compare folded text ourselves and keep
        # the writer's own casing of what they already typed.
        super().__init__(case_sensitive=True)
        terms = (vocabulary or Vocabulary.load()).terms
        words = dict.fromkeys([t.slug for t in terms] + [t.label for t in terms])
        # Folding must keep lengths so the completion lines up with the text.
        self._words = [(w, w.casefold()) for w in words if len(w.casefold()) == len(w)]

    async def get_suggestion(self, value: str) -> str | None:
        """The whole field with its last item completed, or None."""
        typed = _TAG_SEPARATOR.split(value)[-1].lstrip().lstrip("#")
        needle = typed.casefold()
        if not needle or len(needle) != len(typed):
            return None
        for word, folded in self._words:
            if folded.startswith(needle) and folded != needle:
                return value + word[len(typed) :]
        return None


class SuggestionChip(Horizontal):
    """One suggested tag with its reason, to accept or dismiss."""

    def __init__(self, suggestion: Suggestion) -> None:
        """Show ``suggestion``."""
        super().__init__(classes="chip")
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        """Accept button, reason, dismiss button."""
        tag = self.suggestion.tag
        yield Button(line(f"+ {tag}"), classes="accept", compact=True, tooltip="Add this tag")
        yield Static(line(self.suggestion.reason), classes="reason")
        yield Button("✕", classes="dismiss", compact=True, tooltip=line(f"Not {tag}"))
