"""The journal list: the unlocked member's stories, newest first.

Rows come from the sealed summaries (no story file is decrypted to list), and
are shown in an ``OptionList`` so thousands of rows stay smooth.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from storycircle.journal import Journal
from storycircle.models import StorySummary
from storycircle.widgets.safe import line


def story_row(summary: StorySummary) -> Option:
    """One list row: date, title, tags and any content note, all inert text."""
    tags = " ".join("#" + tag for tag in summary.tags)
    notes = f"  [note: {', '.join(summary.content_notes)}]" if summary.content_notes else ""
    return Option(line(f"{summary.created[:10]}  {summary.title}  {tags}{notes}"), id=summary.id)


class JournalScreen(Screen[None]):
    """The member's own stories."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "reload", "Reload")]

    def __init__(self, journal: Journal) -> None:
        """Show ``journal``'s stories."""
        super().__init__()
        self.journal = journal

    def compose(self) -> ComposeResult:
        """A heading, the list, and the footer."""
        yield Header()
        yield Static(id="journal-heading")
        yield OptionList(id="stories")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the list."""
        self.action_reload()

    def action_reload(self) -> None:
        """Read the summaries again and redraw the list."""
        summaries = self.journal.summaries()
        heading = self.query_one("#journal-heading", Static)
        count = len(summaries)
        noun = "story" if count == 1 else "stories"
        heading.update(line(f"{self.journal.member.pseudonym}'s journal: {count} {noun}"))
        stories = self.query_one("#stories", OptionList)
        stories.clear_options()
        stories.add_options([story_row(summary) for summary in summaries])
        stories.focus()
