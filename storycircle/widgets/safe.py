"""Turning untrusted text into something a widget can show safely.

Every title, tag, pseudonym or body goes through the sanitizer and becomes
:class:`~textual.content.Content` (plain text, never parsed as markup), so a
story holding ``[@click=app.quit]`` or an escape sequence stays inert text.
"""

from __future__ import annotations

from textual.content import Content

from storycircle.sanitize import sanitize_line, sanitize_text


def line(text: str) -> Content:
    """One line of untrusted text as inert content."""
    return Content(sanitize_line(text))


def block(text: str) -> Content:
    """Multi-line untrusted text as inert content."""
    return Content(sanitize_text(text))
