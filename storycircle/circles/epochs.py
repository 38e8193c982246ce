"""Circle epoch keys and the grants that hand them to members.

A circle has one X25519 key per epoch. Every story shared to the circle is
encrypted to the current epoch's recipient (and to its author); each member
holds a *grant*, the epoch's secret encrypted to their own recipient. Removing
or losing a member starts a new epoch whose key only those who remain receive.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from storycircle import vault
from storycircle.errors import StorycircleError
from storycircle.keys import ScopeKeys, hkdf
from storycircle.models import CIRCLE_SCOPE_PREFIX

CIRCLE_INFO = b"storycircle/circle/v1"
_GRANT_HEADER = "storycircle-grant/v1"


class GrantError(StorycircleError):
    """A grant does not open, or belongs to another circle or epoch."""


@dataclass(frozen=True, repr=False)
class EpochKey:
    """The key of one epoch of one circle. ``repr`` never shows the secret.

    Attributes:
        circle_id: The circle.
        epoch: The epoch number.
        identity: The epoch's identity: hybrid post-quantum, or X25519 for
            epochs made before hybrid keys (or for circles with classic-only members).
    """

    circle_id: str
    epoch: int
    identity: vault.AgeIdentity

    def __repr__(self) -> str:
        return f"EpochKey(circle_id={self.circle_id!r}, epoch={self.epoch})"

    @property
    def recipient(self) -> str:
        """The epoch's age recipient (public)."""
        return str(self.identity.recipient)

    @cached_property
    def scope(self) -> ScopeKeys:
        """Tag and summary keys of this epoch (tokens change with every epoch)."""
        return ScopeKeys.from_secret(
            CIRCLE_SCOPE_PREFIX + self.circle_id, hkdf(self.identity.to_bytes(), CIRCLE_INFO)
        )

    def grant_to(self, recipient: str) -> bytes:
        """This key encrypted to one member's age recipient."""
        payload = f"{_GRANT_HEADER}\n{self.circle_id}\n{self.epoch}\n{self.identity}\n"
        return vault.encrypt(payload.encode("ascii"), [vault.parse_recipient(recipient)])


def new_epoch_key(circle_id: str, epoch: int) -> EpochKey:
    """A fresh random key for an epoch of a circle."""
    return EpochKey(circle_id, epoch, vault.X25519Identity.generate())


def open_grant(blob: bytes, circle_id: str, epoch: int, identity: vault.X25519Identity) -> EpochKey:
    """Open a member's grant with their identity.

    Raises:
        GrantError: it is not for this identity, circle or epoch, or is damaged.
    """
    try:
        lines = vault.decrypt(blob, [identity]).decode("ascii").split("\n")
    except (vault.AgeError, UnicodeDecodeError):
        raise GrantError(f"your key to circle {circle_id} does not open") from None
    if len(lines) < 4 or lines[0] != _GRANT_HEADER or lines[1:3] != [circle_id, str(epoch)]:
        raise GrantError(f"your key to circle {circle_id} belongs to another circle")
    try:
        epoch_identity = vault.parse_identity(lines[3])
    except vault.AgeError:
        raise GrantError(f"your key to circle {circle_id} is damaged") from None
    return EpochKey(circle_id, epoch, epoch_identity)
