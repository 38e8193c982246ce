"""Help now: crisis resources, one key away on every screen, offline, no unlock."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from storycircle.session.helplines import NOT_A_CRISIS_SERVICE, HelpLine, region_name
from storycircle.widgets.safe import line

OTHERS_HINT = "Somewhere else? Press o for other countries."


class HelpNowScreen(ModalScreen[None]):
    """A calm overlay listing who to contact, with no story text behind it visible."""

    CSS_PATH = "help_now.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("f1", "dismiss", "Close", show=False),
        Binding("o", "other_countries", "Other countries"),
    ]

    def __init__(self, lines: list[HelpLine], others: list[HelpLine] | None = None) -> None:
        """Show ``lines`` first (chosen for the person's region), ``others`` on request."""
        super().__init__()
        self.lines = lines
        self.others = others or []

    def compose(self) -> ComposeResult:
        """The statement, then one block per line, then the way to other countries."""
        with Vertical(id="help-now"):
            yield Static("Help now", id="help-title")
            yield Static(NOT_A_CRISIS_SERVICE, id="help-statement")
            with VerticalScroll(id="help-lines"):
                yield from self._blocks(self.lines)
                if self.others:
                    yield Static(OTHERS_HINT, id="help-others-hint")
            with Horizontal(id="help-buttons"):
                yield Button("Close (Esc)", id="help-close", variant="primary")
                if self.others:
                    yield Button("Other countries (o)", id="help-others")

    @staticmethod
    def _blocks(lines: list[HelpLine], *, regions: bool = False) -> list[Static]:
        blocks: list[Static] = []
        shown = ""
        for entry in lines:
            if regions and entry.locale != shown:
                shown = entry.locale
                heading = region_name(entry.locale) or entry.locale
                blocks.append(
                    Static(line(heading[:1].upper() + heading[1:]), classes="help-region")
                )
            blocks.append(Static(line(entry.name), classes="help-name"))
            detail = entry.contact + (f"  ({entry.hours})" if entry.hours else "")
            blocks.append(Static(line(detail), classes="help-contact"))
        return blocks

    def on_mount(self) -> None:
        """Focus the close button so Enter or Esc returns."""
        self.query_one("#help-close", Button).focus()

    async def action_other_countries(self) -> None:
        """Show every other country's lines below the first ones, by region."""
        if not self.others or not self.query("#help-others"):
            return
        await self.query_one("#help-others").remove()
        hint = self.query_one("#help-others-hint", Static)
        hint.update("Other countries:")
        scroll = self.query_one("#help-lines", VerticalScroll)
        await scroll.mount_all(self._blocks(self.others, regions=True))
        # Once laid out, scroll so that the other countries start at the top.
        self.call_after_refresh(hint.scroll_visible, top=True, animate=False)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Other countries, or close."""
        if event.button.id == "help-others":
            await self.action_other_countries()
        else:
            self.dismiss()
