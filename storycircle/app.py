"""The Textual app: screens, global keys, themes, and the services it is given.

Services come in through the constructor (a :class:`~storycircle.session.Session`),
so tests pass an in-memory store and a cheap key-derivation setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from storycircle.errors import StorycircleError
from storycircle.installation import open_installation
from storycircle.members import UnlockedMember
from storycircle.models import Draft, Story
from storycircle.screens.dialogs import ConfirmScreen
from storycircle.screens.help_now import HelpNowScreen
from storycircle.screens.palette import StoryCommands
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session import Session
from storycircle.themes import CALM, HIGH_CONTRAST
from storycircle.widgets.safe import line


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
    ]
    KIOSK: ClassVar[bool] = False
    """True on a shared kiosk, where screens leave out what only a facilitator may do."""

    def __init__(self, session: Session) -> None:
        """Create the app around an open session."""
        super().__init__()
        self.session = session
        for theme in (CALM, HIGH_CONTRAST):
            self.register_theme(Theme(**theme))  # type: ignore[arg-type]
        self.theme = session.config.theme

    def on_mount(self) -> None:
        """Start at the welcome screen."""
        self.push_screen(self.start_screen())

    def start_screen(self) -> Screen[None]:
        """The screen people unlock on (a kiosk has its own)."""
        return WelcomeScreen(self.session)

    # -- unlocking and locking ------------------------------------------------

    def on_welcome_screen_unlocked(self, message: WelcomeScreen.Unlocked) -> None:
        """Open the member's library, then offer any draft a crash left behind."""
        from storycircle.screens.library import LibraryScreen

        self.session.open_journal(message.member)
        self.push_screen(LibraryScreen(self.session))
        self._offer_drafts()
        from storycircle.screens.kiosk_circle import offer_invitations

        offer_invitations(self, self.session)
        from storycircle.screens.circle_refresh import refresh_in_background

        refresh_in_background(self, self.session)

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
        self.session.lock()
        self.show_start()

    def show_start(self) -> None:
        """Drop every screen above the start screen and show a fresh one."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if isinstance(self.screen, WelcomeScreen):
            self.screen.refresh_members()
        else:
            self.switch_screen(WelcomeScreen(self.session))

    async def action_quit(self) -> None:
        """Save drafts, then leave."""
        self._flush_drafts()
        self.session.lock()
        self.exit()

    # -- navigation ---------------------------------------------------------

    def action_export_stories(self) -> None:
        """Export the journal or a collection (not on a kiosk: its disk is shared)."""
        from storycircle.screens.export_stories import ExportScreen

        if not self.KIOSK:
            self.push_screen(ExportScreen(self.session))

    def action_help_now(self) -> None:
        """Show crisis resources (works locked or unlocked)."""
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
        if self.session.journal is not None:
            self.edit()

    def action_settings(self) -> None:
        """Open the settings."""
        from storycircle.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen(self.session))

    def open_circles(self) -> None:
        """Open the circles screen (once unlocked)."""
        from storycircle.screens.circles import CirclesScreen

        if self.session.sharing is not None and not isinstance(self.screen, CirclesScreen):
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


def run_app() -> int:
    """Open the installation and run the app until the person quits."""
    installation = open_installation()
    try:
        StorycircleApp(Session(installation)).run()
    finally:
        installation.store.close()
    return 0


def run_kiosk() -> int:
    """Open the installation and run it as a shared kiosk until the facilitator quits."""
    from storycircle.kiosk import KioskPolicy
    from storycircle.screens.kiosk_app import KioskApp

    installation = open_installation()
    try:
        config = installation.config
        policy = KioskPolicy.create(
            installation.folder,
            idle_seconds=config.kiosk_idle_seconds,
            hide_members=config.kiosk_hide_members,
        )
        KioskApp(Session(installation), policy).run()
    finally:
        installation.store.close()
    return 0


__all__ = ["StorycircleApp", "UnlockedMember", "run_app", "run_kiosk"]
