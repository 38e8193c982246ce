"""Which age recipients a circle file goes to: hybrid post-quantum, or classic.

A member's keys as a circle lists them (roster, card) are one text: their
X25519 recipient ``age1…``, then, when they have one, a space and their hybrid
recipient ``age1pq1…``. Members listed before hybrid keys have the first part
only. An epoch key's recipient is a single key of either kind.

The age spec says a file encrypted to a hybrid recipient should not also be
encrypted to classic ones (the classic stanza would be the weak link), and the
vault refuses to write such a file. So a file for several people uses hybrid
keys only when every one of them has one, and classic keys otherwise; and a
circle's epoch key is hybrid only when every live member has a hybrid key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storycircle import vault
from storycircle.circles.roster import Roster

__all__ = [
    "all_hybrid",
    "can_turn_hybrid",
    "classic_only",
    "describe",
    "has_hybrid",
    "join_keys",
    "member_recipient",
    "recipient_groups",
    "split_keys",
]


def split_keys(text: str) -> tuple[str | None, str | None]:
    """The classic and hybrid recipients in a key text (either may be missing)."""
    classic: str | None = None
    hybrid: str | None = None
    for part in text.split():
        if part.startswith("age1pq1"):
            hybrid = hybrid or part
        else:
            classic = classic or part
    return classic, hybrid


def join_keys(classic: str, hybrid: str | None) -> str:
    """The key text of a member with these recipients."""
    return f"{classic} {hybrid}" if hybrid else classic


def has_hybrid(text: str) -> bool:
    """True if the key text includes a hybrid recipient."""
    return split_keys(text)[1] is not None


def all_hybrid(texts: Iterable[str]) -> bool:
    """True if every key text has a hybrid recipient (and there is at least one)."""
    found = [has_hybrid(t) for t in texts]
    return bool(found) and all(found)


def member_recipient(text: str, *, hybrid: bool) -> vault.AgeRecipient | None:
    """The recipient of one key text for a file of the given kind, or None if it has none.

    Raises:
        vault.KeyFormatError: the key is malformed.
    """
    classic, pq = split_keys(text)
    chosen = pq if hybrid else classic
    return vault.parse_recipient(chosen) if chosen else None


def recipient_groups(texts: Sequence[str]) -> list[list[vault.AgeRecipient]]:
    """Recipients for one content sent to everyone in ``texts``, as few files as possible.

    One all-hybrid group when everyone has a hybrid key; otherwise one classic
    group, plus a hybrid group for the keys that have no classic form (an
    epoch key made hybrid). Duplicates are dropped.

    Raises:
        vault.KeyFormatError: a key is malformed.
    """
    unique = list(dict.fromkeys(texts))
    if all_hybrid(unique):
        return [[r for t in unique if (r := member_recipient(t, hybrid=True)) is not None]]
    classic = [r for t in unique if (r := member_recipient(t, hybrid=False)) is not None]
    hybrid_only = [
        r
        for t in unique
        if split_keys(t)[0] is None and (r := member_recipient(t, hybrid=True)) is not None
    ]
    return [group for group in (classic, hybrid_only) if group]


def classic_only(roster: Roster) -> list[str]:
    """Pseudonyms of the live members whose listed keys include no hybrid key."""
    return [m.pseudonym for m in roster.live() if not has_hybrid(m.recipient)]


def can_turn_hybrid(roster: Roster) -> bool:
    """True when a new epoch would be post-quantum throughout and the current one is not.

    That is when every live member lists a hybrid key, but the epoch key is
    classic or was granted to someone's classic key (they listed their hybrid
    key after it was granted): the host then starts a new epoch.
    """
    live = roster.live()
    if not all_hybrid(m.recipient for m in live):
        return False
    if not has_hybrid(roster.epoch_recipient):
        return True
    return any(_to_classic_key(roster.grants.get(m.id, b"")) for m in live)


def _to_classic_key(grant: bytes) -> bool:
    # A grant is a binary age file made here or by the member who invited:
    # its header names the kind of key it was encrypted to.
    header = grant.split(b"\n--- ", 1)[0]
    return b"\n-> X25519 " in header


def describe(roster: Roster) -> str:
    """One line saying whether the circle's key is post-quantum, and who keeps it classic."""
    if can_turn_hybrid(roster):
        return (
            "Circle key: everyone now has a post-quantum key; the host's app starts a "
            "post-quantum circle key at its next refresh."
        )
    names = classic_only(roster)
    who = ", ".join(names)
    verb = "has" if len(names) == 1 else "have"
    if roster.epoch_recipient.startswith("age1pq1"):
        if not names:
            return "Circle key: post-quantum (ML-KEM-768 with X25519) for everyone."
        return (
            f"Circle key: post-quantum, but {who} {verb} only a classic key, which is "
            "as safe as X25519 alone; at the next new key the circle falls back to classic."
        )
    if names:
        return (
            f"Circle key: classic X25519 only, because {who} {verb} only a classic key "
            "(a file cannot mix post-quantum and classic keys)."
        )
    return "Circle key: classic X25519."
