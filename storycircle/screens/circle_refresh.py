"""Reading the member's circle folders in the background after unlocking.

The work runs in a worker thread on its own database connection and never
blocks the interface; a short notice says what arrived or was refused.
"""

from __future__ import annotations

from textual.app import App

from storycircle.circles.folder import FolderReport
from storycircle.errors import StorycircleError
from storycircle.models import Circle
from storycircle.session import Session
from storycircle.wording import counted

Results = list[tuple[Circle | None, FolderReport]]


def refresh_notice(results: Results) -> str:
    """What a refresh brought, in a line or a few, or "" when nothing changed."""
    applied = sum(report.applied for _, report in results)
    refused = [(name, reason) for _, report in results for name, reason in report.refused]
    if not applied and not refused:
        return ""
    text = f"Circles: {counted(applied, 'new file')} applied"
    if refused:
        text += f", {len(refused)} refused"
        text += "".join(f"\n{name}: {reason}" for name, reason in refused[:3])
        if len(refused) > 3:
            text += "\nMore in the circles screen (g, then r)."
    return text


def refresh_in_background(app: App[None], session: Session) -> None:
    """Apply new files of every circle folder of the unlocked member, off the UI thread."""
    try:
        has_folders = any(c.folder for c in session.circles())
    except StorycircleError:
        return
    if not has_folders or session.installation.store.path is None:
        return  # nothing to read, or an in-memory store (tests), which stays on its thread
    sharing = session.sharing

    def done(results: Results | None, error: str) -> None:
        if session.sharing is not sharing:
            return  # locked (or someone else unlocked) meanwhile: say nothing
        if error:
            app.notify(f"Circle folders not read: {error}", severity="warning", markup=False)
            return
        notice = refresh_notice(results or [])
        if not notice:
            return  # nothing arrived: leave the screens as they are
        session.circles_changed()
        from storycircle.screens.library import LibraryScreen

        for screen in app.screen_stack:
            if isinstance(screen, LibraryScreen):
                screen.circles_arrived()
        app.notify(notice, markup=False, timeout=8)

    def work() -> None:
        try:
            results = session.refresh_circles()
        except StorycircleError as error:
            app.call_from_thread(done, None, str(error))
            return
        app.call_from_thread(done, results, "")

    app.run_worker(work, group="circle-refresh", thread=True, exit_on_error=False)
