"""Reading the member's circle folders in the background while they are unlocked.

Right after unlocking every circle folder is applied once; after that a
light watch compares each folder's listing signature every second (see
:mod:`storycircle.circles.watch`) and applies a folder only when a sync
engine has changed it, so a story shared on another machine shows up
without a key press. The work runs in worker threads on their own database
connection and never blocks the interface; a quiet notice says who shared
what ("Ben shared a story in Tuesday group") or what was refused.
"""

from __future__ import annotations

import contextlib

from textual.app import App
from textual.timer import Timer

from storycircle.circles.folder import FolderReport
from storycircle.circles.watch import Arrival, FolderSignature, folder_signature
from storycircle.errors import StorycircleError
from storycircle.journal.members import UnlockedMember
from storycircle.models import Circle
from storycircle.screens.library import LibraryScreen
from storycircle.session.session import Session
from storycircle.wording import counted

Results = list[tuple[Circle | None, FolderReport]]

WATCH_SECONDS = 1.0
"""How often the folders' listings are compared: Syncthing's own hop is about a second."""


def refresh_notice(results: Results, news: list[Arrival] | None = None) -> str:
    """What a refresh brought, in a line or a few, or "" when nothing changed."""
    applied = sum(report.applied for _, report in results)
    refused = [(name, reason) for _, report in results for name, reason in report.refused]
    farewells = [line for _, report in results for line in report.farewell_lines()]
    if not applied and not refused:
        return "\n".join(farewells)
    lines = [arrival.sentence() for arrival in (news or [])[:3]]
    if news and len(news) > 3:
        more = counted(len(news) - 3, "more circle or member", "more circles or members")
        lines.append(f"…and news from {more}.")
    if not lines or refused:
        text = f"Circles: {counted(applied, 'new file')} applied"
        if refused:
            text += f", {len(refused)} refused"
        lines.insert(0, text)
    lines[:0] = farewells
    lines.extend(f"{name}: {reason}" for name, reason in refused[:3])
    if len(refused) > 3:
        lines.append("More in the circles screen (g, then r).")
    return "\n".join(lines)


class CircleWatch:
    """Applies circle folders after unlocking and whenever a folder changes.

    One watch lives while one member is unlocked: it stops itself when the
    session is locked (or someone else unlocks), so no timer outlives the
    keys it works with.
    """

    def __init__(self, app: App[None], session: Session) -> None:
        """Watch ``session``'s circle folders on behalf of ``app``."""
        self.app = app
        self.session = session
        self.member = _member(session)
        self.folders: list[str] = []
        self.signature: FolderSignature | None = None
        self.busy = False
        self.timer: Timer | None = None

    def start(self) -> None:
        """Apply every folder now, then keep watching them."""
        try:
            self.folders = self.session.circle_folders()
        except StorycircleError:
            return
        if not self.session.can_work_in_threads:
            return  # an in-memory store (tests) stays on its own thread
        self._apply(force=True)
        self.timer = self.app.set_interval(WATCH_SECONDS, self._tick, name="circle-watch")

    def stop(self) -> None:
        """Stop watching (the member locked, or the app is closing)."""
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def _still_unlocked(self) -> bool:
        return self.member is not None and _member(self.session) is self.member

    def _tick(self) -> None:
        if not self._still_unlocked():
            self.stop()  # locked, or someone else unlocked: these keys are gone
            return
        if not self.busy:
            self._apply(force=False)

    def _apply(self, *, force: bool) -> None:
        self.busy = True
        folders, last = list(self.folders), self.signature

        def work() -> None:
            signature = folder_signature(folders)
            if not force and signature == last:
                self.app.call_from_thread(self._idle)
                return
            try:
                results, news = self.session.refresh_circles_noting_arrivals()
            except StorycircleError as error:
                self.app.call_from_thread(self._failed, signature, str(error))
                return
            self.app.call_from_thread(self._done, signature, results, news)

        self.app.run_worker(work, group="circle-refresh", thread=True, exit_on_error=False)

    def _idle(self) -> None:
        self.busy = False

    def _failed(self, signature: FolderSignature, error: str) -> None:
        self.busy = False
        if not self._still_unlocked():
            return
        if signature != self.signature:
            # Said once per change of the folders, not every second.
            self.app.notify(f"Circle folders not read: {error}", severity="warning", markup=False)
        self.signature = signature

    def _done(self, signature: FolderSignature, results: Results, news: list[Arrival]) -> None:
        self.busy = False
        if not self._still_unlocked():
            return  # locked (or someone else unlocked) meanwhile: say nothing
        self.signature = signature
        notice = refresh_notice(results, news)
        if not notice:
            return  # nothing arrived: leave the screens as they are
        self.session.circles_changed()
        with contextlib.suppress(StorycircleError):  # locked meanwhile: the tick stops
            self.folders = self.session.circle_folders()
        for screen in self.app.screen_stack:
            if isinstance(screen, LibraryScreen):
                screen.circles_arrived()
        self.app.notify(notice, markup=False, timeout=8)


def _member(session: Session) -> UnlockedMember | None:
    # The sharing service is replaced whenever circles change; the unlocked
    # member object lives exactly as long as the unlock.
    return session.member if session.can_share else None


def refresh_in_background(app: App[None], session: Session) -> CircleWatch:
    """Apply new files of every circle folder now and whenever one changes, off the UI thread."""
    watch = CircleWatch(app, session)
    watch.start()
    return watch
