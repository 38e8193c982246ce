"""The passphrase strength floor, explained in plain words.

The floor is deliberately simple so a person can understand why a passphrase
was refused: length matters most, and a few patterns that look long but are
guessed first are refused by name.
"""

from __future__ import annotations

from storycircle.errors import WeakPassphrase

MIN_LENGTH = 12
MAX_LENGTH = 1024

RULE = (
    f"Use at least {MIN_LENGTH} characters. Four or more unrelated words "
    '(like "kettle orbit maple seventeen") are strong and easy to remember.'
)

_COMMON = frozenset(
    {
        "password1234",
        "passwordpassword",
        "123456789012",
        "qwertyuiopas",
        "iloveyou1234",
        "letmeinletmein",
        "correcthorsebatterystaple",
    }
)
_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def check_strength(passphrase: str, *, pseudonym: str = "") -> None:
    """Refuse a passphrase below the floor.

    Raises:
        WeakPassphrase: with one line saying what to change.
    """
    if len(passphrase) < MIN_LENGTH:
        raise WeakPassphrase(
            f"a passphrase needs at least {MIN_LENGTH} characters "
            f"(this one has {len(passphrase)}); four unrelated words work well"
        )
    if len(passphrase) > MAX_LENGTH:
        raise WeakPassphrase(f"a passphrase can be at most {MAX_LENGTH} characters")
    folded = "".join(passphrase.casefold().split())
    if len(set(folded)) <= 3:
        raise WeakPassphrase("a passphrase made of one or two repeated characters is guessed first")
    if folded in _COMMON or any(folded in run * 2 for run in _RUNS):
        raise WeakPassphrase("that passphrase is one of the first ones guessed; choose another")
    name = "".join(pseudonym.casefold().split())
    if len(name) >= 3 and name in folded and len(folded) - len(name) < MIN_LENGTH:
        raise WeakPassphrase("a passphrase built around your pseudonym is guessed first")
