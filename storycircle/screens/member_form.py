"""The checks of a new-member form, shared by the welcome and kiosk admin screens."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input

from storycircle.errors import StorycircleError
from storycircle.session import Session

Say = Callable[..., None]


def take_new_member(
    session: Session, pseudonym: str, first: Input, second: Input, say: Say
) -> str | None:
    """The passphrase of a new member once the form's input is acceptable, else None.

    Says what is wrong through ``say(message, error=True)``. Both passphrase
    fields are emptied once the passphrase is taken, so it lives only in the
    worker that seals the keys.
    """
    if first.value != second.value:
        second.value = ""
        say("The two passphrases differ; type them again.", error=True)
        return None
    try:
        session.check_new_member(pseudonym, first.value)
    except StorycircleError as error:
        say(str(error), error=True)
        return None
    passphrase = first.value
    first.value = second.value = ""
    return passphrase
