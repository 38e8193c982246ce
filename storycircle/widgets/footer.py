"""The footer, with "Help now" always first so a narrow terminal never hides it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

HELP_ACTIONS = frozenset({"help_now", "app.help_now"})


class StoryFooter(Footer):
    """Textual's footer, reordered so the crisis-resources key comes first.

    It also redraws its keys only when what it shows changed: Textual's footer
    rebuilds every key for each change of focus or bindings, several times
    while a screen mounts, and at start-up that was a good part of the time to
    the first frame.
    """

    _recompose_waiting = False
    _shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        """The usual keys, with Help now moved to the front."""
        keys = list(super().compose())
        if keys:
            self._shown = self._what_to_show()
        first = [key for key in keys if getattr(key, "action", "") in HELP_ACTIONS]
        yield from first
        yield from (key for key in keys if key not in first)

    def _what_to_show(self) -> tuple[object, ...]:
        # Everything Footer.compose draws from: the shown bindings, whether
        # each is enabled, their tooltips, and the command palette's key.
        active = self.screen.active_bindings
        shown = tuple(
            (binding, enabled, tooltip)
            for _node, binding, enabled, tooltip in active.values()
            if binding.show
        )
        return (*shown, active.get(self.app.COMMAND_PALETTE_BINDING))

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Redraw the keys once for any number of binding changes before the next frame."""
        self._bindings_ready = True
        if not screen.app.app_focus or self._recompose_waiting:
            return
        if self.is_attached and screen is self.screen:
            self._recompose_waiting = True
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        """Rebuild the keys if the bindings to show changed."""
        self._recompose_waiting = False
        if self.is_attached and self._shown is not None and self._what_to_show() == self._shown:
            return
        await super().recompose()
