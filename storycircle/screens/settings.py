"""Settings: theme, autosave interval, content-note filters, help lines."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static, TextArea

from storycircle.errors import StorycircleError
from storycircle.journal.preferences import Preferences, clean_filters
from storycircle.session.config import THEMES, Config
from storycircle.session.helplines import HelpLine
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import SafeInput, line
from storycircle.widgets.safe_text_area import SafeTextArea

THEME_LABELS = {"storycircle": "Calm (default)", "storycircle-high-contrast": "High contrast"}
HELP_FORMAT = "One per line: locale | name | how to contact | hours   (locale * = everywhere)"


def format_help_lines(lines: tuple[HelpLine, ...]) -> str:
    """Help lines as the editable text the settings screen shows."""
    return "\n".join(f"{h.locale} | {h.name} | {h.contact} | {h.hours}" for h in lines)


def parse_help_lines(text: str) -> tuple[HelpLine, ...]:
    """Parse the settings screen's help-line text.

    Raises:
        StorycircleError: a line lacks a name or a contact.
    """
    result: list[HelpLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("|")]
        parts += [""] * (4 - len(parts))
        locale, name, contact, hours = parts[:4]
        if not name or not contact:
            raise StorycircleError(f"help line {number} needs a name and a way to contact it")
        result.append(HelpLine(locale or "*", name, contact, hours))
    return tuple(result)


SETTINGS_FIELDS = {
    "theme": "#theme",
    "autosave_seconds": "#autosave",
    "help_line": "#help-lines",
    "help_locale": "#help-locale",
    "guest_hidden_notes": "#filters",
}
"""The ``config.toml`` keys this screen changes, and their fields (the README lists them)."""


class SettingsScreen(Screen[None]):
    """Change how storycircle looks and behaves."""

    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, session: Session) -> None:
        """Edit ``session``'s settings and the unlocked member's filters."""
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        """One field per setting, with a line saying what it does."""
        config = self.session.config
        yield Header()
        with VerticalScroll(id="settings"):
            yield Label("Theme")
            yield Select[str](
                [(THEME_LABELS[name], name) for name in THEMES],
                value=config.theme,
                allow_blank=False,
                id="theme",
            )
            yield Label("Autosave a draft every … seconds (1 to 600)")
            yield SafeInput(
                str(config.autosave_seconds), id="autosave", type="integer", compact=True
            )
            yield Label("Hide stories with these content notes (comma-separated)")
            yield SafeInput(
                ", ".join(self.session.preferences.hidden_notes), id="filters", compact=True
            )
            yield Static(
                "Your filters are private: they are stored encrypted to you."
                if self.session.unlocked
                else "Reading as a guest: these filters are kept for guests on this machine.",
                classes="hint",
            )
            yield Label("Help lines shown by Help now (empty: the shipped list)")
            yield Static(HELP_FORMAT, classes="hint")
            yield SafeTextArea(format_help_lines(config.help_lines), id="help-lines")
            yield Label("Locale whose help lines come first (empty: from the system)")
            yield SafeInput(config.help_locale, id="help-locale", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Back", id="back")
            yield Static(id="settings-status")
        yield StoryFooter()

    @on(Select.Changed, "#theme")
    def _preview_theme(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.app.theme = event.value

    @on(Button.Pressed, "#save")
    def _on_save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#back")
    def _on_back(self) -> None:
        self.app.pop_screen()

    def action_save(self) -> None:
        """Check every field, then write the settings; a bad field names itself."""
        status = self.query_one("#settings-status", Static)
        try:
            config = self._read_config()
            self.session.update_config(config)
            filters = clean_filters(self.query_one("#filters", Input).value.split(","))
            if filters != self.session.preferences.hidden_notes:
                self.session.set_preferences(Preferences(hidden_notes=filters))
        except StorycircleError as error:
            status.update(line(f"Not saved: {error}"))
            status.add_class("error")
            return
        status.remove_class("error")
        self.app.theme = config.theme
        self.notify("Settings saved")
        self.app.pop_screen()

    def _read_config(self) -> Config:
        raw_seconds = self.query_one("#autosave", Input).value.strip()
        if not raw_seconds.isdigit() or not 1 <= int(raw_seconds) <= 600:
            raise StorycircleError("autosave needs a whole number of seconds from 1 to 600")
        theme = self.query_one("#theme", Select).value
        return replace(
            self.session.config,
            theme=theme if isinstance(theme, str) else self.session.config.theme,
            autosave_seconds=int(raw_seconds),
            help_locale=self.query_one("#help-locale", Input).value.strip(),
            help_lines=parse_help_lines(self.query_one("#help-lines", TextArea).text),
        )
