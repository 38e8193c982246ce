"""Reader screen: the story, the content-note gate, reactions, related stories, links."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Markdown, OptionList, Static

from storycircle.journal.members import create_member, unlock
from storycircle.models import Draft, Story
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.reader import NOTHING_RELATED, ReaderScreen
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from tests.support.hostile_strings import FORBIDDEN_AFTER_SANITIZE, HOSTILE
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.ui.helpers import SIZE, current_screen

BODY = "The first winter was the hardest.\n\nThen the *mornings* came back."


def _unlock(session: Session) -> None:
    record = create_member(
        session.installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR
    )
    session.open_journal(unlock(record, PASSPHRASE))


def _save(
    session: Session,
    title: str,
    body: str = BODY,
    tags: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Story:
    return session.save_story(
        title=title, body=body, tags=list(tags), content_notes=list(notes)
    ).story


async def _open(app: StorycircleApp, pilot: Pilot[None], story_id: str) -> ReaderScreen:
    reader = ReaderScreen(app.session, story_id)
    await app.push_screen(reader)
    await pilot.pause()
    await pilot.pause()  # the Markdown widget mounts its blocks a moment later
    assert app.screen is reader
    return reader


def _text(reader: ReaderScreen) -> str:
    """Everything the screen's widgets would draw, as plain text."""
    parts: list[str] = []
    for widget in reader.query("*"):
        if isinstance(widget, Static | Button):
            parts.append(str(widget.render()))
        elif isinstance(widget, OptionList):
            options = (widget.get_option_at_index(i) for i in range(widget.option_count))
            parts.extend(str(option.prompt) for option in options)
    return "\n".join(parts)


def _static(reader: ReaderScreen, selector: str) -> str:
    return str(reader.query_one(selector, Static).render())


# -- the story ----------------------------------------------------------------


async def test_story_shows_title_meta_tags_normalization_and_body(
    app: StorycircleApp, session: Session
) -> None:
    _unlock(session)
    story = _save(session, "Winter, and after", tags=["sleep", "relapse"])
    _save(session, "Counting mornings", body="One, then two.", tags=["sleep"])
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        assert _static(reader, "#story-title") == "Winter, and after"
        meta = _static(reader, "#story-meta")
        assert "1 March 2026" in meta
        assert "by river" in meta
        assert "edited" not in meta
        assert _static(reader, "#story-tags") == "#sleep #relapse"
        # The journal's two sleep stories plus the collections' ones.
        count = session.library.count_with_tag("sleep")
        shipped = [s for s in session.library.summaries("collections") if "sleep" in s.tags]
        assert count == 2 + len(shipped)
        assert _static(reader, "#story-normal") == (
            f"{count} stories in your journal and the collections mention sleep"
        )
        text = _text(reader)
        assert "The first winter was the hardest." in text
        assert "Then the mornings came back." in text
        # The column stays a comfortable reading width.
        assert reader.query_one("#story-column").size.width <= 80


async def test_edited_date_unknown_author_and_no_lonely_count(
    app: StorycircleApp, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unlock(session)
    first = _save(session, "Alone", tags=["knitting"])
    story = session.save_story(
        title="Alone, edited",
        body=BODY,
        tags=["knitting"],
        content_notes=[],
        story_id=first.id,
        base_version=first.version,
    ).story
    monkeypatch.setattr(session, "members", list)
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        meta = _static(reader, "#story-meta")
        assert "edited 1 March 2026" in meta
        assert "unknown author" in meta
        # Only one story carries the tag: no "1 of the stories" line.
        assert not reader.query("#story-normal")


async def test_escape_goes_back(app: StorycircleApp, session: Session) -> None:
    _unlock(session)
    story = _save(session, "A story")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, story.id)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert not app.query(ReaderScreen)  # popped, and its decrypted text with it


async def test_damaged_story_shows_one_line_and_a_way_back(
    app: StorycircleApp, session: Session
) -> None:
    _unlock(session)
    story = _save(session, "Soon broken")
    store = session.installation.store
    store._conn.execute("UPDATE stories SET blob = ? WHERE id = ?", (b"junk", story.id))
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        message = _static(reader, "#load-error")
        assert message and "\n" not in message
        assert "Traceback" not in message
        # Nothing half-shown: no title, no body, no reactions, no related list.
        assert not reader.query("#story-title, Markdown, #reactions, #related-panel")
        assert "Soon broken" not in _text(reader)
        await pilot.press("e", "m")  # story keys do nothing without a story
        await pilot.pause()
        assert app.screen is reader
        await pilot.click("#go-back")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)


