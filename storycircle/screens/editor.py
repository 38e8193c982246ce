"""The story editor: write, tag, preview and save a story.

Every few seconds the words are autosaved as a draft encrypted to the writer,
so a crash, a lock or a flat battery costs a few seconds of writing at most.
Saving never loses text: when a save fails, for whatever reason, every word
stays in the fields and the status line says why. Tags are only ever added by
the writer; the suggestion row offers, it never decides.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Header, Input, Label, Markdown, Static, TextArea
from textual.worker import Worker, WorkerState

from storycircle.journal.prompts import Prompt, holds_only_a_prompt
from storycircle.models import Draft, Story
from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.editor_fields import (
    Fields,
    SuggestionChip,
    VocabularySuggester,
    field_input,
    field_row,
    split_notes,
    stored_fields,
)
from storycircle.screens.prompt_picker import PromptPicker
from storycircle.session.session import Session
from storycircle.tagging.suggest import Suggestion, suggest_tags
from storycircle.tagging.tags import parse_tag_list
from storycircle.text.safe_markdown import safe_parser
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import has_unsafe, line
from storycircle.widgets.safe_text_area import SafeTextArea
from storycircle.wording import counted

TITLE_HINT = "optional: the first line is used otherwise"
BODY_HINT = "Write in your own words. Markdown works: **bold**, # headings."
TAGS_HINT = "comma-separated, e.g. hope, peer group"
NOTES_EXAMPLE = "comma-separated, e.g. mentions self-harm"
NOTES_HINT = "What a reader might want to know before reading, e.g. mentions self-harm"
LEAVE_TITLE = "Leave without saving?"
LEAVE_WARNING = "Your changes since the last save and the autosaved draft will be thrown away."
INVITATION = "Not sure where to begin? Press ctrl+t for a gentle writing prompt."
SUGGEST_DELAY = 0.5
"""Seconds of quiet typing before tag suggestions (and the preview) refresh."""
MAX_SHOWN = 6
"""At most this many suggestions are on screen at once, so the body keeps its room."""
NARROW = 90
"""Below this width the preview replaces the body instead of sitting beside it."""


class EditorScreen(Screen[Story | None]):
    """Write a new story, edit a saved one, or carry on from a kept draft.

    Dismisses with the saved :class:`Story`, or ``None`` when the writer
    leaves without saving.
    """

    CSS_PATH = "editor.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Not priority: a priority key overtakes keys the focused field has not
        # handled yet, so a fast typist's last words would miss the save.
        Binding("ctrl+s", "save", "Save"),
        # Priority so it works in the fields too, where Input binds ctrl+e to "end".
        Binding("ctrl+e", "toggle_preview", "Preview", priority=True),
        Binding("ctrl+t", "prompts", "Prompts"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(
        self, session: Session, *, story: Story | None = None, draft: Draft | None = None
    ) -> None:
        """Open the editor on a new story, ``story``, or ``draft`` (which wins)."""
        super().__init__()
        self.session = session
        self._story_id: str | None = None
        self._base_version = 0
        self._dismissed: set[str] = set()
        self._debounce: Timer | None = None
        self._finished = False
        self._refocus = False
        # The status line: why the last save failed (kept until the next try, so
        # an autosave cannot hide it) and how the draft stands.
        self._save_error = ""
        self._draft_state, self._draft_failed = "not saved yet", False
        if draft is not None:
            # A draft may edit a saved story: it then carries that story's id.
            self._draft_id = draft.id
            self._base_version = draft.base_version
            self._story_id = draft.id if draft.base_version > 0 else None
            start = stored_fields(draft.title, draft.body, draft.tags, draft.content_notes)
            self._draft_state = "restored from a draft, not saved yet"
        elif story is not None:
            self._draft_id = self._story_id = story.id
            self._base_version = story.version
            start = stored_fields(story.title, story.body, story.tags, story.content_notes)
            self._draft_state = f"saved (version {story.version})"
        else:
            self._draft_id = self.session.new_draft_id()
            start = Fields("", "", "", "")
        self._start = start
        # A restored draft is unsaved work from the first moment.
        self._baseline: Fields | None = None if draft is not None else start
        self._autosaved = start

    def compose(self) -> ComposeResult:
        """Title, prompt line, body and preview, suggestions, tags, notes, status."""
        yield Header()
        yield field_row("Title", field_input(self._start.title, "title", TITLE_HINT), "title-row")
        yield Static(id="prompt")
        with Horizontal(id="writing"):
            yield SafeTextArea.code_editor(
                self._start.body,
                language="markdown",
                theme="css",  # follows the app theme, including high contrast
                soft_wrap=True,
                show_line_numbers=False,
                tab_behavior="focus",  # Tab reaches the tags; Esc stays "Back"
                highlight_cursor_line=False,
                id="body",
                placeholder=BODY_HINT,
            )
            with VerticalScroll(id="preview-pane") as pane:
                pane.border_title = "Preview"
                yield Markdown(id="preview", open_links=False, parser_factory=safe_parser)
        with Horizontal(id="suggest-row"):
            yield Label("Suggested tags:", id="suggest-heading")
            yield Grid(id="suggestions")
        tags = field_input(self._start.tags, "tags", TAGS_HINT, VocabularySuggester())
        yield field_row("Tags", tags, "tags-row")
        notes = field_input(self._start.notes, "notes", NOTES_EXAMPLE)
        yield field_row("Content notes", notes, "notes-row")
        yield Static(line(NOTES_HINT), id="notes-hint")
        yield Static(id="editor-status")
        yield StoryFooter()

    def on_mount(self) -> None:
        """Focus the body, start autosaving and look for tag suggestions."""
        body = self.query_one("#body", TextArea)
        body.move_cursor(body.document.end)
        body.focus()
        if not self._start.body.strip() and self._story_id is None:
            self._show_prompt(INVITATION, invitation=True)
        self.set_interval(self.session.config.autosave_seconds, self.flush_draft)
        self._update_status()
        self.refresh_suggestions()

    def on_resize(self, event: Resize) -> None:
        """Put the preview beside the body when there is room, else in its place."""
        self.set_class(event.size.width < NARROW, "narrow")

    # -- what the writer typed -------------------------------------------------

    def fields(self) -> Fields:
        """The four fields exactly as typed."""
        return Fields(
            self.query_one("#title", Input).value,
            self.query_one("#body", TextArea).text,
            self.query_one("#tags", Input).value,
            self.query_one("#notes", Input).value,
        )

    def has_unsaved_changes(self) -> bool:
        """True when leaving now would lose words."""
        return self._baseline is None or self.fields() != self._baseline

    @on(TextArea.Changed, "#body")
    def _on_body_changed(self) -> None:
        body = self.query_one("#body", TextArea)
        text = body.text
        if has_unsafe(text):
            return  # SafeTextArea is cleaning it; its replacement sends a new Changed
        prompt = self.query_one("#prompt", Static)
        if prompt.has_class("invitation") and text.strip():
            prompt.display = False
        self._update_status(text)
        self._schedule_refresh()

    @on(Input.Changed, "#tags")
    def _schedule_refresh(self) -> None:
        # Debounced: suggestions and the preview follow typing once it pauses.
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SUGGEST_DELAY, self.refresh_suggestions)

    # -- status line -----------------------------------------------------------

    def _set_draft_state(self, state: str, *, failed: bool = False) -> None:
        self._draft_state, self._draft_failed = state, failed
        self._update_status()

    def _update_status(self, body: str | None = None) -> None:
        try:
            status = self.query_one("#editor-status", Static)
            words = len((body or self.query_one("#body", TextArea).text).split())
        except NoMatches:  # not composed yet, or already torn down
            return
        parts = [counted(words, "word"), self._draft_state]
        if self._save_error:
            # Store errors already begin "not saved: "; say it once.
            parts.insert(1, f"not saved: {self._save_error.removeprefix('not saved: ')}")
        status.update(line(" · ".join(parts)))
        status.set_class(bool(self._save_error) or self._draft_failed, "error")

    # -- tag suggestions and preview -------------------------------------------

    def refresh_suggestions(self) -> None:
        """Look for tag suggestions in the body now, and refresh the preview."""
        body = self.query_one("#body", TextArea).text
        self._suggest(body, parse_tag_list(self.query_one("#tags", Input).value))
        if self.has_class("previewing"):
            self.query_one("#preview", Markdown).update(sanitize_text(body))

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def _suggest(self, body: str, existing: list[str]) -> list[Suggestion]:
        # Parsing a long story takes a moment: keep it off the UI thread.
        return suggest_tags(body, existing=existing)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the suggestions a finished worker found."""
        if event.worker.group != "suggest" or event.state != WorkerState.SUCCESS:
            return
        found: list[Suggestion] = event.worker.result or []
        chips = [SuggestionChip(s) for s in found if s.tag not in self._dismissed]
        grid = self.query_one("#suggestions", Grid)
        await grid.remove_children()
        await grid.mount_all(chips[:MAX_SHOWN])
        self.query_one("#suggest-row").display = bool(chips)
        if self._refocus:
            # The pressed chip is gone: keep keyboard writers in the row.
            self._refocus = False
            target = grid.query(".accept").first() if chips else self.query_one("#tags")
            target.focus()

    @on(Button.Pressed, ".chip Button")
    def _on_chip(self, event: Button.Pressed) -> None:
        chip = event.button.parent
        if not isinstance(chip, SuggestionChip):
            return
        tag = chip.suggestion.tag
        if event.button.has_class("accept"):
            tags = self.query_one("#tags", Input)
            kept = tags.value.rstrip().rstrip(",;").rstrip()
            tags.value = f"{kept}, {tag}" if kept else tag
        else:
            self._dismissed.add(tag)  # for this editing session only
        self._refocus = True
        chip.remove()
        self.refresh_suggestions()  # the next one, if any, takes the freed place

    async def action_toggle_preview(self) -> None:
        """Show or hide the rendered preview of the body."""
        self.toggle_class("previewing")
        body = self.query_one("#body", TextArea)
        if self.has_class("previewing"):
            await self.query_one("#preview", Markdown).update(sanitize_text(body.text))
            if self.has_class("narrow"):
                self.query_one("#preview-pane").focus()
        else:
            body.focus()

    # -- prompts ---------------------------------------------------------------

    def action_prompts(self) -> None:
        """Open the writing prompts."""
        self.app.push_screen(PromptPicker(), self.use_prompt)

    def use_prompt(self, prompt: Prompt | None) -> None:
        """Start an empty body with ``prompt`` as a quote, else show it above the body."""
        if prompt is None:
            return
        body = self.query_one("#body", TextArea)
        if body.text.strip():
            # The writer's words are never replaced: the prompt sits above them.
            self._show_prompt(f"Prompt · {prompt.title}: {prompt.guidance}")
        else:
            body.replace(prompt.quote, (0, 0), body.document.end)
            body.move_cursor(body.document.end)
        body.focus()

    def _show_prompt(self, text: str, *, invitation: bool = False) -> None:
        prompt = self.query_one("#prompt", Static)
        prompt.update(line(text))
        prompt.set_class(invitation, "invitation")
        prompt.display = True

    # -- saving ----------------------------------------------------------------

    def action_save(self) -> None:
        """Save the story; on any failure keep every word and say why."""
        typed = self.fields()
        if not typed.title.strip() and holds_only_a_prompt(typed.body):
            # The prompt is context: it never becomes the title or the story.
            self._save_error = "write a few words of your own, or give the story a title"
            self._update_status()
            return
        try:
            result = self.session.save_story(
                title=typed.title,
                body=typed.body,
                tags=parse_tag_list(typed.tags),
                content_notes=split_notes(typed.notes),
                story_id=self._story_id,
                base_version=self._base_version,
            )
        except Exception as error:
            # Whatever went wrong (bad input, a full disk, a bug), the writer's
            # words stay in the fields; only the reason is new on screen.
            self._save_error = Session.reason_for(error)
            self._update_status()
            return
        self._finished = True
        self._discard_draft()
        if result.kept_as_copy:
            message = (
                "This story had changed elsewhere, so your edit was kept as a separate copy: "
                f'"{sanitize_line(result.story.title)}".'
            )
            self.notify(message, title="Saved as a copy", markup=False, timeout=10)
        else:
            self.notify("Saved", markup=False)
        self.dismiss(result.story)

    def flush_draft(self) -> None:
        """Autosave a draft now if anything changed since the last autosave.

        Safe to call at any time (the app calls it before lock and quit): it
        never raises, and a failure only shows "draft not saved: ..." .
        """
        if self._finished:
            return
        try:
            typed = self.fields()
        except NoMatches:
            return
        if typed == self._autosaved:
            return
        try:
            if self._story_id is None and not any(typed):
                # An emptied new story is nothing to offer back later.
                self.session.discard_draft(self._draft_id)
            else:
                self.session.autosave_draft(
                    Draft(
                        id=self._draft_id,
                        title=typed.title,
                        body=typed.body,
                        tags=tuple(parse_tag_list(typed.tags)),
                        content_notes=tuple(split_notes(typed.notes)),
                        base_version=self._base_version,
                    )
                )
            saved_at = self.session.clock().astimezone().strftime("%H:%M")
        except Exception as error:  # never raise: this runs from a timer, lock and quit
            self._set_draft_state(f"draft not saved: {Session.reason_for(error)}", failed=True)
            return
        self._autosaved = typed
        self._set_draft_state(f"draft saved {saved_at}")

    def _discard_draft(self) -> None:
        try:
            self.session.discard_draft(self._draft_id)
        except Exception as error:  # the story itself is safe; a stale draft is harmless
            self.log.warning("could not discard draft", error)

    # -- leaving ---------------------------------------------------------------

    def action_leave(self) -> None:
        """Go back; ask first when that would lose words."""
        if not self.has_unsaved_changes():
            self._leave()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self._leave()
            else:
                self.query_one("#body", TextArea).focus()

        confirm = ConfirmScreen(
            "Leave without saving?", LEAVE_WARNING, yes="Leave", no="Keep writing"
        )
        self.app.push_screen(confirm, answered)

    def _leave(self) -> None:
        self._finished = True
        self._discard_draft()
        self.dismiss(None)
