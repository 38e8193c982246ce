"""What a screen may ask the app to do, typed, without importing the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.app import App

if TYPE_CHECKING:
    from storycircle.session.session import Session


class Navigator(Protocol):
    """The app's navigation verbs (implemented by ``StorycircleApp``)."""

    KIOSK: bool
    """True on a shared kiosk: no settings or imports outside the facilitator's screen."""

    session: Session
    """The one door to the services, shared by every screen."""

    def open_story(self, story_id: str) -> None:
        """Open the reader on a story."""

    def action_new_story(self) -> None:
        """Open the editor on a new story."""

    def action_settings(self) -> None:
        """Open the settings."""

    def action_start_round(self) -> None:
        """Set up a circle round (a kiosk asks for the facilitator's PIN)."""

    def jump_to_tag(self, tag: str) -> None:
        """Show the library filtered by a tag."""

    def open_circles(self) -> None:
        """Open the circles screen."""

    def browse_tags(self) -> None:
        """Open the tag browser."""

    def action_help_now(self) -> None:
        """Show crisis resources."""

    def action_export_stories(self) -> None:
        """Open the export screen."""

    def action_lock(self) -> None:
        """Lock: forget the member's keys and return to the first screen."""


def navigator(app: App[Any]) -> Navigator:
    """The app, seen through its navigation verbs."""
    return cast(Navigator, app)
