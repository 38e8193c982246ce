"""The Textual app: screens, global keys, themes, and the services it is given.

Services come in through the constructor (a :class:`~storycircle.session.session.Session`),
so tests pass an in-memory store and a cheap key-derivation setting.

Start-up is kept close to a bare Textual app: this module and the welcome screen
import only what the unlock form needs. Every other screen is imported where it
is opened, and what the library needs is imported in a thread while the keys
are derived (:data:`AFTER_UNLOCK`).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerError

from storycircle.errors import StorycircleError
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session.session import Session
from storycircle.tui.palette import StoryCommands
from storycircle.tui.themes import CALM, HIGH_CONTRAST
from storycircle.widgets.cell_widths import measure_like_terminals
from storycircle.widgets.focus import tab_is_taken
from storycircle.widgets.safe import line

if TYPE_CHECKING:
    from storycircle.models import Draft, Story
    from storycircle.screens.circle_refresh import CircleWatch

AFTER_UNLOCK = (
    "storycircle.journal.members",  # first: the key-derivation worker imports it too
    "storycircle.journal.journal",
    "storycircle.journal.preferences",
    "storycircle.journal.reactions",
    "storycircle.circles",
    "storycircle.reading.library",
    "storycircle.screens.library",
    "storycircle.screens.kiosk_circle",
    "storycircle.screens.circle_refresh",
)
"""Modules the library screen needs, imported while the keys are derived."""

QUIT_WARNING = (
    "A story you are writing is not saved. If you quit now, it is kept as an "
    "encrypted draft and offered again when you next unlock."
)


class StorycircleApp(App[None]):
    """storycircle's terminal interface."""

    # Absolute, so subclasses in other modules (kiosk, benchmarks) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "storycircle"
    SUB_TITLE = "recovery stories, kept safe"
    COMMANDS = App.COMMANDS | {StoryCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help_now", "Help now", priority=True),
        Binding("question_mark", "keys", "Keys", show=True),
        Binding("ctrl+l", "lock", "Lock", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # Priority, so the focus moves before the next key is handed on: keys
        # typed in one burst (a password manager's auto-type: name, Tab,
        # passphrase) go to the focused field as they arrive, and Textual's own
        # Tab binding would only run once the field had taken them all.
        Binding("tab", "move_focus(1)", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", show=False, priority=True),
    ]
    KIOSK: ClassVar[bool] = False
    """True on a shared kiosk, where screens leave out what only a facilitator may do."""
    PASTE_BURST_SECONDS: ClassVar[float] = 0.3
    """Keys read this soon after a paste came with it, not from a person's hands."""

    def __init__(self, session: Session) -> None:
        """Create the app around an open session."""
        measure_like_terminals()  # before anything is measured or drawn
        super().__init__()
        self.session = session
        for theme in (CALM, HIGH_CONTRAST):
            self.register_theme(Theme(**theme))  # type: ignore[arg-type]
        self.theme = session.config.theme
        self._circle_watch: CircleWatch | None = None
        self._loading: Worker[None] | None = None

    def on_mount(self) -> None:
        """Start at the welcome screen."""
        self.push_screen(self.start_screen())

    # -- pasted text never acts -------------------------------------------------
    # A pasted text holding the end-of-paste marker (ESC [ 201 ~) ends the paste
    # early in terminals that pass the marker through (tmux does): what follows
    # arrives as key presses, so ^Q would quit and ^L lock. Events are stamped
    # when the input thread reads them, so keys of the same burst come within
    # microseconds of the paste, and no hand presses a key that fast.

    _last_paste: float = float("-inf")
    _told_paste: float = float("-inf")

    async def on_event(self, event: events.Event) -> None:
        """Drop key presses that arrived in the same burst as a paste."""
        if isinstance(event, events.Paste) and not event.is_forwarded:
            self._last_paste = event.time
        elif (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and event.time - self._last_paste < self.PASTE_BURST_SECONDS
        ):
            if self._told_paste != self._last_paste:
                # Once per paste, so nobody wonders where the rest of it went.
                self._told_paste = self._last_paste
                self.notify(
                    "The pasted text held a control sequence that ended it early; "
                    "the keys that followed it were ignored.",
                    title="Paste cut short",
                    severity="warning",
                    markup=False,
                )
            return
        await super().on_event(event)

    def start_screen(self) -> Screen[None]:
        """The screen people unlock on (a kiosk has its own)."""
        return WelcomeScreen(self.session)

    # -- unlocking and locking ------------------------------------------------

    def on_welcome_screen_unlocking(self) -> None:
        """Import what the library needs while the keys are derived."""
        if self._loading is None:
            self._loading = self._load_after_unlock()

    @work(thread=True, exit_on_error=False, group="after-unlock")
    def _load_after_unlock(self) -> None:
        # scrypt lets go of the interpreter while it runs, so these imports
        # take little or none of the time a person waits after Enter.
        for name in AFTER_UNLOCK:
            importlib.import_module(name)

    async def on_welcome_screen_unlocked(self, message: WelcomeScreen.Unlocked) -> None:
        """Open the member's library, then offer any draft a crash left behind."""
        if self._loading is not None:
            # Let the thread finish its imports before this one imports the
            # same modules (two threads importing one module graph can deadlock).
            # A failed import fails again, with its real error, just below.
            with contextlib.suppress(WorkerError):
                await self._loading.wait()
        from storycircle.screens.library import LibraryScreen

        self.session.open_journal(message.member)
        self.push_screen(LibraryScreen(self.session))
        self._offer_drafts()
        from storycircle.screens.kiosk_circle import offer_invitations

        offer_invitations(self, self.session)
        from storycircle.screens.circle_refresh import refresh_in_background

        self._circle_watch = refresh_in_background(self, self.session)

    def on_welcome_screen_guest_requested(self) -> None:
        """Open the collections for reading without an account."""
        from storycircle.screens.library import LibraryScreen

        self.push_screen(LibraryScreen(self.session))

    def _offer_drafts(self) -> None:
        try:
            drafts = self.session.drafts()
        except StorycircleError:
            return
        if not drafts:
            return
        draft = max(drafts, key=lambda d: d.saved_at)
        title = draft.title.strip() or "an untitled story"
        question = line(
            f'You have an unsaved draft, "{title}", from {draft.saved_at[:16].replace("T", " ")}. '
            "Open it to keep writing?"
        )

        def answered(open_it: bool | None) -> None:
            if open_it:
                self.edit(draft=draft)

        self.push_screen(
            ConfirmScreen("A draft was kept for you", question, yes="Open draft", no="Later"),
            answered,
        )

    def _flush_drafts(self) -> None:
        # Editors autosave on a timer; lock and quit must not lose the last words.
        for screen in self.screen_stack:
            flush = getattr(screen, "flush_draft", None)
            if callable(flush):
                flush()

    def action_lock(self) -> None:
        """Save drafts, drop the member's keys and every screen holding their stories."""
        self._flush_drafts()
        self._stop_circle_watch()
        self.session.lock()
        self.show_start()

    def _stop_circle_watch(self) -> None:
        if self._circle_watch is not None:
            self._circle_watch.stop()
            self._circle_watch = None

    def show_start(self) -> None:
        """Drop every screen above the start screen and show a fresh one."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if isinstance(self.screen, WelcomeScreen):
            self.screen.refresh_members()
        else:
            self.switch_screen(WelcomeScreen(self.session))

    def _unsaved_editor(self) -> bool:
        return any(
            callable(unsaved := getattr(screen, "has_unsaved_changes", None)) and unsaved()
            for screen in self.screen_stack
        )

    async def action_quit(self) -> None:
        """Save drafts, then leave; ask first while a story has unsaved words."""
        if not self._unsaved_editor():
            self._quit_now()
            return
        if isinstance(self.screen, ConfirmScreen):
            return  # already asking something: answer that first

        def answered(leave: bool | None) -> None:
            if leave:
                self._quit_now()

        self.push_screen(
            ConfirmScreen("Quit storycircle?", QUIT_WARNING, yes="Quit", no="Keep writing"),
            answered,
        )

    def _quit_now(self) -> None:
        self._flush_drafts()
        self._stop_circle_watch()
        self.session.lock()
        self.exit()

    # -- no screenshots --------------------------------------------------------
    # A screenshot is the screen, story text included, written in clear to an
    # SVG file: no plaintext at rest means none. Textual offers one from the
    # palette, the ``screenshot`` action and the TEXTUAL_SCREENSHOT variable;
    # all three end in the methods below, which write nothing.

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's palette commands without Screenshot."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """No screenshots of what people wrote."""

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """No screenshot files."""
        return None

    def save_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str:
        """No screenshot files (Textual calls this for ``TEXTUAL_SCREENSHOT``)."""
        return ""

    # -- navigation ---------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Leave Tab to a widget or screen that gives it a meaning of its own."""
        if action == "move_focus":
            return not tab_is_taken(self.screen, self.focused)
        return True

    def action_move_focus(self, step: int) -> None:
        """Move the focus to the next (1) or previous (-1) field at once."""
        if not self.screen.focus_chain:
            # Nothing to focus (a screen that takes any key): Tab goes to it as a key.
            raise SkipAction()
        if step > 0:
            self.screen.focus_next()
        else:
            self.screen.focus_previous()

    def action_export_stories(self) -> None:
        """Export the journal or a collection (not on a kiosk: its disk is shared)."""
        from storycircle.screens.export_stories import ExportScreen

        if not self.KIOSK:
            self.push_screen(ExportScreen(self.session))

    def action_help_now(self) -> None:
        """Show crisis resources (works locked or unlocked)."""
        from storycircle.screens.help_now import HelpNowScreen

        if not isinstance(self.screen, HelpNowScreen):
            self.push_screen(HelpNowScreen(*self.session.help_sections()))

    def action_keys(self) -> None:
        """Show or hide the panel listing every key of this screen."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_new_story(self) -> None:
        """Open the editor on a new story."""
        if self.session.unlocked:
            self.edit()

    def action_settings(self) -> None:
        """Open the settings."""
        from storycircle.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen(self.session))

    def open_circles(self) -> None:
        """Open the circles screen (once unlocked)."""
        from storycircle.screens.circles import CirclesScreen

        if self.session.can_share and not isinstance(self.screen, CirclesScreen):
            self.push_screen(CirclesScreen(self.session))

    def action_start_round(self) -> None:
        """Set up a circle round for one of the unlocked member's circles."""
        from storycircle.screens.round_setup import RoundSetupScreen, startable_circles

        circles = startable_circles(self, self.session)
        if circles:
            self.push_screen(RoundSetupScreen(self.session, circles))

    def browse_tags(self) -> None:
        """Open the tag browser."""
        from storycircle.screens.tag_browser import TagBrowserScreen

        self.push_screen(TagBrowserScreen(self.session))

    def edit(self, *, story: Story | None = None, draft: Draft | None = None) -> None:
        """Open the editor on a new story, a saved story, or a kept draft."""
        from storycircle.screens.editor import EditorScreen

        self.push_screen(EditorScreen(self.session, story=story, draft=draft))

    def open_story(self, story_id: str) -> None:
        """Open the reader on one story (a guest can open collection stories)."""
        from storycircle.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(self.session, story_id))

    def jump_to_tag(self, tag: str) -> None:
        """Show the library filtered by ``tag``."""
        from storycircle.screens.library import LibraryScreen

        library = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, LibraryScreen)), None
        )
        if library is None:
            return
        while self.screen is not library:
            self.pop_screen()
        library.filter_by_tag(tag)

    def on_reader_screen_edit_requested(self, message: Any) -> None:
        """The reader asked to edit its story."""
        self.edit(story=message.story)


__all__ = ["StorycircleApp"]
