"""The reader: one story in a calm, centred column, with reactions and related stories.

The story is decrypted when the screen mounts and lives only in this screen
and its widgets, so popping the screen drops it. Every piece of story text is
shown as inert :class:`~textual.content.Content` (titles, tags, notes) or
through the Markdown widget on sanitized source; links are never opened
without :func:`storycircle.text.links.check_link` and the reader's yes
(:mod:`~storycircle.screens.reader_links`).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from storycircle.errors import StorycircleError
from storycircle.journal.reactions import LABELS, ReactionKind, ReactionSummary
from storycircle.models import Story, StoryRef
from storycircle.sanitize import sanitize_text
from storycircle.screens.consent import consent_dialog, consent_notice
from storycircle.screens.reader_links import offer_link
from storycircle.screens.share import ShareDialog
from storycircle.session.session import Session
from storycircle.text.safe_markdown import safe_parser
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import line

NOTHING_RELATED = "No other story shares a tag with this one yet."
_SCROLL_ACTIONS = frozenset(
    {"scroll_up", "scroll_down", "page_up", "page_down", "scroll_home", "scroll_end"}
)


def _day(stamp: str) -> str:
    """A timestamp as a friendly date ("1 March 2026"), or its date part if unreadable."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:10]
    return f"{moment.day} {moment:%B %Y}"


