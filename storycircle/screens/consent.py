"""The consent dialog: what allowing a story in curated collections means.

Consent is a decision, so it is asked for in both directions, and each
question says what it allows and what cannot be recalled.
"""

from __future__ import annotations

from storycircle.screens.dialogs import ConfirmScreen

CONSENT_GIVE = (
    "A curated collection may then include this story: its title, words, tags and "
    "content notes, with your pseudonym and the day it was written. Collections are "
    "public writing, kept unencrypted, and can be exported and passed on as booklets.\n\n"
    "You can withdraw later, but only for new collections: a copy already put in a "
    "collection, exported or shared cannot be recalled."
)
CONSENT_WITHDRAW = (
    "This story will not be put in any new collection.\n\n"
    "Collections that already include it keep their copy, and so does anyone who "
    "exported or received one: those copies cannot be recalled from here. "
    "You can allow it again later."
)


def consent_dialog(allow: bool) -> ConfirmScreen:
    """The question to ask before allowing (``allow``) or withdrawing consent."""
    if allow:
        return ConfirmScreen(
            "Allow this story in curated collections?", CONSENT_GIVE, yes="Allow", no="Not now"
        )
    return ConfirmScreen(
        "Withdraw consent for collections?", CONSENT_WITHDRAW, yes="Withdraw", no="Keep it allowed"
    )


def consent_notice(allowed: bool) -> str:
    """What to say once consent was given (``allowed``) or withdrawn."""
    if allowed:
        return "This story may now be included in curated collections. Press c to withdraw."
    return (
        "Withdrawn: this story will not be put in new collections. "
        "Copies already assembled or shared cannot be recalled."
    )
