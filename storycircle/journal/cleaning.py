"""What a story may hold, and cleaning a title and content notes as typed.

Kept apart from :mod:`storycircle.journal.journal` so each stays short, and so
circles and imports clean a story that arrives exactly as a save does.
"""

from __future__ import annotations

from collections.abc import Iterable

from storycircle.errors import StorycircleError
from storycircle.sanitize import sanitize_line
from storycircle.wording import derive_title

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_CONTENT_NOTES",
    "MAX_NOTE_LENGTH",
    "MAX_TITLE_LENGTH",
    "clean_notes",
    "clean_title",
]

MAX_TITLE_LENGTH = 200
MAX_BODY_BYTES = 512 * 1024
MAX_CONTENT_NOTES = 8
MAX_NOTE_LENGTH = 80


def clean_title(title: str, body: str) -> str:
    """Return the title to store: the given one, or the body's first line.

    Raises:
        StorycircleError: neither a title nor any words, or a title too long.
    """
    clean = sanitize_line(title) or derive_title(body)
    if not clean:
        raise StorycircleError("a story needs a title or at least a few words")
    if len(clean) > MAX_TITLE_LENGTH:
        raise StorycircleError(f"a title can be at most {MAX_TITLE_LENGTH} characters")
    return clean


def clean_notes(notes: Iterable[str]) -> tuple[str, ...]:
    """Return de-duplicated, sanitized content notes.

    Raises:
        StorycircleError: too many notes, or one too long.
    """
    result: list[str] = []
    for note in notes:
        clean = sanitize_line(note)
        if len(clean) > MAX_NOTE_LENGTH:
            raise StorycircleError(f"a content note can be at most {MAX_NOTE_LENGTH} characters")
        if clean and clean.casefold() not in (n.casefold() for n in result):
            result.append(clean)
    if len(result) > MAX_CONTENT_NOTES:
        raise StorycircleError(f"a story can carry at most {MAX_CONTENT_NOTES} content notes")
    return tuple(result)
