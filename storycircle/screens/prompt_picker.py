"""A small modal that lets a writer pick one of the writing prompts."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from storycircle.journal.prompts import PROMPTS, Prompt
from storycircle.widgets.safe import line


class PromptPicker(ModalScreen[Prompt | None]):
    """Choose a writing prompt; dismisses with it, or None when closed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]
    DEFAULT_CSS = """
    PromptPicker { align: center middle; }
    PromptPicker > #picker {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        padding: 1 2; border: round $primary; background: $surface;
    }
    PromptPicker #picker-title { text-style: bold; }
    PromptPicker #picker-hint { color: $text-muted; margin-bottom: 1; }
    PromptPicker OptionList { height: auto; max-height: 22; }
    """

    def __init__(self, prompts: tuple[Prompt, ...] = PROMPTS) -> None:
        """Offer ``prompts`` (all of them by default)."""
        super().__init__()
        self._prompts = prompts

    def compose(self) -> ComposeResult:
        """A heading, a hint and the list: each option shows title and guidance."""
        with Vertical(id="picker"):
            yield Static("Writing prompts", id="picker-title")
            yield Static("Enter picks one to start from; Esc goes back.", id="picker-hint")
            options: list[Option | None] = []
            for index, prompt in enumerate(self._prompts):
                if options:
                    options.append(None)  # a separator line keeps the prompts apart
                text = Content.assemble(
                    line(prompt.title).stylize("bold"), "\n", line(prompt.guidance).stylize("dim")
                )
                options.append(Option(text, id=f"prompt-{index}"))
            yield OptionList(*options, id="prompts")

    @on(OptionList.OptionSelected, "#prompts")
    def _on_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._prompts[event.option_index])

    def action_close(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