# -- the content-note gate ----------------------------------------------------------


async def test_content_note_gate_hides_the_body_until_read_it(
    app: StorycircleApp, session: Session
) -> None:
    _unlock(session)
    story = _save(
        session, "A hard night", body="The secret middle of the story.", notes=["self-harm"]
    )
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        assert "This story carries content notes: self-harm." in _static(reader, "#gate-notes")
        assert not reader.query(Markdown)
        assert "secret middle" not in _text(reader)
        assert "secret middle" not in app.export_screenshot()
        await pilot.press("m")  # no reacting to an unread story
        await pilot.pause()
        assert session.reactions(story.id).me_too == 0
        await pilot.click("#read-it")
        await pilot.pause()
        await pilot.pause()
        assert not reader.query("#gate")
        assert "The secret middle of the story." in _text(reader)


async def test_content_note_go_back_pops(app: StorycircleApp, session: Session) -> None:
    _unlock(session)
    story = _save(session, "A hard night", notes=["relapse"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, story.id)
        await pilot.click("#go-back")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)


async def test_story_without_notes_opens_directly(app: StorycircleApp, session: Session) -> None:
    _unlock(session)
    story = _save(session, "Plain")
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        assert not reader.query("#gate")
        assert reader.query_one(Markdown).source == BODY


async def test_keyboard_scrolls_the_story_wherever_focus_is(
    app: StorycircleApp, session: Session
) -> None:
    _unlock(session)
    long_body = "\n\n".join(f"Paragraph {i} of a long night." for i in range(30))
    story = _save(session, "Long", body=long_body)
    app.animation_level = "none"  # smooth scrolling is for people; the test needs positions
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        scroll = reader.query_one("#reader-scroll")
        assert scroll.max_scroll_y > 0
        await pilot.press("space")
        await pilot.pause()
        after_space = scroll.scroll_y
        assert after_space > 0
        await pilot.press("down")
        await pilot.pause()
        assert scroll.scroll_y > after_space
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert 0 < scroll.scroll_y < scroll.max_scroll_y
        reader.query_one("#react-hope", Button).focus()  # a button keeps no reading keys
        await pilot.press("home")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("up")
        await pilot.pause()
        assert session.reactions(story.id).hope == 0  # keys scrolled, pressed nothing


# -- reactions, editing -------------------------------------------------------------


async def test_reactions_toggle_and_show_my_own(app: StorycircleApp, session: Session) -> None:
    _unlock(session)
    story = _save(session, "Thanks")
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        me_too = reader.query_one("#react-me-too", Button)
        hope = reader.query_one("#react-hope", Button)
        assert str(me_too.label) == "Me too (0)"
        assert str(hope.label) == "This gave me hope (0)"
        await pilot.press("m")
        await pilot.pause()
        assert str(me_too.label) == "✓ Me too (1)"
        assert me_too.has_class("-mine")
        await pilot.click("#react-hope")
        await pilot.pause()
        assert str(hope.label) == "✓ This gave me hope (1)"
        await pilot.press("m")
        await pilot.pause()
        assert str(me_too.label) == "Me too (0)"
        assert not me_too.has_class("-mine")
    summary = session.reactions(story.id)
    assert (summary.me_too, summary.hope, summary.mine) == (0, 1, frozenset({"hope"}))


