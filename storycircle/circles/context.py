"""What the circle workers need of one member's circles, as a protocol.

:class:`~storycircle.circles.service.Circles` calls the workers (applying a
roster, writing a folder, listing) and they call back into it. Typing them
against this protocol instead of the class keeps the dependency one way:
the service imports the workers, the workers import only this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from storycircle.circles.epochs import EpochKey
    from storycircle.circles.roster import Roster
    from storycircle.clock import Clock
    from storycircle.journal.members import UnlockedMember
    from storycircle.models import Circle
    from storycircle.store import Store
    from storycircle.store.circle_store import CircleStore

Progress = Callable[[int, int], None]
"""Told ``(done, total)`` as long work goes on."""


def no_progress(done: int, total: int) -> None:
    """Progress callback that shows nothing."""


class CircleContext(Protocol):
    """One unlocked member's circles on this installation."""

    store: Store
    rows: CircleStore
    member: UnlockedMember
    clock: Clock

    def key(self, circle_id: str, epoch: int) -> EpochKey:
        """The member's key to one epoch of a circle."""
        ...

    def remember_key(self, key: EpochKey) -> None:
        """Cache a key the member was just granted."""
        ...

    def forget_keys(self, circle_id: str) -> None:
        """Drop the cached keys of a circle."""
        ...

    def folder_of(self, circle_id: str) -> str:
        """The circle's folder on this machine, or ""."""
        ...

    def roster(self, circle_id: str) -> Roster:
        """The circle's roster as known here."""
        ...

    def circles(self) -> list[Circle]:
        """Circles the member is in or invited to, oldest first."""
        ...

    def apply_roster(
        self,
        new: Roster,
        *,
        folder: str,
        signer_id: str = "",
        progress: Progress = no_progress,
        announce: bool = True,
        new_key: EpochKey | None = None,
        notify: tuple[str, ...] = (),
    ) -> Roster:
        """Merge ``new`` into the circle's roster here (the one way a roster changes)."""
        ...
