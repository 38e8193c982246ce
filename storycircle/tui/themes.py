"""Colour themes as plain data, so the app can register them without logic here."""

from __future__ import annotations

CALM = {
    "name": "storycircle",
    "primary": "#7FA8C9",
    "secondary": "#A3C4A8",
    "accent": "#E2B77B",
    "warning": "#E2B77B",
    "error": "#E88A8A",
    "success": "#9CCB9C",
    "foreground": "#E6E4DF",
    "background": "#1F2326",
    "surface": "#272C30",
    "panel": "#30363B",
    "dark": True,
}
"""Muted blues and greens on a warm dark background: easy on tired eyes."""

HIGH_CONTRAST = {
    "name": "storycircle-high-contrast",
    "primary": "#FFFF00",
    "secondary": "#00FFFF",
    "accent": "#FFFFFF",
    "warning": "#FFB000",
    "error": "#FF5555",
    "success": "#00FF00",
    "foreground": "#FFFFFF",
    "background": "#000000",
    "surface": "#000000",
    "panel": "#1A1A1A",
    "dark": True,
}
"""White and yellow on black, for low vision and bright rooms."""