async def test_e_asks_the_app_to_edit_and_the_new_version_shows_after(
    app: StorycircleApp, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unlock(session)
    story = _save(session, "Needs a fix")
    edits: list[Story | None] = []

    # The editor is not this screen's business: stand in for it.
    def edit(*, story: Story | None = None, draft: Draft | None = None) -> None:
        edits.append(story)
        app.push_screen(Screen())

    monkeypatch.setattr(app, "edit", edit)
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        await pilot.press("e")
        await pilot.pause()
        assert [s.id if s else None for s in edits] == [story.id]
        assert app.screen is not reader
        session.save_story(
            title="Fixed", body=BODY, tags=[], content_notes=[], story_id=story.id, base_version=1
        )
        app.pop_screen()  # the editor closes
        await pilot.pause()
        await pilot.pause()
        assert app.screen is reader
        assert _static(reader, "#story-title") == "Fixed"


# -- related stories ----------------------------------------------------------------


async def test_related_lists_a_story_sharing_a_tag_and_opens_it(
    app: StorycircleApp, session: Session
) -> None:
    _unlock(session)
    # Free tags no shipped collection story carries, so only these compete.
    story = _save(session, "Winter", tags=["knitting", "night-shifts"])
    _save(session, "The Tuesday group", tags=["night-shifts"])
    _save(session, "Unrelated", tags=["cooking"])
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        related = reader.query_one("#related", OptionList)
        assert related.option_count == 1
        assert str(related.get_option_at_index(0).prompt) == (
            "The Tuesday group — shares: night-shifts"
        )
        depth = len(app.screen_stack)
        await pilot.press("r")
        assert related.has_focus
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen is not reader
        assert _static(app.screen, "#story-title") == "The Tuesday group"
        assert len(app.screen_stack) == depth  # replaced, not stacked


async def test_nothing_related_is_said_plainly(app: StorycircleApp, session: Session) -> None:
    _unlock(session)
    story = _save(session, "Only one", tags=["knitting"])
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        assert _static(reader, "#related-none") == NOTHING_RELATED
        assert not reader.query("#related")


@pytest.mark.parametrize(("width", "beside"), [(120, True), (100, False)])
async def test_related_sits_beside_when_wide_and_below_when_narrow(
    app: StorycircleApp, session: Session, width: int, beside: bool
) -> None:
    _unlock(session)
    story = _save(session, "Winter", tags=["sleep"])
    _save(session, "Mornings", tags=["sleep"])
    async with app.run_test(size=(width, 36)) as pilot:
        reader = await _open(app, pilot, story.id)
        column = reader.query_one("#story-column").region
        panel = reader.query_one("#related-panel").region
        if beside:
            assert panel.x >= column.right and panel.y < column.bottom
        else:
            assert panel.y >= column.bottom


# -- links ----------------------------------------------------------------------------


async def _click_link(app: StorycircleApp, pilot: Pilot[None], href: str) -> None:
    body = app.screen.query_one(Markdown)
    body.post_message(Markdown.LinkClicked(body, href))
    await pilot.pause()


@pytest.fixture
def opened(app: StorycircleApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: calls.append(url))
    return calls


async def test_a_link_asks_first_and_stay_here_opens_nothing(
    app: StorycircleApp, session: Session, opened: list[str]
) -> None:
    _unlock(session)
    story = _save(session, "Links", body="[the group](https://example.org/tuesday?room=2)")
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        # A real click on the link text, not just a posted message.
        await pilot.click("MarkdownParagraph", offset=(2, 0))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        message = str(app.screen.query_one("#dialog-message", Static).render())
        assert "https://example.org/tuesday?room=2" in message
        assert "example.org" in message
        await pilot.click("#no")
        await pilot.pause()
        assert current_screen(app) is reader
    assert opened == []


async def test_open_in_browser_opens_the_checked_url(
    app: StorycircleApp, session: Session, opened: list[str]
) -> None:
    _unlock(session)
    story = _save(session, "Links", body="Some text.")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, story.id)
        await _click_link(app, pilot, "  https://example.org/sleep guide ")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        await pilot.pause()
    assert opened == ["https://example.org/sleep%20guide"]


async def test_a_mail_link_says_it_starts_an_email(
    app: StorycircleApp, session: Session, opened: list[str]
) -> None:
    _unlock(session)
    story = _save(session, "Links", body="Some text.")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, story.id)
        await _click_link(app, pilot, "mailto:group@example.org?subject=Tuesday")
        assert isinstance(app.screen, ConfirmScreen)
        message = str(app.screen.query_one("#dialog-message", Static).render())
        assert "It starts an email to group@example.org" in message
        assert "mailto:group@example.org?subject=Tuesday" in message
        await pilot.press("escape")
        await pilot.pause()
    assert opened == []


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd", "notes.md"])
async def test_refused_links_only_explain(
    app: StorycircleApp,
    session: Session,
    opened: list[str],
    monkeypatch: pytest.MonkeyPatch,
    href: str,
) -> None:
    _unlock(session)
    story = _save(session, "Links", body="Some text.")
    notices: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: notices.append(message))
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        await _click_link(app, pilot, href)
        assert app.screen is reader  # no dialog: there is nothing to confirm
        assert len(notices) == 1 and notices[0].startswith("Link not opened: ")
    assert opened == []


