"""The footer, with "Help now" always first so a narrow terminal never hides it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

HELP_ACTIONS = frozenset({"help_now", "app.help_now"})


class StoryFooter(Footer):
    """Textual's footer, reordered so the crisis-resources key comes first."""

    _recompose_waiting = False

    def compose(self) -> ComposeResult:
        """The usual keys, with Help now moved to the front."""
        keys = list(super().compose())
        first = [key for key in keys if getattr(key, "action", "") in HELP_ACTIONS]
        yield from first
        yield from (key for key in keys if key not in first)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Redraw the keys once for any number of binding changes before the next frame.

        Textual's footer rebuilds every key for each change, and a screen that
        mounts, takes the focus and enables its buttons changes them several
        times in one go: at start-up that took much of the time to the first frame.
        """
        self._bindings_ready = True
        if not screen.app.app_focus or self._recompose_waiting:
            return
        if self.is_attached and screen is self.screen:
            self._recompose_waiting = True
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        """Rebuild the keys from the bindings as they are now."""
        self._recompose_waiting = False
        await super().recompose()
