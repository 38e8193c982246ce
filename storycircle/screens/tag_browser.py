"""Tag browser: themes, then tags with how many stories carry them, then stories.

Counts cover every story the reader may open (their journal and the
collections), with their content-note filters applied, so a reader sees at a
glance that what they live with is common.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Static, Tree

from storycircle.sanitize import sanitize_line
from storycircle.screens.navigation import navigator
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import line
from storycircle.widgets.story_list import StoryList, summary_row
from storycircle.wording import counted


class TagBrowserScreen(Screen[None]):
    """Browse themes and tags, and the stories under each tag."""

    CSS_PATH = "tag_browser.tcss"
    AUTO_FOCUS = "#themes"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("tab", "app.focus_next", "Tags / stories", show=True),
    ]

    def __init__(self, session: Session) -> None:
        """Browse everything ``session``'s reader may open."""
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        """The theme tree on the left, the stories of the chosen tag on the right."""
        yield Header()
        with Horizontal():
            yield Tree[str]("Themes", id="themes")
            with Vertical(id="tag-stories"):
                yield Static("Choose a tag to see its stories.", id="tag-heading")
                yield StoryList(summary_row, id="stories")
        yield StoryFooter()

    def on_mount(self) -> None:
        """Fill the tree: each theme, then its tags with counts."""
        tree = self.query_one("#themes", Tree)
        tree.show_root = False
        for theme, tags in self.session.themes_with_tags():
            total = sum(count for _, _, count in tags)
            # Tree parses plain strings as markup: give it inert Text instead.
            branch = tree.root.add(Text(sanitize_line(f"{theme} ({total})")), expand=False)
            for tag, label, count in tags:
                branch.add_leaf(Text(sanitize_line(f"{label} · {count}")), data=tag)
        tree.root.expand()

    @on(Tree.NodeHighlighted, "#themes")
    @on(Tree.NodeSelected, "#themes")
    def _on_tag(self, event: Tree.NodeHighlighted[str] | Tree.NodeSelected[str]) -> None:
        tag = event.node.data
        if not tag:
            return
        stories = self.session.stories_with_tag(tag)
        where = "your journal and the collections" if self.session.unlocked else "the collections"
        heading = f"#{tag} · {counted(len(stories), 'story')} in {where}"
        self.query_one("#tag-heading", Static).update(line(heading))
        self.query_one("#stories", StoryList).set_rows(stories)

    @on(StoryList.Selected, "#stories")
    def _on_open(self, event: StoryList.Selected) -> None:
        navigator(self.app).open_story(event.summary.id)
