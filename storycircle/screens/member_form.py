"""The checks of a new-member form, shared by the welcome and kiosk admin screens."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input

from storycircle.errors import StorycircleError
from storycircle.sealing.passphrase import looks_like_passphrase
from storycircle.session.session import Session

Say = Callable[..., None]


PSEUDONYM_WARNING = (
    "That pseudonym looks like a passphrase, and a pseudonym is shown to everyone. "
    "It was cleared and not kept: type a short name others will see."
)


def take_new_member(
    session: Session, name_field: Input, first: Input, second: Input, say: Say
) -> str | None:
    """The passphrase of a new member once the form's input is acceptable, else None.

    Says what is wrong through ``say(message, error=True)``. Both passphrase
    fields are emptied once the passphrase is taken, so it lives only in the
    worker that seals the keys. A pseudonym that looks like a passphrase
    (long, or what was typed as the passphrase) is cleared from the screen and
    never used; when it is the passphrase, the passphrase fields are cleared too.
    """
    pseudonym = name_field.value.strip()
    if looks_like_passphrase(pseudonym, first.value):
        if pseudonym and first.value.strip().startswith(pseudonym):
            first.value = second.value = ""  # the passphrase was on screen: choose another
        name_field.value = ""
        name_field.focus()
        say(PSEUDONYM_WARNING, error=True)
        return None
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
