"""Story editor: save, refuse bad input without losing words, drafts, leaving, helpers."""

from __future__ import annotations

import sqlite3

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, Input, Markdown, OptionList, Static, TextArea
from textual.widgets.markdown import MarkdownBlock

from storycircle.journal.members import create_member, unlock
from storycircle.journal.prompts import PROMPTS
from storycircle.models import Draft, Story
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.editor import INVITATION, EditorScreen
from storycircle.screens.editor_fields import SuggestionChip, VocabularySuggester
from storycircle.screens.prompt_picker import PromptPicker
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from tests.support.hostile_strings import FORBIDDEN_AFTER_SANITIZE, HOSTILE, MUST_SURVIVE
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.ui.helpers import SIZE, current_screen

Results = list[Story | None]


@pytest.fixture(autouse=True)
def writer(session: Session) -> None:
    record = create_member(
        session.installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR
    )
    session.open_journal(unlock(record, PASSPHRASE))


async def open_editor(
    app: StorycircleApp,
    pilot: Pilot[None],
    *,
    story: Story | None = None,
    draft: Draft | None = None,
) -> tuple[EditorScreen, Results]:
    results: Results = []
    screen = EditorScreen(app.session, story=story, draft=draft)
    await app.push_screen(screen, results.append)
    await settle(app, pilot)
    return screen, results


async def settle(app: StorycircleApp, pilot: Pilot[None]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def fill(screen: EditorScreen, *, title: str = "", body: str = "", tags: str = "") -> None:
    screen.query_one("#title", Input).value = title
    area = screen.query_one("#body", TextArea)
    area.text = body
    area.move_cursor(area.document.end)
    screen.query_one("#tags", Input).value = tags


def status(screen: EditorScreen) -> str:
    return str(screen.query_one("#editor-status", Static).render())


def body_of(screen: EditorScreen) -> str:
    return screen.query_one("#body", TextArea).text


# -- saving --------------------------------------------------------------------


async def test_a_new_story_is_written_and_saved_with_canonical_tags(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot)
        await pilot.press(*"Today I asked for help. Why? Because.")
        assert body_of(screen) == "Today I asked for help. Why? Because."
        assert status(screen).startswith("7 words")
        screen.query_one("#title", Input).value = "Asking"
        screen.query_one("#tags", Input).value = "#Anxious, Peer Group"
        screen.query_one("#notes", Input).value = "mentions panic"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not screen
    [summary] = session.require_journal().summaries()
    assert summary.title == "Asking"
    assert summary.tags == ("anxiety", "peer-group")
    assert summary.content_notes == ("mentions panic",)
    assert len(results) == 1 and results[0] is not None
    assert results[0].id == summary.id
    assert results[0].body == "Today I asked for help. Why? Because."
    assert session.drafts() == []


async def test_too_many_tags_shows_the_reason_keeps_the_text_and_saves_nothing(
    app: StorycircleApp, session: Session
) -> None:
    tags = ", ".join(f"tag{n}" for n in range(40))
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot)
        fill(screen, title="Forty", body="Every word matters.", tags=tags)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "not saved: a story can carry at most 32 tags" in status(screen)
        assert screen.query_one("#editor-status").has_class("error")
        assert body_of(screen) == "Every word matters."
        assert screen.query_one("#title", Input).value == "Forty"
        assert screen.query_one("#tags", Input).value == tags
        screen.flush_draft()  # an autosave must not hide why the save failed
        assert "not saved: a story can carry at most 32 tags" in status(screen)
        assert "draft saved" in status(screen)
    assert session.require_journal().summaries() == []
    assert [d.body for d in session.drafts()] == ["Every word matters."]
    assert results == []


async def test_an_empty_story_is_refused_with_a_message(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "needs a title or at least a few words" in status(screen)
    assert session.require_journal().summaries() == []


@pytest.mark.parametrize(
    "failure",
    [sqlite3.OperationalError("database or disk is full"), OSError(28, "No space left on device")],
    ids=["sqlite-full", "os-enospc"],
)
async def test_a_full_disk_shows_not_saved_and_keeps_every_word(
    app: StorycircleApp,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
) -> None:
    def broken(**_: object) -> None:
        raise failure

    monkeypatch.setattr(session, "save_story", broken)
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot)
        fill(screen, title="Kept", body="Words I cannot lose.", tags="hope")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "not saved:" in status(screen)
        assert ("disk is full" in status(screen)) or ("No space left" in status(screen))
        assert body_of(screen) == "Words I cannot lose."
        assert screen.query_one("#title", Input).value == "Kept"
    assert results == []


