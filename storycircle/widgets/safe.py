"""Turning untrusted text into something a widget can show safely.

Every title, tag, pseudonym or body goes through the sanitizer and becomes
:class:`~textual.content.Content` (plain text, never parsed as markup), so a
story holding ``[@click=app.quit]`` or an escape sequence stays inert text.

Text fields need the same care: Textual's ``Input`` and ``TextArea`` draw what
they hold, so a paste carrying an escape sequence would reach the terminal.
:class:`SafeInput` and :class:`~storycircle.widgets.safe_text_area.SafeTextArea`
clean such text as it arrives.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Focus
from textual.widgets import Input

from storycircle.sanitize import has_forbidden, sanitize_line, sanitize_text


def line(text: str) -> Content:
    """One line of untrusted text as inert content."""
    return Content(sanitize_line(text))


def block(text: str) -> Content:
    """Multi-line untrusted text as inert content."""
    return Content(sanitize_text(text))


def has_unsafe(text: str) -> bool:
    """True when ``text`` holds what a field must not show.

    Controls and escape sequences (the terminal would act on them), bidi
    controls (they reorder text) and invisible characters (tag characters,
    zero-width space, BOM, soft hyphen, Hangul fillers: they hide text) all
    count. Joiners do not: a full sanitize on every keystroke would drop a
    Persian ZWNJ typed before the letter after it.
    """
    return has_forbidden(text)


class FieldInput(Input):
    """An ``Input`` that Tab enters with the cursor after its text, nothing selected.

    Textual selects a field's whole text on focus, so the next key replaced
    it: accepted tag suggestions were wiped. Selecting all is a deliberate
    key instead: Alt+A (or Ctrl+Shift+A where the terminal can send it).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("alt+a", "select_all", "Select all", show=False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Take the arguments of ``Input``; ``select_on_focus`` is off unless given."""
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    def on_focus(self, event: Focus) -> None:
        """Put the cursor at the end, except when the terminal itself regains focus."""
        if not event.from_app_focus and not self.select_on_focus:
            self.cursor_position = len(self.value)


class SafeInput(FieldInput):
    """An ``Input`` that removes escape sequences and controls as they arrive."""

    def on_input_changed(self, event: Input.Changed) -> None:
        """Clean a value that holds anything the terminal would act on."""
        if event.input is self and has_unsafe(event.value):
            self.value = sanitize_text(event.value)