# -- hostile text ----------------------------------------------------------------------


def _assert_inert(app: StorycircleApp, reader: ReaderScreen, names: str) -> None:
    assert app.is_running and app.return_code is None, names
    assert app.screen is reader, names
    assert not set(_text(reader)) & FORBIDDEN_AFTER_SANITIZE, names
    assert not set(app.export_screenshot()) & FORBIDDEN_AFTER_SANITIZE, names


async def test_hostile_text_everywhere_stays_inert(
    app: StorycircleApp, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every hostile string as title, body, content note, tag and date, and as related titles.

    The story comes from a stubbed loader, unsanitized, so the screen is tested
    on its own and not only through the save path (which sanitizes first); the
    related stories are real saved stories with hostile titles and notes. Cases
    go four to a story, one per line (a line break ends any unterminated
    escape sequence, so cases cannot mask each other): an app run per case
    would take minutes for the same coverage.
    """
    _unlock(session)
    raw: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    stories: dict[str, Story] = {}
    for start in range(0, len(HOSTILE), 4):
        cases = HOSTILE[start : start + 4]
        tag = f"batch-{start}"
        for name, text in cases:
            _save(session, f"{name}: {text}", body=text, tags=[tag], notes=[text])
        anchor = _save(session, f"anchor {start}", tags=[tag])
        texts = [text for _, text in cases]
        stories[anchor.id] = Story(
            id=anchor.id,
            version=1,
            title="\n".join(texts),
            body="\n\n".join(f"{t}\n\n- {t}\n\n> {t}" for t in texts),
            tags=(*texts, tag),
            content_notes=tuple(texts),
            author_id=anchor.author_id,
            created=texts[0],
            updated=texts[-1],
        )
        raw[anchor.id] = (" ".join(name for name, _ in cases), cases)
    monkeypatch.setattr(session, "load_story", stories.__getitem__)
    async with app.run_test(size=SIZE) as pilot:
        for story_id, (names, cases) in raw.items():
            reader = await _open(app, pilot, story_id)
            assert reader.query("#gate") and not reader.query(Markdown), names
            assert reader.query_one("#related", OptionList).option_count == len(cases), names
            _assert_inert(app, reader, names)
            reader.query_one("#read-it", Button).press()
            await pilot.pause()
            await pilot.pause()
            assert reader.query(Markdown), names
            _assert_inert(app, reader, names)
            if any("[@click=app.quit]" in text for _, text in cases):
                assert "[@click=app.quit]" in _static(reader, "#story-title"), names
                assert "[@click=app.quit]" in str(reader.query_one(Markdown).source), names
                assert "[@click=app.quit]" in _text(reader), names
                await pilot.click("#story-title")  # literal text, not a button
                for paragraph in reader.query("MarkdownParagraph"):
                    await pilot.click(paragraph)
                _assert_inert(app, reader, names)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, WelcomeScreen), names


@pytest.mark.parametrize("own", [True, False])
async def test_enter_opens_a_story_on_the_content_note_gate_and_escape_goes_back(
    app: StorycircleApp, session: Session, own: bool
) -> None:
    _unlock(session)
    if own:
        story_id = _save(session, "A hard night", body="Behind the gate.", notes=["relapse"]).id
    else:
        shipped = session.library.summaries("collections")
        story_id = next(s.id for s in shipped if s.content_notes)
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story_id)
        assert reader.query("#gate") and not reader.query(Markdown)
        assert reader.check_action("read_it", ()) is True
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert not reader.query("#gate") and reader.query(Markdown)
        assert reader.check_action("read_it", ()) is False  # Enter is free again
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not reader

    again = StorycircleApp(session)
    async with again.run_test(size=SIZE) as pilot:
        reader = await _open(again, pilot, story_id)
        await pilot.press("escape")  # Esc on the gate leaves without reading
        await pilot.pause()
        assert again.screen is not reader


async def test_tab_then_enter_on_the_gate_goes_back(app: StorycircleApp, session: Session) -> None:
    _unlock(session)
    story = _save(session, "A hard night", notes=["relapse"])
    async with app.run_test(size=SIZE) as pilot:
        reader = await _open(app, pilot, story.id)
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert app.screen is not reader
