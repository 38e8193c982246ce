"""Words a person reads: counts ("1 story", "1 of these stories has") and short titles.

Every count shown to a person goes through here, so no message says "1 stories".
"""

from __future__ import annotations

import re

from storycircle.sanitize import sanitize_line

__all__ = [
    "DERIVED_TITLE_LENGTH",
    "body_without_title",
    "counted",
    "derive_title",
    "plural",
    "shorten",
]

DERIVED_TITLE_LENGTH = 80
"""Longest title taken from a story's first line (shortened at a word, with "…")."""

_IRREGULAR = {"story": "stories", "copy": "copies", "entry": "entries", "person": "people"}


def plural(count: int, one: str, many: str | None = None) -> str:
    """``one`` when ``count`` is 1, else its plural.

    Args:
        count: How many.
        one: The singular word ("story", "has", "is").
        many: The plural when it is not ``one`` + "s" or a known irregular one.

    Example:
        >>> plural(2, "story")
        'stories'
        >>> plural(1, "has", "have")
        'has'
    """
    if count == 1:
        return one
    if many is not None:
        return many
    # "set of preferences" -> "sets of preferences"; "circle story" -> "circle stories".
    head, of, tail = one.partition(" of ")
    before, space, word = head.rpartition(" ")
    return before + space + _IRREGULAR.get(word, word + "s") + of + tail


def counted(count: int, one: str, many: str | None = None) -> str:
    """The count with thousands separators and its noun: "1 story", "1,204 stories".

    Args:
        count: How many.
        one: The singular noun.
        many: The plural, when :func:`plural` would not find it.
    """
    return f"{count:,} {plural(count, one, many)}"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word's end, with "…" when cut.

    A single word longer than ``limit`` is the one case cut inside a word.
    """
    if len(text) <= limit:
        return text
    head = text[: limit - 1]  # room for the ellipsis
    if not text[limit - 1].isspace():  # the cut falls inside a word: leave that word out
        before, space, _ = head.rpartition(" ")
        if space:
            head = before
    head = head.rstrip(" ,;:-\u2013\u2014")
    return (head or text[: limit - 1]) + "…"


def derive_title(body: str) -> str:
    """A title from the writer's first line, never cutting a word.

    Quoted lines (``> ...``, as a writing prompt is put in the body) are
    context, not the writer's words: the first other line is used, and a quote
    only when the body holds nothing else.
    """
    lines = [text for text in body.splitlines() if text.strip()]
    own = [text for text in lines if not text.lstrip().startswith(">")]
    first = (own or lines or [""])[0]
    return shorten(sanitize_line(first.lstrip("#> -*")).strip(), DERIVED_TITLE_LENGTH)


def body_without_title(title: str, body: str) -> str:
    """``body`` without its opening heading when that heading is the title (printed already)."""
    first, _, rest = body.lstrip("\n").partition("\n")
    heading = re.fullmatch(r"#{1,6}\s+(.*?)\s*#*\s*", first)
    if heading is None or heading.group(1).strip().casefold() != title.strip().casefold():
        return body
    return rest.lstrip("\n")
