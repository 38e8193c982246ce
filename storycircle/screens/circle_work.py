"""The circles screen's slow changes: one worker, its progress bar, and what it says after.

Leaving and removing re-key every story of a circle, and reading circle
folders may apply many files, so they run in a worker thread on their own
database connection while the screen stays usable. :class:`CircleWork` is the
strip under the circles that runs one such job at a time and shows its
progress bar, the status line and any refusals. It sits apart from
:mod:`storycircle.screens.circles` so the screen holds the circles and what
each key asks, and this how slow work runs and reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import ProgressBar, Static
from textual.worker import Worker, WorkerState

from storycircle.circles.folder import FolderReport
from storycircle.errors import StorycircleError
from storycircle.screens.circle_text import report_lines
from storycircle.session.session import Session
from storycircle.widgets.safe import line
from storycircle.wording import counted

Progress = Callable[[int, int], None]
"""Told ``(done, total)`` as slow work goes on."""

WORK_GROUP = "circle-work"
"""The worker group of slow circle changes (one runs at a time)."""


class Outcome(NamedTuple):
    """What finished slow work says: one line, and the refusals listed under it."""

    message: str
    problems: Sequence[str] = ()


Finish = Callable[[object], Outcome]
"""Turns what a job returned into what the screen says."""


def refreshed(result: object) -> Outcome:
    """What reading every circle folder brought (``result``: circles and their reports)."""
    assert isinstance(result, list)
    total = FolderReport()
    for _circle, report in result:
        total.applied += report.applied
        total.refused += report.refused
        total.farewells += report.farewells
    read = f"Circle folders read: {total.applied} applied, {len(total.refused)} refused."
    return Outcome(" ".join([*total.farewell_lines(), read]), report_lines(total))


def opened(result: object) -> Outcome:
    """What opening one folder found (``result``: its :class:`FolderReport`)."""
    assert isinstance(result, FolderReport)
    circles = f"{counted(len(result.circles), 'circle')} found"
    message = f"{circles}; {result.applied} applied, {len(result.refused)} refused."
    return Outcome(message, report_lines(result))


class CircleWork(Vertical):
    """Progress, status and refusals under the circles; runs one slow job at a time."""

    DEFAULT_CSS = """
    CircleWork {
        height: auto;
    }
    """

    def __init__(self, session: Session, done: Callable[[], None]) -> None:
        """Run jobs for ``session``; ``done`` is called when one ends, before its outcome shows."""
        super().__init__()
        self.session = session
        self._done = done
        self._working = False
        self._finish: Finish = lambda result: Outcome(str(result))

    def compose(self) -> ComposeResult:
        """The progress bar (hidden until work starts), the status line, the refusals."""
        yield ProgressBar(id="circle-progress", show_eta=False)
        yield Static(id="circle-status")
        yield VerticalScroll(id="circle-problems")

    def on_mount(self) -> None:
        """The progress bar waits for slow work."""
        self.query_one("#circle-progress").display = False

    def say(self, message: str, problems: Sequence[str] = ()) -> None:
        """Show ``message`` on the status line and ``problems`` under it (or none)."""
        self.query_one("#circle-status", Static).update(line(message))
        box = self.query_one("#circle-problems", VerticalScroll)
        box.remove_children()
        if problems:
            box.mount_all(Static(line(p), classes="problem") for p in problems)

    def refuse_while_working(self) -> bool:
        """True (and said) while a job runs: one change at a time."""
        if self._working:
            self.say("Wait until the change in progress is done.")
        return self._working

    def start(self, message: str, job: Callable[[Progress], object], finish: Finish) -> None:
        """Say ``message``, run ``job`` in a worker, then say what ``finish`` makes of it."""
        self._working = True
        self._finish = finish
        bar = self.query_one("#circle-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.say(message)
        if not self.session.can_work_in_threads:
            # An in-memory store (tests) cannot cross threads: run here.
            async def here() -> object:
                return job(self._progress)

            self.run_worker(here(), group=WORK_GROUP, exit_on_error=False)
            return

        def threaded() -> object:
            def progress(done: int, total: int) -> None:
                self.app.call_from_thread(self._progress, done, total)

            return job(progress)

        self.run_worker(threaded, group=WORK_GROUP, thread=True, exit_on_error=False)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#circle-progress", ProgressBar).update(total=total, progress=done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the outcome of slow work once it is done."""
        if event.worker.group != WORK_GROUP or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        self._working = False
        bar = self.query_one("#circle-progress", ProgressBar)
        if event.state == WorkerState.ERROR:
            bar.display = False
            error = event.worker.error
            reason = (
                str(error) if isinstance(error, StorycircleError) else "it stopped unexpectedly"
            )
            outcome = Outcome(f"Not done: {reason}.")
        else:
            if bar.total is None:  # nothing to re-key: the work is still complete
                bar.update(total=1, progress=1)
            outcome = self._finish(event.worker.result)
        self._done()
        self.say(*outcome)
