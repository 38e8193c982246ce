"""Curated collections in the interface: guests and members."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.widgets import Button, OptionList, Select, Static

from storycircle.journal.preferences import Preferences
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.library import LibraryScreen
from storycircle.screens.reader import ReaderScreen
from storycircle.session.config import load_config
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.story_list import StoryList
from tests.ui.helpers import SIZE, current_screen, static_text, unlock_session


def _story_id(session: Session, title: str) -> str:
    return next(s.id for s in session.library.summaries("collections") if s.title == title)


async def test_guest_reads_collections_without_an_account(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        rows = app.screen.query_one("#stories", StoryList).rows
        assert len(rows) >= 30
        assert session.members() == []  # nobody had to create an account
        sections = [key for _, key in session.sections()]
        assert "journal" not in sections and "collections" in sections


async def test_a_collection_section_names_its_curator(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        app.screen.query_one("#section", Select).value = "collection:first-light"
        await pilot.pause()
        heading = static_text(app, "#library-heading")
        assert heading.startswith("First Light · curated by")
        rows = app.screen.query_one("#stories", StoryList).rows
        assert rows and all(r.scope == "collection:first-light" for r in rows)


async def test_guest_reader_shows_pseudonym_gate_and_hope_first_without_reactions(
    app: StorycircleApp, session: Session
) -> None:
    story_id = _story_id(session, "The Tuesday it happened")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReaderScreen(session, story_id))
        await pilot.pause()
        assert "by Claire" in static_text(app, "#story-meta")
        assert app.screen.query("#gate")  # it carries a content note
        await pilot.click("#read-it")
        await pilot.pause()
        assert not app.screen.query("#reactions")  # a guest has none to give
        related = session.related(session.load_story(story_id))
        assert related[0].hopeful  # the first suggestion carries hope
        first = app.screen.query_one("#related", OptionList).get_option_at_index(0)
        assert "a story of hope" in str(first.prompt)


async def test_member_reacts_to_a_collection_story(app: StorycircleApp, session: Session) -> None:
    unlock_session(session)
    story_id = _story_id(session, "Counting again")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReaderScreen(session, story_id))
        await pilot.pause()
        if app.screen.query("#read-it"):
            await pilot.click("#read-it")
            await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert "(1)" in str(app.screen.query_one("#react-hope", Button).label)
    assert session.reactions(story_id).hope == 1


async def test_guest_filters_are_remembered(session: Session, tmp_path: Path) -> None:
    session.set_preferences(Preferences(hidden_notes=("alcohol",)))
    assert load_config(tmp_path).guest_hidden_notes == ("alcohol",)
    rows = session.find_stories(section="collections")
    assert rows and not any("alcohol" in " ".join(r.content_notes) for r in rows)
    reopened = replace(session.installation, config=load_config(tmp_path))
    again = Session(reopened)
    assert again.preferences.hidden_notes == ("alcohol",)


async def test_consent_to_collections_is_given_and_withdrawn_from_the_reader(
    app: StorycircleApp, session: Session
) -> None:
    unlock_session(session)
    story = session.save_story(title="Mine", body="words", tags=["hope"], content_notes=[]).story
    async with app.run_test(size=SIZE) as pilot:
        reader = ReaderScreen(session, story.id)
        await app.push_screen(reader)
        await pilot.pause()
        # Giving consent is a decision: a dialog says what it allows and what
        # cannot be recalled, and escape or "Not now" changes nothing.
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        said = str(app.screen.query_one("#dialog-message", Static).render())
        assert "public" in said and "cannot be recalled" in said
        await pilot.press("escape")
        await pilot.pause()
        assert current_screen(app) is reader and not session.may_be_collected(story.id)
        await pilot.press("c")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert current_screen(app) is reader and session.may_be_collected(story.id)
        # Withdrawing asks too, and says what stays out of reach.
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        said = str(app.screen.query_one("#dialog-message", Static).render())
        assert "new collection" in said and "cannot be recalled" in said
        await pilot.press("n")
        await pilot.pause()
        assert session.may_be_collected(story.id)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert current_screen(app) is reader and not session.may_be_collected(story.id)
        # Collection stories are not the reader's to offer.
        await app.push_screen(ReaderScreen(session, _story_id(session, "Family day")))
        await pilot.pause()
        assert app.screen.check_action("toggle_consent", ()) is False


async def test_a_changed_collection_opens_only_after_the_reader_is_told(
    app: StorycircleApp, session: Session
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from storycircle.curated.collections import shipped_folder, sign_collection

    shipped = shipped_folder()
    assert shipped is not None
    folder = session.installation.folder / "collections" / "borrowed"
    import shutil

    shutil.copytree(shipped / "the-way-back", folder)
    sign_collection(folder, Ed25519PrivateKey.generate(), "river")
    story = folder / "counting-again.md"
    story.write_text(story.read_text() + "\nA line added after signing.\n")
    story_id = "borrowed/counting-again"
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReaderScreen(session, story_id))
        await pilot.pause()
        told = static_text(app, "#gate-signature")
        assert "signature does not match" in told and "river" in told
        assert not app.screen.query("#story-body")
        await pilot.click("#read-it")
        await pilot.pause()
        assert app.screen.query("#story-body")
        await pilot.press("escape")
        await pilot.press("ctrl+r")
        await pilot.pause()
        app.screen.query_one("#section", Select).value = "collection:borrowed"
        await pilot.pause()
        assert "signature does not match" in static_text(app, "#library-heading")
