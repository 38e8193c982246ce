"""Reading a circle's story together during a round, in a large, calm view.

A participant chooses one of the stories shared to the circle; it opens in a
narrow centred column of bold text that reads from across a table (a
terminal cannot change its font size, so the facilitator can also enlarge the
terminal's font). Content notes come first, as in the reader, with a choice
to read on or go back. Nothing is kept: going back closes the story.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from storycircle.errors import StorycircleError
from storycircle.models import Circle, Story, StorySummary
from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import line


def story_option(summary: StorySummary) -> Content:
    """Title, author's circle pseudonym and content notes of a shared story."""
    parts: list[Content | str] = [
        line(summary.title).stylize("bold"),
        "  by ",
        line(summary.author_name or "unknown member"),
    ]
    if summary.content_notes:
        notes = ", ".join(sanitize_line(note) for note in summary.content_notes)
        parts += ["\n", Content(f"⚑ content notes: {notes}").stylize("dim italic")]
    return Content.assemble(*parts)


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs (split at blank lines), cleaned for the terminal."""
    chunks = sanitize_text(body).replace("\r\n", "\n").split("\n\n")
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


class RoundStoryPicker(ModalScreen[str | None]):
    """Choose a story shared to the circle; dismisses with its id, or None."""

    CSS_PATH = "round.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Back to the round")]

    def __init__(self, session: Session, circle: Circle) -> None:
        """List the stories shared to ``circle``."""
        super().__init__()
        self.session = session
        self.circle = circle
        self._ids: list[str] = []

    def compose(self) -> ComposeResult:
        """A heading and the list (or why there is none)."""
        with Vertical(id="round-picker"):
            yield Static(line(f"Stories shared to {self.circle.name}"), id="round-picker-title")
            try:
                summaries = self.session.find_stories(section=self.circle.scope)
            except StorycircleError as error:
                yield Static(line(str(error)), id="round-picker-empty")
                return
            if not summaries:
                yield Static("Nothing is shared to this circle yet.", id="round-picker-empty")
                return
            yield Static("Enter opens the story for everyone; Esc goes back.", classes="hint")
            self._ids = [summary.id for summary in summaries]
            options: list[Option | None] = []
            for index, summary in enumerate(summaries):
                if options:
                    options.append(None)
                options.append(Option(story_option(summary), id=f"shared-{index}"))
            yield OptionList(*options, id="round-stories")

    @on(OptionList.OptionSelected, "#round-stories")
    def _on_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._ids[event.option_index])

    def action_close(self) -> None:
        """Back to the round without a story."""
        self.dismiss(None)


class RoundReadingScreen(Screen[None]):
    """One shared story in large text, content notes first."""

    CSS_PATH = "round.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back to the round"),
        Binding("up", "scroll('scroll_up')", show=False),
        Binding("down", "scroll('scroll_down')", show=False),
        Binding("pageup", "scroll('page_up')", show=False),
        Binding("pagedown", "scroll('page_down')", show=False),
        Binding("space", "scroll('page_down')", show=False),
    ]

    def __init__(self, session: Session, story_id: str) -> None:
        """Read the story ``story_id`` (a circle list id) from ``session``."""
        super().__init__()
        self.session = session
        self._story_id = story_id

    def compose(self) -> ComposeResult:
        """A scrolling column, filled on mount."""
        with VerticalScroll(id="reading-scroll"):
            yield Vertical(id="reading-column")
        yield StoryFooter()

    async def on_mount(self) -> None:
        """Load the story; show its notes first, or why it cannot be shown."""
        column = self.query_one("#reading-column", Vertical)
        try:
            story = self.session.load_story(self._story_id)
        except StorycircleError as error:
            await column.mount_all(
                [
                    Static("This story cannot be shown.", classes="reading-title"),
                    Static(line(str(error)), id="reading-error"),
                    Button("Back to the round", id="reading-back"),
                ]
            )
            self.query_one("#reading-back").focus()
            return
        self._story = story
        await column.mount_all(self._header(story))
        if story.content_notes:
            await column.mount(self._gate(story))
            self.query_one("#reading-open").focus()
        else:
            await column.mount_all(self._body(story))
            self.query_one("#reading-scroll").focus()

    def _header(self, story: Story) -> list[Widget]:
        author = self.session.author_name(story)
        return [
            Static(line(story.title), classes="reading-title"),
            Static(line(f"by {author}"), id="reading-author"),
        ]

    def _gate(self, story: Story) -> Widget:
        notes = ", ".join(story.content_notes)
        return Vertical(
            Static(line(f"This story carries content notes: {notes}."), id="reading-notes"),
            Static("Read it together only if everyone is ready.", classes="hint"),
            Horizontal(
                Button("Read it", id="reading-open", variant="primary"),
                Button("Back to the round", id="reading-back"),
                classes="buttons",
            ),
            id="reading-gate",
        )

    @staticmethod
    def _body(story: Story) -> list[Widget]:
        return [
            Static(Content(text), classes="reading-paragraph") for text in paragraphs(story.body)
        ] or [Static("This story has no words yet.", classes="hint")]

    @on(Button.Pressed, "#reading-open")
    async def _on_open(self) -> None:
        await self.query("#reading-gate").remove()
        await self.query_one("#reading-column").mount_all(self._body(self._story))
        self.query_one("#reading-scroll").focus()

    @on(Button.Pressed, "#reading-back")
    def action_back(self) -> None:
        """Close the story and go back to the round."""
        self.dismiss(None)

    def action_scroll(self, how: str) -> None:
        """Scroll the story."""
        getattr(self.query_one("#reading-scroll", VerticalScroll), "action_" + how)()
