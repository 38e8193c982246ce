"""Tag browser: themes → tags with counts → stories, over journal and collections."""

from __future__ import annotations

from textual.widgets import Tree

from storycircle.screens.library import LibraryScreen
from storycircle.screens.reader import ReaderScreen
from storycircle.screens.tag_browser import TagBrowserScreen
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.story_list import StoryList
from tests.ui.helpers import SIZE, static_text, unlock_session


async def test_themes_tags_counts_and_stories(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    mine = session.save_story(title="My relapse", body="x", tags=["relapse"], content_notes=[])
    shipped = [s for s in session.library.summaries("collections") if "relapse" in s.tags]
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, TagBrowserScreen)
        tree = app.screen.query_one("#themes", Tree)
        leaves = {
            leaf.data: str(leaf.label) for branch in tree.root.children for leaf in branch.children
        }
        assert leaves["relapse"].endswith(f"· {len(shipped) + 1}")
        node = next(
            leaf for b in tree.root.children for leaf in b.children if leaf.data == "relapse"
        )
        tree.select_node(node)
        await pilot.pause()
        heading = static_text(app, "#tag-heading")
        assert heading == (
            f"#relapse · {len(shipped) + 1} stories in your journal and the collections"
        )
        stories = app.screen.query_one("#stories", StoryList)
        assert mine.story.id in {s.id for s in stories.rows}
        stories.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)


async def test_guest_sees_collection_counts(app: StorycircleApp, session: Session) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("b")
        await pilot.pause()
        tree = app.screen.query_one("#themes", Tree)
        assert len(tree.root.children) >= 3
        total = sum(len(b.children) for b in tree.root.children)
        assert total >= 20
