"""The kiosk: storycircle on one machine shared by a small group.

It is the ordinary app with a start screen of its own ("Who's sharing?"), an
idle lock, a quick-hide key, and no way out to the shell, the clipboard, a
screenshot or a browser without the facilitator's PIN. The rules themselves
(PIN, delays, idle clock) are plain Python in :mod:`storycircle.kiosk.policy`.

A screen that should appear between locks (a circle round, say) is pushed
like any other: the lock drops every screen above the start screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from storycircle.kiosk.policy import KioskPolicy
from storycircle.screens.help_now import HelpNowScreen
from storycircle.screens.kiosk_countdown import KioskCountdownScreen, KioskHiddenScreen
from storycircle.screens.kiosk_start import KioskStartScreen
from storycircle.session.installation import open_installation
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp

# The PIN, round and admin screens are imported when the facilitator opens
# them: the kiosk's first screen must draw fast (start-up cost).

# Palette commands that neither leave the app nor write a file.
SAFE_SYSTEM_COMMANDS = frozenset({"Keys", "Theme", "Maximize", "Minimize"})
FACILITATOR_ONLY = "On this shared machine, only the facilitator can do that."


def keeps_awake(screen: Screen[object]) -> bool:
    """True when the screen on top says people are busy without typing.

    A screen opts in with a ``keeps_kiosk_awake() -> bool`` method (the circle
    round, while its talking piece runs). Only the top screen counts, so
    whatever covers it obeys the idle lock as usual.
    """
    hook = getattr(screen, "keeps_kiosk_awake", None)
    return callable(hook) and hook() is True


class KioskApp(StorycircleApp):
    """storycircle as a shared kiosk, run with ``storycircle kiosk``."""

    KIOSK = True
    BINDINGS: ClassVar[list[BindingType]] = [
        # Replaces the app's quit: the facilitator quits from the admin screen.
        Binding("ctrl+q", "quit", show=False, priority=True),
        Binding("f12", "quick_hide", "Hide screen", priority=True),
        Binding("ctrl+l", "lock", "Lock", priority=True),
    ]

    def __init__(self, session: Session, policy: KioskPolicy) -> None:
        """Run ``session`` under the rules of ``policy`` (its clock is injected by tests)."""
        super().__init__(session)
        self.policy = policy

    def on_mount(self) -> None:
        """Watch the idle clock (the app's own ``on_mount`` shows the start screen)."""
        self.policy.idle.touch()
        self.set_interval(0.5, self.check_idle_lock)

    def start_screen(self) -> Screen[None]:
        """The kiosk's "Who's sharing?" screen."""
        return KioskStartScreen(self.session, self.policy)

    def show_start(self) -> None:
        """A fresh start screen with nothing of the last person's left on it."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(self.start_screen())
        self.clear_notifications()
        self.policy.idle.touch()

    # -- idle lock ---------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Any key, click, scroll or paste restarts the idle clock."""
        activity = isinstance(event, events.InputEvent | events.Paste) and not event.is_forwarded
        if activity:
            self.policy.idle.touch()
        # The countdown takes the key that dismisses it, so that key never
        # lands in a story; priority keys (help now, hide, lock) still work.
        await super().on_event(event)
        if activity:
            self._hide_countdown()

    def _at_rest(self) -> bool:
        # Nobody unlocked and nothing above the start screen but help or the
        # neutral screen: nothing to lock, only half-typed words to clear.
        stack = self.screen_stack[1:]
        return (
            not self.session.unlocked
            and bool(stack)
            and isinstance(stack[0], KioskStartScreen)
            and all(isinstance(s, HelpNowScreen | KioskHiddenScreen) for s in stack[1:])
        )

    def check_idle_lock(self) -> None:
        """Lock when the idle limit has passed; show the countdown before it."""
        idle = self.policy.idle
        if keeps_awake(self.screen):
            idle.touch()
        if idle.expired():
            self._hide_countdown()
            if self._at_rest():
                start = self.screen_stack[1]
                assert isinstance(start, KioskStartScreen)
                start.clear_typing()
                idle.touch()
            else:
                self.action_lock()
            return
        seconds = idle.countdown_seconds()
        if seconds is None or self._at_rest():
            self._hide_countdown()
        elif isinstance(self.screen, KioskCountdownScreen):
            self.screen.show(seconds)
        else:
            self.push_screen(KioskCountdownScreen(seconds))

    def _hide_countdown(self) -> None:
        if isinstance(self.screen, KioskCountdownScreen):
            self.pop_screen()

    def action_lock(self) -> None:
        """Lock (also how members switch): drafts saved, keys and screens dropped."""
        # Help now stays on screen through a lock: someone may be using it.
        helping = any(isinstance(screen, HelpNowScreen) for screen in self.screen_stack)
        super().action_lock()
        if helping:
            self.action_help_now()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On the hidden screen no command runs: every key only uncovers the start screen."""
        if isinstance(self.screen, KioskHiddenScreen):
            # A refused priority binding lets the key reach the screen's own handler.
            return False
        return super().check_action(action, parameters)

    def action_quick_hide(self) -> None:
        """Lock at once and cover the screen with a neutral one."""
        self._flush_drafts()
        self.session.lock()
        self.show_start()
        self.push_screen(KioskHiddenScreen())

    # -- ways out, closed -------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quitting is the facilitator's: say so instead."""
        self.notify(FACILITATOR_ONLY, markup=False)

    def action_help_quit(self) -> None:
        """ctrl+c does nothing here (Textual would explain how to quit)."""

    def action_suspend_process(self) -> None:
        """Never suspend to a shell."""

    def copy_to_clipboard(self, text: str) -> None:
        """No clipboard writes: the next person could paste someone's story."""

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Links never open on a kiosk (a browser is a way out)."""
        self.notify("Links do not open on this shared machine.", markup=False)

    def action_settings(self) -> None:
        """Settings change the machine for everyone: the admin screen has them."""
        self.notify(FACILITATOR_ONLY, markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's palette commands without Quit and Screenshot."""
        for command in super().get_system_commands(screen):
            if command.title in SAFE_SYSTEM_COMMANDS:
                yield command

    def leave(self) -> None:
        """Quit for real (the admin screen's Quit, after the PIN)."""
        self._flush_drafts()
        self.session.lock()
        self.exit()

    def action_start_round(self) -> None:
        """The facilitator starts a round: their PIN first, then the set-up."""
        from storycircle.screens.kiosk_pin import KioskPinScreen
        from storycircle.screens.round_setup import RoundSetupScreen, startable_circles

        circles = startable_circles(self, self.session)
        if not circles:
            return

        def answered(allowed: bool | None) -> None:
            # The member may have been locked out while the PIN was asked.
            if allowed and self.session.unlocked:
                self.push_screen(RoundSetupScreen(self.session, circles, self.policy.clock))

        self.push_screen(KioskPinScreen(self.policy), answered)

    def open_admin(self) -> None:
        """Show the facilitator's admin screen (call only after the PIN)."""
        from storycircle.screens.kiosk_admin import KioskAdminScreen

        self.push_screen(KioskAdminScreen(self.session, self.policy))


def run_kiosk() -> int:
    """Open the installation and run it as a shared kiosk until the facilitator quits."""
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
