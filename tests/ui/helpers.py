"""Helpers for Pilot tests: unlock without the welcome UI, read what is on screen."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from storycircle.journal.members import UnlockedMember, create_member, unlock
from storycircle.session.session import Session
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR

SIZE = (100, 36)
"""The terminal size Pilot tests run at."""


def unlock_session(session: Session, pseudonym: str = "river") -> UnlockedMember:
    """Create a member and make them the session's unlocked member."""
    record = create_member(
        session.installation.store, pseudonym, PASSPHRASE, work_factor=TEST_WORK_FACTOR
    )
    member = unlock(record, PASSPHRASE)
    session.open_journal(member)
    return member


def screen_text(app: App[None]) -> str:
    """Everything the current screen draws, as plain text (via an SVG export)."""
    import html
    import re

    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\xa0", " ")


def current_screen(app: App[None]) -> Screen[object]:
    """The screen on top now, typed as any screen.

    For checking which screen is on top after a key press or a click: the
    checker keeps what an earlier ``isinstance(app.screen, ...)`` told it about
    ``app.screen`` even after the screen changed, and this reads it afresh.
    """
    return app.screen


def static_text(app: App[None], selector: str) -> str:
    """The text a ``Static`` on the current screen shows."""
    return str(app.screen.query_one(selector, Static).render())
