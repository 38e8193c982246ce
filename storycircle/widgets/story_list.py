"""A virtual list of one-line story rows that stays fast at any length.

``OptionList`` wraps and measures every option when options change, which
costs seconds for ten thousand stories. Rows here are always one line, so
only the rows on screen are ever rendered (Textual's line API).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from storycircle.models import StorySummary
from storycircle.sanitize import sanitize_line

RowRenderer = Callable[[StorySummary], Content]


def summary_row(summary: StorySummary) -> Content:
    """Date, title, tags and notes of a story, each part sanitized, as styled content."""
    parts: list[tuple[str, str] | str] = [
        (sanitize_line(summary.created[:10]), "dim"),
        "  ",
        (sanitize_line(summary.title), "bold"),
    ]
    if summary.tags:
        parts += ["  ", (" ".join("#" + sanitize_line(tag) for tag in summary.tags), "italic")]
    if summary.content_notes:
        notes = ", ".join(sanitize_line(note) for note in summary.content_notes)
        parts += ["  ", (f"⚑ {notes}", "dim italic")]
    return Content.assemble(*parts)


class StoryList(ScrollView, can_focus=True):
    """Story rows, one line each, with a highlighted row and Enter to open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"story-list--highlight"}
    DEFAULT_CSS = """
    StoryList { height: 1fr; }
    StoryList > .story-list--highlight { background: $primary 40%; }
    StoryList:focus > .story-list--highlight { background: $accent 40%; }
    """

    highlighted: reactive[int] = reactive(0, always_update=True)

    class Selected(Message):
        """A row was chosen (Enter or a click)."""

        def __init__(self, story_list: StoryList, summary: StorySummary) -> None:
            """Carry the list and the chosen story's summary."""
            super().__init__()
            self.story_list = story_list
            self.summary = summary

        @property
        def control(self) -> StoryList:
            """The list the row was chosen in (lets ``@on`` match by selector)."""
            return self.story_list

    def __init__(self, render_row: RowRenderer, *, id: str | None = None) -> None:
        """Draw each row with ``render_row`` (it must return one line of inert content)."""
        super().__init__(id=id)
        self._render_row = render_row
        self._rows: Sequence[StorySummary] = ()
        self._cache: dict[tuple[str, int], Content] = {}

    @property
    def rows(self) -> Sequence[StorySummary]:
        """The stories listed, in order."""
        return self._rows

    def set_rows(self, rows: Sequence[StorySummary]) -> None:
        """Replace the rows, keeping the highlight in range."""
        self._rows = rows
        self.virtual_size = Size(0, len(rows))
        self.highlighted = min(self.highlighted, max(len(rows) - 1, 0))
        self.refresh()

    def row_content(self, index: int) -> Content:
        """The content drawn for row ``index`` (cached per story version)."""
        summary = self._rows[index]
        key = (summary.id, summary.version)
        content = self._cache.get(key)
        if content is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            content = self._cache[key] = self._render_row(summary)
        return content

    def render_line(self, y: int) -> Strip:
        """Draw screen line ``y``: only visible rows are ever rendered."""
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.visual_style
        if index >= len(self._rows):
            return Strip.blank(width, base.rich_style)
        style = base
        if index == self.highlighted:
            style = base + self.get_visual_style("story-list--highlight")
        content = self.row_content(index).truncate(width + scroll_x, ellipsis=True)
        strip = Strip(content.render_segments(style)).extend_cell_length(
            width + scroll_x, style.rich_style
        )
        return strip.crop(scroll_x, scroll_x + width)

    def watch_highlighted(self, old: int, new: int) -> None:
        """Keep the highlighted row on screen and redraw the two rows that changed."""
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        width = self.scrollable_content_region.width
        if new < top:
            self.scroll_to(y=new, animate=False)
            self.refresh()
        elif height and new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)
            self.refresh()
        else:
            # The view did not move: only the two rows whose highlight changed.
            self.refresh(Region(0, old - top, width, 1), Region(0, new - top, width, 1))

    def action_move(self, step: int) -> None:
        """Move the highlight by ``step`` rows."""
        if self._rows:
            self.highlighted = max(0, min(len(self._rows) - 1, self.highlighted + step))

    def action_page(self, direction: int) -> None:
        """Move the highlight by a screenful."""
        self.action_move(direction * max(self.scrollable_content_region.height - 1, 1))

    def action_jump(self, index: int) -> None:
        """Highlight the first (0) or last (-1) row."""
        if self._rows:
            self.highlighted = index % len(self._rows)

    def action_select(self) -> None:
        """Open the highlighted row."""
        if self._rows:
            self.post_message(self.Selected(self, self._rows[self.highlighted]))

    def on_click(self, event: events.Click) -> None:
        """Highlight and open the clicked row."""
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._rows):
            self.highlighted = index
            self.action_select()