class ReaderScreen(Screen[None]):
    """Read one story of the unlocked member."""

    class EditRequested(Message):
        """The reader wants to edit the story shown; the app opens the editor."""

        def __init__(self, story: Story) -> None:
            """Carry the story to edit up to the app."""
            super().__init__()
            self.story = story

    CSS_PATH = "reader.tcss"
    # Textual sets -narrow/-wide on the screen by width; reader.tcss docks the
    # related stories beside the body from 110 columns and leaves them below it
    # when narrower. Textual's own annotation puts ClassVar inside a union, so mypy reads it as
    # an instance variable and refuses a ClassVar here: hence the noqa.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "read_it", "Read it"),  # on the content-note gate only
        Binding("m", "react('me-too')", "Me too"),
        Binding("h", "react('hope')", "Hope"),
        Binding("e", "edit", "Edit"),
        Binding("c", "toggle_consent", "Collections?"),
        Binding("s", "share", "Share"),
        Binding("r", "focus_related", "Related"),
        # Reading keys work wherever focus is, unless the focused widget
        # (the related list) uses the key itself.
        Binding("up", "scroll('scroll_up')", show=False),
        Binding("down", "scroll('scroll_down')", show=False),
        Binding("pageup", "scroll('page_up')", show=False),
        Binding("pagedown", "scroll('page_down')", show=False),
        Binding("space", "scroll('page_down')", show=False),
        Binding("home", "scroll('scroll_home')", show=False),
        Binding("end", "scroll('scroll_end')", show=False),
    ]

    def __init__(self, session: Session, story_id: str) -> None:
        """Show the story ``story_id`` of ``session``'s unlocked member."""
        super().__init__()
        self.session = session
        self._story_id = story_id
        self._story: Story | None = None
        self._revealed = False
        self._reload_on_resume = False

    def compose(self) -> ComposeResult:
        """An empty column; :meth:`_show` fills it once the story is loaded."""
        yield Header()
        with VerticalScroll(id="reader-scroll"):
            yield Vertical(id="story-column")
        yield StoryFooter()

    async def on_mount(self) -> None:
        """Load the story and show it (or why it cannot be shown)."""
        await self._show()
        # Without a story the one thing to do is go back, so Enter does it;
        # on the content-note gate Enter reads it (Tab reaches "Go back").
        if self._story is None:
            self.query_one("#go-back").focus()
        elif self.query("#gate"):
            self.query_one("#read-it").focus()
        else:
            self.query_one("#reader-scroll").focus()

    async def on_screen_resume(self) -> None:
        """Show the new version after the editor saved it."""
        if self._reload_on_resume:
            self._reload_on_resume = False
            await self._show()

    async def _show(self) -> None:
        column = self.query_one("#story-column", Vertical)
        await column.remove_children()
        await self.query("#related-panel").remove()
        try:
            story = self.session.load_story(self._story_id)
        except StorycircleError as error:
            # Nothing of the story is mounted: only the reason and a way back.
            self._story = None
            await column.mount_all(
                [
                    Static("This story cannot be shown.", id="load-error-title"),
                    Static(line(str(error)), id="load-error"),
                    self._back_button(),
                ]
            )
            self.refresh_bindings()
            return
        self._story = story
        warning = self.session.collection_warning(story.id)
        self._revealed = self._revealed or not (story.content_notes or warning)
        await column.mount_all(self._header(story))
        if self._revealed:
            await column.mount_all(self._reading(story))
            self._update_reactions()
        else:
            await column.mount(self._gate(story, warning))
        await self.query_one("#reader-scroll").mount(self._related_panel(story))
        self.refresh_bindings()

    # -- building blocks ------------------------------------------------------

    def _header(self, story: Story) -> list[Widget]:
        dates = _day(story.created)
        if story.updated and story.updated != story.created:
            dates += f" · edited {_day(story.updated)}"
        author = self.session.author_name(story)
        widgets: list[Widget] = [
            Static(line(story.title), id="story-title"),
            Static(line(f"{dates} · by {author}"), id="story-meta"),
        ]
        if story.tags:
            tags = " ".join("#" + tag for tag in story.tags)
            widgets.append(Static(line(tags), id="story-tags"))
        normal = self._normalization(story)
        if normal:
            widgets.append(Static(line(normal), id="story-normal"))
        return widgets

    def _normalization(self, story: Story) -> str:
        try:
            return self.session.normalization(story) or ""
        except StorycircleError:  # a tag the vocabulary refuses: say nothing
            return ""

    def _gate(self, story: Story, warning: str = "") -> Widget:
        notes = ", ".join(story.content_notes)
        told: list[Widget] = []
        if warning:
            # An unverified collection opens only after the reader is told so.
            told.append(Static(line(warning), id="gate-signature"))
        if notes:
            told.append(
                Static(line(f"This story carries content notes: {notes}."), id="gate-notes")
            )
        return Vertical(
            *told,
            Static("You can read it now, later, or not at all. It will wait.", id="gate-hint"),
            Horizontal(
                Button("Read it", id="read-it", variant="primary"),
                self._back_button(),
                classes="buttons",
            ),
            id="gate",
        )

    def _reading(self, story: Story) -> list[Widget]:
        # Markdown renders inline text as Content (never markup); the source is
        # sanitized, and so is what the parser decodes from it (entities).
        body = Markdown(
            sanitize_text(story.body),
            id="story-body",
            open_links=False,
            parser_factory=safe_parser,
        )
        if not self._can_react():
            return [body]
        reactions = Horizontal(
            Button(id="react-me-too"),
            Button(id="react-hope"),
            id="reactions",
        )
        return [body, reactions]

    def _can_react(self) -> bool:
        # A guest reads without an account, so has no reactions to give.
        return self.session.unlocked

    def _related_panel(self, story: Story) -> Widget:
        try:
            related = self.session.related(story)
        except StorycircleError:
            related = []
        heading = Static("Related stories", id="related-heading")
        if not related:
            return Vertical(heading, Static(NOTHING_RELATED, id="related-none"), id="related-panel")
        rows = [
            Option(
                Content.assemble(line(r.summary.title), " — ", line(r.reason).stylize("dim")),
                id=r.summary.id,
            )
            for r in related
        ]
        return Vertical(heading, OptionList(*rows, id="related"), id="related-panel")

    @staticmethod
    def _back_button() -> Button:
        return Button("Go back", id="go-back")

    def _update_reactions(self, summary: ReactionSummary | None = None) -> None:
        if self._story is None or not self.query("#reactions"):
            return
        if summary is None:
            try:
                summary = self.session.reactions(self._story.id)
            except StorycircleError:
                return
        counts: dict[ReactionKind, int] = {"me-too": summary.me_too, "hope": summary.hope}
        for kind, count in counts.items():
            button = self.query_one(f"#react-{kind}", Button)
            mine = kind in summary.mine
            # A tick, not only a colour, marks the reader's own reaction.
            button.label = Content(f"{'✓ ' if mine else ''}{LABELS[kind]} ({count})")
            button.variant = "success" if mine else "default"
            button.set_class(mine, "-mine")
            button.refresh(layout=True)  # a label change alone keeps the old width

    # -- events and actions ---------------------------------------------------

    @on(Button.Pressed, "#go-back")
    def _on_go_back(self) -> None:
        self.action_back()

    @on(Button.Pressed, "#read-it")
    async def action_read_it(self) -> None:
        """Open the story behind its content-note gate."""
        if self._story is None or self._revealed:
            return
        self._revealed = True
        await self.query_one("#gate").remove()
        column = self.query_one("#story-column", Vertical)
        await column.mount_all(self._reading(self._story))
        self._update_reactions()
        self.refresh_bindings()
        self.query_one("#reader-scroll").focus()

    @on(Button.Pressed, "#react-me-too")
    def _on_me_too(self) -> None:
        self.action_react("me-too")

    @on(Button.Pressed, "#react-hope")
    def _on_hope(self) -> None:
        self.action_react("hope")

    @on(OptionList.OptionSelected, "#related")
    def _on_related(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.app.switch_screen(ReaderScreen(self.session, event.option.id))

    @on(Markdown.LinkClicked)
    def _on_link(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        offer_link(self.app, event.href)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only the keys that do something now (reactions once the story is read)."""
        if action == "toggle_consent":
            return self._is_own()
        if action == "share":
            return self._is_own() and self.session.can_share
        if action == "focus_related":
            return bool(self.query("#related"))
        if action == "react":
            return self._story is not None and self._revealed and self._can_react()
        if action == "edit":
            return self._is_own()
        if action == "read_it":
            return self._story is not None and not self._revealed
        return True

    def action_back(self) -> None:
        """Leave the story."""
        self.dismiss()

    def action_react(self, kind: ReactionKind) -> None:
        """Give or take back a reaction."""
        if self._story is None or not self._revealed:
            return
        try:
            summary = self.session.toggle_reaction(self._story.id, kind)
        except StorycircleError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._update_reactions(summary)

    def action_toggle_consent(self) -> None:
        """Ask, then say whether this story may be included in curated collections.

        Consent is a decision, in both directions: a dialog says what it
        allows and what cannot be recalled, and nothing changes without a yes.
        """
        if self._story is None or not self._is_own():
            return
        story_id = self._story.id
        allowed = not self.session.may_be_collected(story_id)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.session.set_may_be_collected(story_id, allowed)
            except StorycircleError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.notify(consent_notice(allowed), markup=False, timeout=8)

        self.app.push_screen(consent_dialog(allowed), answered)

    def _is_collection(self) -> bool:
        return self._story is not None and self.session.is_collection_story(self._story.id)

    def _is_own(self) -> bool:
        # The member's own journal copy: not a collection's story, and not a
        # circle's copy (even of their own story), which is edited at home.
        return (
            self._story is not None
            and self.session.unlocked
            and not self._is_collection()
            and not StoryRef.parse(self._story.id).is_circle
        )

    def action_share(self) -> None:
        """Share this story with a circle, or withdraw it from one."""
        if self._story is not None and self._is_own():
            self.app.push_screen(ShareDialog(self.session, self._story.id, self._story.title))

    def action_edit(self) -> None:
        """Ask the app to open the editor on this story (one's own stories only)."""
        if self._story is not None and self._is_own():
            self._reload_on_resume = True
            self.post_message(self.EditRequested(self._story))

    def action_focus_related(self) -> None:
        """Move to the related stories."""
        for related in self.query("#related"):
            related.focus()

    def action_scroll(self, how: str) -> None:
        """Scroll the story; ``how`` is one of the container's scroll actions."""
        if how in _SCROLL_ACTIONS:
            getattr(self.query_one("#reader-scroll", VerticalScroll), f"action_{how}")()
