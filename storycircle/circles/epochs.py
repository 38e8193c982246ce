"""Circle epoch keys and the grants that hand them to members.

A circle has one key per epoch: hybrid post-quantum when every live member
has a hybrid key, X25519 otherwise (see :mod:`storycircle.circles.keysets`).
Every story shared to the circle is encrypted to the current epoch's
recipient (and to its author); each member holds a *grant*, the epoch's
secret encrypted to their own key (their hybrid one when they have it).
Removing or losing a member starts a new epoch whose key only those who
remain receive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from storycircle import vault
from storycircle.circles.keysets import all_hybrid, has_hybrid, member_recipient
from storycircle.errors import StorycircleError
from storycircle.models import CIRCLE_SCOPE_PREFIX
from storycircle.sealing.keys import ScopeKeys, hkdf

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

    @property
    def hybrid(self) -> bool:
        """True if this epoch's key is hybrid post-quantum."""
        return vault.is_hybrid(self.identity)

    def grant_to(self, recipient: str) -> bytes:
        """This key encrypted to one member (their key text): to their hybrid key if any."""
        payload = f"{_GRANT_HEADER}\n{self.circle_id}\n{self.epoch}\n{self.identity}\n"
        target = member_recipient(recipient, hybrid=has_hybrid(recipient))
        if target is None:
            raise GrantError("a member of this circle has no usable key")
        return vault.encrypt(payload.encode("ascii"), [target])


def new_epoch_key(circle_id: str, epoch: int, member_keys: Sequence[str] = ()) -> EpochKey:
    """A fresh random key for an epoch of a circle.

    Args:
        circle_id: The circle.
        epoch: The epoch number.
        member_keys: Key texts of the members who will hold it: the key is
            hybrid post-quantum when every one has a hybrid key, else X25519.
    """
    if all_hybrid(member_keys):
        return EpochKey(circle_id, epoch, vault.HybridIdentity.generate())
    return EpochKey(circle_id, epoch, vault.X25519Identity.generate())


def open_grant(
    blob: bytes, circle_id: str, epoch: int, identities: Sequence[vault.Identity]
) -> EpochKey:
    """Open a member's grant with their identities.

    Raises:
        GrantError: it is not for these identities, circle or epoch, or is damaged.
    """
    try:
        lines = vault.decrypt(blob, identities).decode("ascii").split("\n")
    except (vault.AgeError, UnicodeDecodeError):
        raise GrantError(f"your key to circle {circle_id} does not open") from None
    if len(lines) < 4 or lines[0] != _GRANT_HEADER or lines[1:3] != [circle_id, str(epoch)]:
        raise GrantError(f"your key to circle {circle_id} belongs to another circle")
    try:
        epoch_identity = vault.parse_identity(lines[3])
    except vault.AgeError:
        raise GrantError(f"your key to circle {circle_id} is damaged") from None
    return EpochKey(circle_id, epoch, epoch_identity)