async def test_editing_a_saved_story_bumps_its_version(
    app: StorycircleApp, session: Session
) -> None:
    saved = session.save_story(title="Walk", body="I walked.", tags=["hope"], content_notes=[])
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot, story=saved.story)
        assert screen.query_one("#title", Input).value == "Walk"
        assert screen.query_one("#tags", Input).value == "hope"
        assert not screen.query_one("#prompt").display  # no invitation on a saved story
        body = screen.query_one("#body", TextArea)
        body.insert(" Then I rested.", body.document.end)
        await pilot.press("ctrl+s")
        await pilot.pause()
    story = session.load_story(saved.story.id)
    assert story.version == 2
    assert story.body == "I walked. Then I rested."
    assert results == [story]
    assert [s.id for s in session.require_journal().summaries()] == [saved.story.id]


async def test_a_story_changed_elsewhere_is_kept_as_a_copy_and_said_plainly(
    app: StorycircleApp, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: messages.append(message))
    first = session.save_story(title="Walk", body="I walked.", tags=[], content_notes=[]).story
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot, story=first)
        # Another window saves the same story meanwhile.
        session.save_story(
            title="Walk",
            body="Elsewhere.",
            tags=[],
            content_notes=[],
            story_id=first.id,
            base_version=1,
        )
        fill(screen, title="Walk", body="My edit.")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert any("changed elsewhere" in m and "separate copy" in m for m in messages)
    [copy] = [r for r in results if r is not None]
    assert copy.id != first.id and copy.body == "My edit."
    assert session.load_story(first.id).body == "Elsewhere."


# -- drafts --------------------------------------------------------------------


async def test_autosave_writes_an_encrypted_draft_once_per_change(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        screen.flush_draft()
        assert session.drafts() == []  # nothing typed, nothing kept
        fill(screen, title="Night", body="I could not sleep.", tags="sleep, #Hope")
        screen.query_one("#notes", Input).value = "mentions insomnia"
        screen.flush_draft()
        [draft] = session.drafts()
        assert (draft.title, draft.body) == ("Night", "I could not sleep.")
        assert draft.tags == ("sleep", "Hope")
        assert draft.content_notes == ("mentions insomnia",)
        assert draft.base_version == 0
        assert "draft saved" in status(screen)
        screen.flush_draft()  # unchanged: no second write
        assert session.drafts()[0].saved_at == draft.saved_at
        await pilot.press(*" Again")
        screen.flush_draft()
        [again] = session.drafts()
        assert again.id == draft.id and again.body == "I could not sleep. Again"
    member_id = session.require_journal().member.id
    [record] = session.installation.store.drafts(member_id)
    assert b"could not sleep" not in record.blob and b"Night" not in record.blob


async def test_autosave_failure_is_shown_and_never_raises(
    app: StorycircleApp, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_: Draft) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        monkeypatch.setattr(session, "autosave_draft", broken)
        fill(screen, body="Still here.")
        screen.flush_draft()
        assert "draft not saved: database or disk is full" in status(screen)
        session.lock()  # the app locks right after flushing: still no exception
        screen.flush_draft()
        assert body_of(screen) == "Still here."


async def test_restoring_a_draft_fills_the_fields_and_saving_discards_it(
    app: StorycircleApp, session: Session
) -> None:
    session.autosave_draft(
        Draft(
            id="d1",
            title="Kept",
            body="Half a story",
            tags=("hope",),
            content_notes=("mentions grief",),
        )
    )
    [draft] = session.drafts()
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot, draft=draft)
        assert screen.query_one("#title", Input).value == "Kept"
        assert body_of(screen) == "Half a story"
        assert screen.query_one("#tags", Input).value == "hope"
        assert screen.query_one("#notes", Input).value == "mentions grief"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert session.drafts() == []
    [summary] = session.require_journal().summaries()
    assert (summary.title, summary.tags) == ("Kept", ("hope",))
    assert results and results[0] is not None and results[0].version == 1


async def test_a_draft_of_a_saved_story_saves_a_new_version_of_it(
    app: StorycircleApp, session: Session
) -> None:
    saved = session.save_story(title="Walk", body="One.", tags=[], content_notes=[]).story
    draft = Draft(id=saved.id, title="Walk", body="One. Two.", base_version=1)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(app, pilot, draft=draft)
        await pilot.press("ctrl+s")
        await pilot.pause()
    story = session.load_story(saved.id)
    assert (story.version, story.body) == (2, "One. Two.")


# -- leaving -------------------------------------------------------------------


async def test_leaving_with_changes_asks_and_keep_writing_keeps_the_text(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot)
        await pilot.press(*"unsaved words")
        screen.flush_draft()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#no")
        await pilot.pause()
        assert current_screen(app) is screen
        assert body_of(screen) == "unsaved words"
        assert len(session.drafts()) == 1
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert current_screen(app) is not screen
    assert results == [None]
    assert session.drafts() == []
    assert session.require_journal().summaries() == []


