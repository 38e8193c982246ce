"""The text area that cleans what arrives (see :mod:`storycircle.widgets.safe`).

Apart from the fields, so the welcome screen, which has no text area, does not
import Textual's ``TextArea`` (and tree-sitter) before its first frame.
"""

from __future__ import annotations

from textual.widgets import TextArea

from storycircle.sanitize import sanitize_text
from storycircle.widgets.safe import has_unsafe


class SafeTextArea(TextArea):
    """A ``TextArea`` that removes escape sequences and controls as they arrive."""

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Clean the text, keeping the cursor where it was."""
        if event.text_area is self and has_unsafe(self.text):
            cursor = self.cursor_location
            self.replace(sanitize_text(self.text), (0, 0), self.document.end)
            self.move_cursor(cursor)
