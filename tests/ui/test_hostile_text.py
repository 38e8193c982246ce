"""Hostile text in every field reaches the screen inert.

Saving already sanitizes titles and bodies, so these tests write raw hostile
strings past the service, as a damaged or hostile database or import could
hold them, to prove that the display boundary holds on its own.
"""

from __future__ import annotations

import html
import re

from textual.widgets import Select

from storycircle.models import MemberRecord, Story
from storycircle.screens.library import LibraryScreen
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.story_list import StoryList
from tests.support.hostile_strings import FORBIDDEN_AFTER_SANITIZE, HOSTILE, MUST_SURVIVE
from tests.ui.helpers import unlock_session

BIG = (220, 100)


def _storable(text: str) -> bool:
    # Lone surrogates cannot be encoded as UTF-8, so no stored story can hold
    # them; the sanitizer's own tests cover them.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


STORABLE = [(name, text) for name, text in HOSTILE if _storable(text)]


def _raw_story(session: Session, n: int, text: str) -> None:
    journal = session.require_journal()
    story = Story(
        id=f"hostile{n:03d}",
        version=1,
        title=f"{n:03d} {text}",
        body=text,
        tags=(f"tag{n}",),
        content_notes=(text[:60],),
        author_id=journal.member.id,
        created=f"2026-01-01T00:{n % 60:02d}:00+00:00",
        updated=f"2026-01-01T00:{n % 60:02d}:00+00:00",
    )
    # Journal._write seals exactly what it is given, with no sanitizing.
    assert journal._write(story, expected_version=0)


def _forbidden_in(text: str) -> set[str]:
    return {char for char in text if char in FORBIDDEN_AFTER_SANITIZE}


def _svg_text(app: StorycircleApp) -> str:
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg))


async def test_hostile_titles_and_notes_in_the_library(session: Session) -> None:
    unlock_session(session)
    for n, (_, text) in enumerate(STORABLE):
        _raw_story(session, n, text)
    app = StorycircleApp(session)
    async with app.run_test(size=BIG) as pilot:
        await app.push_screen(LibraryScreen(session))
        await pilot.pause()
        stories = app.screen.query_one("#stories", StoryList)
        assert len(stories.rows) == len(STORABLE) >= 60
        for index in range(len(stories.rows)):
            prompt = stories.row_content(index).plain
            assert not _forbidden_in(prompt), prompt.encode()
        shown = _svg_text(app)
        assert not _forbidden_in(shown)
        assert "[@click=app.quit]" in shown  # markup stays literal text
        # Clicking every visible row never runs an action hidden in a title.
        for row in range(4, 40):
            await pilot.click("#stories", offset=(30, row - 4))
            await pilot.pause()
            assert app.is_running
            if not isinstance(app.screen, LibraryScreen):
                app.pop_screen()
                await pilot.pause()


async def test_visible_words_of_each_case_survive(session: Session) -> None:
    unlock_session(session)
    cases = [(name, text) for name, text in STORABLE if len(text) < 400]
    for n, (_, text) in enumerate(cases):
        _raw_story(session, n, text)
    rows = {s.id: s for s in session.require_journal().summaries()}
    from storycircle.widgets.story_list import summary_row

    for n, (name, _) in enumerate(cases):
        plain = summary_row(rows[f"hostile{n:03d}"]).plain
        for word in MUST_SURVIVE[name]:
            assert word in plain, (name, word, plain)


async def test_hostile_pseudonym_in_the_member_picker(session: Session) -> None:
    store = session.installation.store
    for n, (_, text) in enumerate(STORABLE[:20]):
        store.add_member(
            MemberRecord(f"m{n}", f"{n} {text}", "age1x", b"k" * 32, b"i", b"s", "2026-01-01")
        )
    app = StorycircleApp(session)
    async with app.run_test(size=BIG) as pilot:
        select = app.screen.query_one("#member", Select)
        await pilot.click("#member")
        await pilot.pause()
        shown = _svg_text(app)
        assert not _forbidden_in(shown)
        assert app.is_running
        assert select.is_mounted


async def test_entities_decoded_by_markdown_never_reach_the_reader(session: Session) -> None:
    from storycircle.screens.reader import ReaderScreen
    from tests.support.hostile_strings import MARKDOWN_ENTITIES, MARKDOWN_LINKS

    unlock_session(session)
    body = "\n\n".join(text for _, text in MARKDOWN_ENTITIES + MARKDOWN_LINKS)
    story = session.save_story(title="entities", body=body, tags=[], content_notes=[]).story
    app = StorycircleApp(session)
    async with app.run_test(size=(160, 200)) as pilot:
        await app.push_screen(ReaderScreen(session, story.id))
        await pilot.pause()
        await pilot.pause()
        shown = _svg_text(app)
        assert "invoicegpj.exe" in shown
        assert not _forbidden_in(shown), sorted(hex(ord(c)) for c in _forbidden_in(shown))


async def test_entities_decoded_by_markdown_never_reach_the_editor_preview(
    session: Session,
) -> None:
    from textual.widgets import TextArea

    from storycircle.screens.editor import EditorScreen
    from tests.support.hostile_strings import MARKDOWN_ENTITIES

    unlock_session(session)
    app = StorycircleApp(session)
    async with app.run_test(size=(160, 120)) as pilot:
        await app.push_screen(EditorScreen(session))
        await pilot.pause()
        body = "\n\n".join(text for _, text in MARKDOWN_ENTITIES)
        app.screen.query_one("#body", TextArea).text = body
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        shown = _svg_text(app)
        assert "invoicegpj.exe" in shown  # the preview is showing
        assert not _forbidden_in(shown), sorted(hex(ord(c)) for c in _forbidden_in(shown))