async def test_leaving_a_restored_draft_asks_first(app: StorycircleApp, session: Session) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(app, pilot, draft=Draft(id="d2", title="", body="kept"))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)


@pytest.mark.parametrize("saved", [False, True], ids=["new", "saved-story"])
async def test_leaving_with_no_changes_asks_nothing(
    app: StorycircleApp, session: Session, saved: bool
) -> None:
    story = (
        session.save_story(title="Walk", body="One.", tags=[], content_notes=[]).story
        if saved
        else None
    )
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot, story=story)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
        assert not isinstance(app.screen, ConfirmScreen)
    assert results == [None]


# -- tags ------------------------------------------------------------------------


async def test_accepting_a_tag_suggestion_adds_it_and_dismissing_hides_it(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        assert not screen.query_one("#suggest-row").display
        fill(screen, body="I could not sleep #relapse")
        screen.refresh_suggestions()
        await settle(app, pilot)
        chips = {c.suggestion.tag: c for c in screen.query(SuggestionChip)}
        assert set(chips) == {"relapse", "sleep"}
        assert "#relapse" in str(chips["relapse"].query_one(".reason", Static).render())
        assert "sleep" in str(chips["sleep"].query_one(".reason", Static).render())
        assert screen.query_one("#tags", Input).value == ""  # nothing tagged unasked
        await pilot.click(chips["sleep"].query_one(".accept", Button))
        await settle(app, pilot)
        assert screen.query_one("#tags", Input).value == "sleep"
        chip = screen.query_one(SuggestionChip)
        assert chip.suggestion.tag == "relapse"
        await pilot.click(chip.query_one(".dismiss", Button))
        await settle(app, pilot)
        screen.refresh_suggestions()
        await settle(app, pilot)
        assert not screen.query(SuggestionChip)  # dismissed for this session
        assert not screen.query_one("#suggest-row").display
        await pilot.press("ctrl+s")
        await pilot.pause()
    [summary] = session.require_journal().summaries()
    assert summary.tags == ("sleep",)


async def test_typing_waits_then_suggests(app: StorycircleApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        await pilot.press(*"so lonely")
        await pilot.pause()
        assert not screen.query(SuggestionChip)  # debounced: not on every key
        screen.refresh_suggestions()  # what the debounce timer calls
        await settle(app, pilot)
        assert [c.suggestion.tag for c in screen.query(SuggestionChip)] == ["loneliness"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("pe", "peer-group"),
        ("hope, Peer g", "hope, Peer group"),
        ("hope; #lon", "hope; #loneliness"),
        ("Anx", "Anxiety"),
        ("hope, ", None),
        ("zzz", None),
        ("sleep", None),
    ],
)
async def test_tag_completion_completes_the_last_item(typed: str, expected: str | None) -> None:
    suggestion = await VocabularySuggester().get_suggestion(typed)
    assert suggestion == expected


# -- preview and prompts -------------------------------------------------------


async def test_preview_toggles_and_shows_the_rendered_body(app: StorycircleApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        pane = screen.query_one("#preview-pane")
        assert not pane.display
        fill(screen, body="# My day\n\nI **walked** by the river.")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert pane.display and screen.query_one("#body").display  # beside the body
        preview = screen.query_one("#preview", Markdown)
        assert preview.source == "# My day\n\nI **walked** by the river."
        heading = preview.query_one("MarkdownH1")
        assert "My day" in str(heading.render())
        texts = [str(b.render()) for b in preview.query(MarkdownBlock)]
        assert any("I walked by the river." in t for t in texts)  # rendered, no **
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not pane.display


async def test_a_narrow_screen_shows_the_preview_in_place_of_the_body(
    app: StorycircleApp,
) -> None:
    async with app.run_test(size=(70, 30)) as pilot:
        screen, _ = await open_editor(app, pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert screen.query_one("#preview-pane").display
        assert not screen.query_one("#body").display
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert screen.query_one("#body").display


async def test_a_prompt_starts_an_empty_body_as_a_quote(app: StorycircleApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        prompt_line = screen.query_one("#prompt", Static)
        assert prompt_line.display and str(prompt_line.render()) == INVITATION
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, PromptPicker)
        assert app.screen.query_one(OptionList).option_count == len(PROMPTS)
        await pilot.press("enter")
        await pilot.pause()
        assert current_screen(app) is screen
        assert body_of(screen) == f"> {PROMPTS[0].guidance}\n\n"
        assert not prompt_line.display  # the invitation is gone once there is text
        await pilot.press(*"It was")
        assert body_of(screen).endswith("\n\nIt was")


async def test_a_prompt_never_overwrites_the_writers_words(app: StorycircleApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        fill(screen, body="My own words.")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert body_of(screen) == "My own words."
        shown = str(screen.query_one("#prompt", Static).render())
        assert PROMPTS[1].title in shown and PROMPTS[1].guidance in shown
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("escape")  # closing the picker changes nothing
        await pilot.pause()
        assert app.screen is screen and body_of(screen) == "My own words."


# -- hostile text ----------------------------------------------------------------

HOSTILE_TITLE = "\x1b[31mRed\x1b]52;c;aGk=\x07 [@click=app.quit]title[/]"
HOSTILE_BODY = (
    "# Heading \x1b[2J\n\n[@click=app.quit]click me[/] and [a link](https://example.org) "
    "\x9b31mI could not sleep #relapse \u202eevil\n"
)


def assert_inert(app: StorycircleApp) -> None:
    shot = app.export_screenshot()
    for char in ("\x1b", "\x9b", "\x07", "\u202e"):
        assert char not in shot
    assert app.is_running


async def test_hostile_draft_text_is_shown_inert(app: StorycircleApp) -> None:
    draft = Draft(id="d3", title=HOSTILE_TITLE, body=HOSTILE_BODY, tags=("\x1b[5mhope",))
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot, draft=draft)
        title = screen.query_one("#title", Input).value
        assert "\x1b" not in title and "[@click=app.quit]title[/]" in title
        assert "\x1b" not in body_of(screen) and "\u202e" not in body_of(screen)
        assert "[@click=app.quit]click me[/]" in body_of(screen)
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert screen.query(SuggestionChip)
        assert_inert(app)
        for target in ("#title", "#body", "#preview", "#suggestions"):
            await pilot.click(target)
            await pilot.click(target, offset=(4, 2))
            await pilot.pause()
        assert_inert(app)
        assert app.screen is screen


@pytest.mark.parametrize("field", ["#title", "#tags", "#notes", "#body"])
async def test_pasted_escape_sequences_are_cleaned_as_they_arrive(
    app: StorycircleApp, field: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        widget = screen.query_one(field)
        assert isinstance(widget, Input | TextArea)
        widget.focus()
        # As a terminal delivers it: to the app, which hands it to the focused field.
        app.post_message(events.Paste("safe \x1b]52;c;aGk=\x07text\x1b[2J"))
        await pilot.pause()
        typed = (
            widget.text if isinstance(widget, TextArea) else screen.query_one(field, Input).value
        )
        assert typed == "safe text"
        assert_inert(app)


async def test_locking_keeps_the_last_words_as_a_draft(
    app: StorycircleApp, session: Session
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(app, pilot)
        await pilot.press(*"the last words")
        await pilot.press("ctrl+l")  # the app flushes editors, then locks
        await pilot.pause()
        assert session.journal is None
    session.open_journal(unlock(session.members()[0], PASSPHRASE))
    assert [d.body for d in session.drafts()] == ["the last words"]


@pytest.mark.parametrize("field", ["#title", "#tags", "#notes", "#body"])
@pytest.mark.parametrize(
    "name",
    [
        "tag-characters-smuggling",
        "zero-width-space",
        "byte-order-mark",
        "soft-hyphen",
        "hangul-fillers",
        "interlinear-annotation",
        "invisible-medley",
        "bidi-isolates",
    ],
)
async def test_pasted_invisible_characters_are_cleaned(
    app: StorycircleApp, field: str, name: str
) -> None:
    text = dict(HOSTILE)[name]
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_editor(app, pilot)
        widget = screen.query_one(field)
        assert isinstance(widget, Input | TextArea)
        widget.focus()
        app.post_message(events.Paste(text))
        await pilot.pause()
        typed = (
            widget.text if isinstance(widget, TextArea) else screen.query_one(field, Input).value
        )
        assert not set(typed) & FORBIDDEN_AFTER_SANITIZE, ascii(typed)
        for word in MUST_SURVIVE[name]:
            assert word in typed.replace("\n", " "), (word, ascii(typed))


async def test_a_prompt_never_becomes_the_title(app: StorycircleApp, session: Session) -> None:
    long_prompt = max(range(len(PROMPTS)), key=lambda i: len(PROMPTS[i].guidance))
    async with app.run_test(size=SIZE) as pilot:
        screen, results = await open_editor(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*["down"] * long_prompt, "enter")
        await pilot.pause()
        assert body_of(screen).startswith(f"> {PROMPTS[long_prompt].guidance}")
        # Only the prompt, no words of the writer: nothing is saved.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert results == []
        status = str(screen.query_one("#editor-status", Static).render())
        assert "write a few words of your own" in status
        await pilot.press(*"I walked to the shop and back.")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [story] = results
    assert story is not None
    assert story.title == "I walked to the shop and back."
    [summary] = session.require_journal().summaries()
    assert summary.title == "I walked to the shop and back."
