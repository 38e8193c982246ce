"""What the doctor looks at, and what it finds: the shapes every checker shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storycircle.journal.members import UnlockedMember
    from storycircle.store import Store


@dataclass(frozen=True, slots=True)
class Checkup:
    """What checkers look at.

    Attributes:
        store: The open database (read-only unless repairing).
        member: The unlocked member whose items are checked.
        data_folder: The data folder (consents, the member's collections).
    """

    store: Store
    member: UnlockedMember
    data_folder: Path


@dataclass(frozen=True, slots=True)
class Finding:
    """One damaged item.

    Attributes:
        item: What it is and its id, e.g. ``story 3f2a9c1b0d4e5f60``.
        problem: One line for a person; never any decrypted text.
        repair: What ``--repair`` does about it, run with the store; None when
            nothing can be done safely. Returns a line saying what it did.
        remedy: What the repair would do, in a few words ("drops it").
    """

    item: str
    problem: str
    repair: Callable[[Store], str] | None = None
    remedy: str = ""


@dataclass(slots=True)
class Report:
    """What the doctor found.

    Attributes:
        checked: How many items of each kind were checked, by singular noun
            ("story"; shown through :func:`storycircle.wording.counted`).
        findings: The damaged items, in the order found.
        repaired: One line per repair done (only when repairing).
        remaining: How many damaged items are left after repairs.
    """

    checked: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    remaining: int = 0
