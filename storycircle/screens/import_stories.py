"""Import stories into the journal, with a progress bar and a reason per skipped file."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from storycircle.errors import PassphraseNeeded, StorycircleError
from storycircle.session.session import Session
from storycircle.transfer.importing import ImportReport
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import SafeInput, line

WHAT = (
    "A folder of Markdown files (Obsidian, Jekyll or Hugo front matter), a jrnl JSON "
    "export (jrnl --export json), or a storycircle bundle. Files that cannot be read are "
    "skipped with a reason; nothing already in your journal changes."
)


class ImportScreen(Screen[None]):
    """Choose what to import, watch it go, see what was skipped and why."""

    CSS_PATH = "import_stories.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Back")]

    def __init__(self, session: Session) -> None:
        """Import into ``session``'s unlocked journal."""
        super().__init__()
        self.session = session
        self._importing = False

    def compose(self) -> ComposeResult:
        """Path, passphrase (when a bundle needs one), progress and results."""
        yield Header()
        with Vertical(id="import"):
            yield Static("Import stories", id="import-title")
            yield Static(WHAT, classes="hint")
            yield Label("Path")
            yield SafeInput(placeholder="~/notes/journal", id="import-path", compact=True)
            with Vertical(id="bundle-passphrase"):
                yield Label("This bundle is sealed with a passphrase")
                yield Input(password=True, id="import-passphrase", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Import", id="start", variant="primary")
                yield Button("Back", id="back")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static(id="import-status")
            yield VerticalScroll(id="import-problems")
        yield StoryFooter()

    def on_mount(self) -> None:
        """Ask for the path first."""
        self.query_one("#bundle-passphrase").display = False
        self.query_one("#import-progress").display = False
        self.query_one("#import-path", Input).focus()

    @on(Button.Pressed, "#start")
    @on(Input.Submitted)
    def _on_start(self) -> None:
        if self._importing:
            return
        raw = self.query_one("#import-path", Input).value.strip()
        if not raw:
            self._say("Type the path of a folder or file to import.")
            return
        passphrase = self.query_one("#import-passphrase", Input).value or None
        self._importing = True
        self.query_one("#start", Button).disabled = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._say("Importing…")
        self._import(Path(raw).expanduser(), passphrase)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, path: Path, passphrase: str | None) -> ImportReport:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        return self.session.import_stories(path, progress, passphrase)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=total, progress=done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the outcome once the import worker is done."""
        if event.worker.group != "import" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        self._importing = False
        self.query_one("#start", Button).disabled = False
        self.query_one("#import-passphrase", Input).value = ""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, PassphraseNeeded):
                self.query_one("#bundle-passphrase").display = True
                self.query_one("#import-passphrase", Input).focus()
                self._say("Type the bundle's passphrase, then Import again.")
            elif isinstance(error, StorycircleError):
                self._say(f"Not imported: {error}")
            else:
                self._say("Not imported: the import stopped unexpectedly; nothing was lost.")
            return
        report = event.worker.result
        assert isinstance(report, ImportReport)
        self.session.imported()
        self._show(report)

    def _show(self, report: ImportReport) -> None:
        self._say(
            report.summary()
            + (" The details are listed below." if report.problems or report.dropped_tags else "")
        )
        problems = self.query_one("#import-problems", VerticalScroll)
        problems.remove_children()
        problems.mount_all(
            [
                *(
                    Static(line(f"skipped {p.source}: {p.reason}"), classes="problem")
                    for p in report.problems
                ),
                *(
                    Static(
                        line(f"imported {p.source} without a tag: {p.reason}"), classes="problem"
                    )
                    for p in report.dropped_tags
                ),
            ]
        )

    def _say(self, message: str) -> None:
        self.query_one("#import-status", Static).update(line(message))

    @on(Button.Pressed, "#back")
    def action_leave(self) -> None:
        """Go back (an import in progress finishes in the background)."""
        self.dismiss()
