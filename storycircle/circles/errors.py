"""The error of circle actions, apart so every circle module can raise it."""

from __future__ import annotations

from storycircle.errors import StorycircleError


class CircleError(StorycircleError):
    """A circle action that cannot be done; the message says why."""
