"""Dialogs of the circles screen: a small form, choosing a member, showing a card.

Every dialog shows what it was given as inert content (names, pseudonyms and
cards come from other people) and keeps what was typed when an action fails,
so a mistake costs nothing but the correction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from storycircle.errors import StorycircleError
from storycircle.widgets.safe import SafeInput, block, line

_T = TypeVar("_T")

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > #dialog {{
    width: 76; max-width: 95%; height: auto; max-height: 95%; padding: 1 2;
    border: thick $primary; background: $surface;
}}
{name} #dialog-title {{ text-style: bold; margin-bottom: 1; }}
{name} .hint {{ color: $text-muted; }}
{name} Label {{ margin-top: 1; text-style: bold; }}
{name} .dialog-error {{ color: $error; margin-top: 1; }}
{name} .buttons {{ height: auto; margin-top: 1; }}
{name} Button {{ margin-right: 2; }}
"""


@dataclass(frozen=True, slots=True)
class FormField:
    """One text field of a :class:`FormDialog`.

    Attributes:
        key: The name its value is returned under.
        label: What the field asks for.
        value: What it holds at first.
        placeholder: Shown while it is empty.
    """

    key: str
    label: str
    value: str = ""
    placeholder: str = ""


class CardInput(SafeInput):
    """A field for a pasted member card.

    A card copied from a terminal often arrives broken over several lines (it
    was wrapped on screen); a card holds no blanks, so every line of the paste
    is joined instead of keeping the first line only, as an ``Input`` does.
    """

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # replaces Input's paste, which keeps one line
        event.stop()
        joined = "".join(event.text.split())
        if joined:
            self.insert_text_at_cursor(joined)


class FormDialog(ModalScreen[_T | None]):
    """A few text fields and a button; the action runs here and may refuse.

    ``submit`` gets the values by field key. When it raises
    :class:`~storycircle.errors.StorycircleError` the message is shown in the
    dialog and the fields keep what was typed; otherwise the dialog closes
    with what ``submit`` returned.
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="FormDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        intro: Content | str,
        fields: Sequence[FormField],
        submit: Callable[[dict[str, str]], _T],
        *,
        yes: str = "OK",
    ) -> None:
        """Ask for ``fields`` under ``title``; ``yes`` labels the button that submits."""
        super().__init__()
        self._title = title
        self._intro = intro if isinstance(intro, Content) else Content(intro)
        self._fields = list(fields)
        self._submit = submit
        self._yes = yes

    def compose(self) -> ComposeResult:
        """Title, what the dialog is for, the fields, the error line and the buttons."""
        with Vertical(id="dialog"):
            yield Static(Content(self._title), id="dialog-title")
            yield Static(self._intro, classes="hint")
            for field in self._fields:
                yield Label(Content(field.label))
                yield SafeInput(
                    field.value,
                    placeholder=field.placeholder,
                    id=f"field-{field.key}",
                    compact=True,
                )
            yield Static(id="form-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button(self._yes, id="submit", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Start in the first field."""
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _on_field_submitted(self, event: Input.Submitted) -> None:
        # Enter moves on through the fields and submits from the last one.
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self._try()
        else:
            inputs[inputs.index(event.input) + 1].focus()

    @on(Button.Pressed, "#submit")
    def _try(self) -> None:
        values = {f.key: self.query_one(f"#field-{f.key}", Input).value for f in self._fields}
        try:
            result = self._submit(values)
        except StorycircleError as error:
            self.query_one("#form-error", Static).update(line(str(error)))
            return
        self.dismiss(result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)


class PickDialog(ModalScreen[_T | None]):
    """Choose one of a few people, or paste a member card; the action runs here.

    ``submit`` gets the chosen id, or ``"card:"`` and the pasted text. When it
    raises :class:`~storycircle.errors.StorycircleError` the message is shown
    in the dialog and the pasted text stays; otherwise the dialog closes with
    what ``submit`` returned.
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="PickDialog") + (
        "PickDialog OptionList { height: auto; max-height: 12; margin-top: 1; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        intro: Content | str,
        choices: Sequence[tuple[str, Content]],
        submit: Callable[[str], _T],
        *,
        empty: str = "There is nobody to choose.",
        paste_label: str = "",
    ) -> None:
        """Offer ``choices`` as ``(id, shown)``; ``empty`` is said when there are none."""
        super().__init__()
        self._title = title
        self._intro = intro if isinstance(intro, Content) else Content(intro)
        self._choices = list(choices)
        self._submit = submit
        self._empty = empty
        self._paste_label = paste_label

    def compose(self) -> ComposeResult:
        """Title, the list (or why it is empty), the optional card field, Cancel."""
        with Vertical(id="dialog"):
            yield Static(Content(self._title), id="dialog-title")
            yield Static(self._intro, classes="hint")
            if self._choices:
                yield OptionList(
                    *(Option(shown, id=key) for key, shown in self._choices), id="choices"
                )
            else:
                yield Static(Content(self._empty), id="no-choices", classes="hint")
            if self._paste_label:
                yield Label(Content(self._paste_label))
                yield CardInput(placeholder="storycircle-card:v1:…", id="card", compact=True)
            yield Static(id="pick-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                if self._paste_label:
                    yield Button("Invite by card", id="use-card", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Start in the list, or in the card field when the list is empty."""
        target = self.query("#choices") or self.query("#card") or self.query("#cancel")
        target.first().focus()

    @on(OptionList.OptionSelected, "#choices")
    def _on_choice(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._try(event.option.id)

    @on(Input.Submitted, "#card")
    @on(Button.Pressed, "#use-card")
    def _on_card(self) -> None:
        text = self.query_one("#card", Input).value
        if not text.strip():
            self._error("Paste the whole card line, starting with storycircle-card:v1:")
            return
        self._try("card:" + text)

    def _try(self, choice: str) -> None:
        try:
            result = self._submit(choice)
        except StorycircleError as error:
            self._error(str(error))
            return
        self.dismiss(result)

    def _error(self, message: str) -> None:
        self.query_one("#pick-error", Static).update(line(message))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


class CardDialog(ModalScreen[None]):
    """The member's card as text to select and copy by hand (nothing is put on the clipboard)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CardDialog") + (
        "CardDialog TextArea { height: 6; margin-top: 1; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, card: str) -> None:
        """Show ``card``."""
        super().__init__()
        self._card = card

    def compose(self) -> ComposeResult:
        """What a card is for, the card, and Close."""
        with Vertical(id="dialog"):
            yield Static(Content("Your member card"), id="dialog-title")
            yield Static(
                block(
                    "Give this line to someone on another machine so they can invite you "
                    "to a circle. It holds your public keys and your pseudonym, nothing "
                    "secret. It is long because it carries your post-quantum key "
                    "(age1pq1…, ML-KEM-768 with X25519): copy the whole line. Select it "
                    "and copy it (in many terminals: hold shift and drag)."
                ),
                classes="hint",
            )
            yield TextArea(
                self._card, read_only=True, soft_wrap=True, show_line_numbers=False, id="card-text"
            )
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        """Select the card, ready to copy."""
        area = self.query_one("#card-text", TextArea)
        area.focus()
        area.select_all()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Close the card."""
        self.dismiss(None)
