"""Export from the app: the same formats and questions as ``storycircle export``.

The export runs in a thread worker that reports its progress by message; the
screen draws the progress bar from those messages and the outcome from the
worker's end.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Input, Label, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from storycircle.errors import StorycircleError
from storycircle.models import ExportReport
from storycircle.sealing.passphrase import RULE
from storycircle.session.export import JOURNAL
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import SafeInput, line
from storycircle.wording import counted

FORMATS = [
    ("Markdown: one file per story (a folder Obsidian opens)", "markdown"),
    ("JSON: one file with every story", "json"),
    ("HTML: a booklet to read or print", "html"),
    ("Bundle: one encrypted file (age -d opens it)", "bundle"),
]
PLAIN_WARNING = (
    "Markdown, JSON and HTML are written in clear: anyone who can open the folder can "
    "read them. A bundle stays encrypted."
)


class ExportScreen(Screen[None]):
    """Choose what, how and where; watch the export go; see where it went."""

    CSS_PATH = "export_stories.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Back")]

    class Progressed(Message):
        """Posted from the export worker: ``done`` of ``total`` stories."""

        def __init__(self, done: int, total: int) -> None:
            """Carry the counts."""
            super().__init__()
            self.done = done
            self.total = total

    def __init__(self, session: Session, what: str = "") -> None:
        """Export from ``session``; ``what`` preselects the journal or a collection slug."""
        super().__init__()
        self.session = session
        self._choices = session.export_choices()
        keys = [key for _, key in self._choices]
        self._what = what if what in keys else (keys[0] if keys else "")
        self._exporting = False

    def compose(self) -> ComposeResult:
        """What, format, folder, the bundle's choices, the button and the progress."""
        yield Header()
        with VerticalScroll(id="export"):
            yield Static("Export stories", id="export-title")
            yield Label("What")
            yield Select[str](
                [(line(label), key) for label, key in self._choices],
                value=self._what,
                allow_blank=False,
                id="export-what",
            )
            yield Label("Format")
            yield Select[str](FORMATS, value="markdown", allow_blank=False, id="export-format")
            yield Static(PLAIN_WARNING, classes="hint", id="export-plain")
            yield Label("Into a new or empty folder")
            yield SafeInput(self._default_folder(), id="export-dest", compact=True)
            with Vertical(id="bundle-options"):
                yield Checkbox("ASCII armour (text, for pasting or e-mail)", id="export-armor")
                yield Checkbox(
                    "Encrypt to a new passphrase instead of your key", id="export-use-passphrase"
                )
                with Vertical(id="bundle-passphrase"):
                    yield Label("Passphrase for the bundle")
                    yield Input(password=True, id="export-passphrase", compact=True)
                    yield Label("Type it again")
                    yield Input(password=True, id="export-repeat", compact=True)
                    yield Static(RULE, classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="export-start", variant="primary")
                yield Button("Back", id="back")
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Static(id="export-status")
        yield StoryFooter()

    def _default_folder(self) -> str:
        name = "journal" if self._what == JOURNAL else self._what or "stories"
        return f"~/storycircle-{name}-{date.today().isoformat()}"

    def on_mount(self) -> None:
        """Only the choices that apply are shown."""
        self.query_one("#export-progress").display = False
        self._show_bundle_choices()
        self.query_one("#export-what", Select).focus()

    @on(Select.Changed, "#export-format")
    @on(Checkbox.Changed, "#export-use-passphrase")
    def _show_bundle_choices(self) -> None:
        bundle = self.query_one("#export-format", Select).value == "bundle"
        self.query_one("#bundle-options").display = bundle
        self.query_one("#export-plain").display = not bundle
        wanted = self.query_one("#export-use-passphrase", Checkbox).value
        # A guest has no key to encrypt to: a passphrase is the only way.
        guest = not self.session.unlocked
        self.query_one("#bundle-passphrase").display = bundle and (wanted or guest)

    @on(Select.Changed, "#export-what")
    def _on_what(self, event: Select.Changed) -> None:
        dest = self.query_one("#export-dest", Input)
        was_default = dest.value == self._default_folder()
        if isinstance(event.value, str):
            self._what = event.value
        if was_default:
            dest.value = self._default_folder()

    @on(Button.Pressed, "#export-start")
    @on(Input.Submitted)
    def _on_start(self) -> None:
        if self._exporting:
            return
        raw = self.query_one("#export-dest", Input).value.strip()
        if not raw:
            self._say("Type the folder to export into (a new or empty one).")
            return
        fmt = str(self.query_one("#export-format", Select).value)
        bundle = fmt == "bundle"
        first = self.query_one("#export-passphrase", Input)
        second = self.query_one("#export-repeat", Input)
        passphrase: str | None = None
        if bundle and self.query_one("#bundle-passphrase").display:
            if first.value != second.value:
                second.value = ""
                self._say("The two passphrases differ; type them again.")
                return
            passphrase = first.value
        first.value = second.value = ""  # the passphrase lives only in the worker now
        armor = bundle and self.query_one("#export-armor", Checkbox).value
        self._exporting = True
        self.query_one("#export-start", Button).disabled = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._say("Exporting…")
        self._export(self._what, fmt, Path(raw).expanduser(), armor, passphrase)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(
        self, what: str, fmt: str, dest: Path, armor: bool, passphrase: str | None
    ) -> ExportReport:
        def progress(done: int, total: int) -> None:
            self.post_message(self.Progressed(done, total))

        return self.session.export(
            what, fmt, dest, armor=armor, passphrase=passphrase, progress=progress
        )

    def on_export_screen_progressed(self, message: Progressed) -> None:
        """Move the bar."""
        self.query_one("#export-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Say where the stories went, or why nothing was written."""
        if event.worker.group != "export" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        self._exporting = False
        self.query_one("#export-start", Button).disabled = False
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            reason = (
                str(error) if isinstance(error, StorycircleError) else "it stopped unexpectedly"
            )
            self._say(f"Not exported: {reason}. Nothing was left half-written.")
            return
        report = event.worker.result
        assert isinstance(report, ExportReport)
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=max(report.stories, 1), progress=max(report.stories, 1))
        noun = "story" if report.stories == 1 else "stories"
        files = (
            counted(len(report.files), "file") if len(report.files) > 1 else ", ".join(report.files)
        )
        message = f"Exported {report.stories} {noun} to {report.folder} ({files})."
        if report.unreadable:
            message += f" {len(report.unreadable)} damaged could not be read and were left out."
        self._say(message)

    def _say(self, message: str) -> None:
        self.query_one("#export-status", Static).update(line(message))

    @on(Button.Pressed, "#back")
    def action_leave(self) -> None:
        """Go back (an export in progress finishes in the background)."""
        self.dismiss()
