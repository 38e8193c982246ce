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


LONG_PSEUDONYM = 24
"""A pseudonym this long or longer looks more like a passphrase than a name."""


def looks_like_passphrase(pseudonym: str, passphrase: str = "") -> bool:
    """True when ``pseudonym`` looks like a passphrase typed in the wrong field.

    That is: it equals the passphrase typed with it (or its start, where the
    pseudonym field cut it), it is long, or it is one long word mixing letters
    with digits or symbols, the way generated passphrases and passwords look.
    """
    name = pseudonym.strip()
    if not name:
        return False
    if passphrase and (
        name == passphrase.strip() or (len(name) >= 20 and passphrase.startswith(name))
    ):
        return True
    if len(name) >= LONG_PSEUDONYM:
        return True
    mixed = any(c.isalpha() for c in name) and any(not c.isalpha() for c in name)
    return len(name) >= MIN_LENGTH and " " not in name and mixed
