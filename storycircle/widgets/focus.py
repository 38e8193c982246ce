"""When Tab moves the focus, and when a widget or screen keeps Tab for itself."""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget

_FOCUS_ACTIONS = frozenset({"app.focus_next", "app.focus_previous"})


def tab_is_taken(screen: Screen[object], focused: Widget | None) -> bool:
    """True when Tab means something else here than "next field".

    That is: a text area that indents with Tab, or a binding of Tab on the
    focused widget, its containers or the screen other than Textual's own
    hidden "focus next" (a screen that shows Tab in its footer keeps it).
    """
    # Only a TextArea has tab_behavior: asked by name, so this module need not
    # import TextArea (start-up cost; see storycircle.widgets.safe_text_area).
    if getattr(focused, "tab_behavior", None) == "indent":
        return True
    for node in (*(focused.ancestors_with_self if focused is not None else ()), screen):
        if node is screen.app:
            continue
        for key in ("tab", "shift+tab"):
            for binding in node._bindings.key_to_bindings.get(key, ()):
                if binding.show or binding.action not in _FOCUS_ACTIONS:
                    return True
    return False
