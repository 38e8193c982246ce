"""The footer, with "Help now" always first so a narrow terminal never hides it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

HELP_ACTIONS = frozenset({"help_now", "app.help_now"})


class StoryFooter(Footer):
    """Textual's footer, reordered so the crisis-resources key comes first."""

    def compose(self) -> ComposeResult:
        """The usual keys, with Help now moved to the front."""
        keys = list(super().compose())
        first = [key for key in keys if getattr(key, "action", "") in HELP_ACTIONS]
        yield from first
        yield from (key for key in keys if key not in first)
