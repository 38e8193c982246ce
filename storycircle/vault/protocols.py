"""The two interfaces a recipient type implements: wrapping and unwrapping the file key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ._format import Stanza

__all__ = ["Identity", "Recipient"]


@runtime_checkable
class Recipient(Protocol):
    """Something a file can be encrypted to (a public key, a passphrase)."""

    def wrap(self, file_key: bytes) -> Sequence[Stanza]:
        """Wrap the 16-byte file key into one or more recipient stanzas.

        Args:
            file_key: The fresh random file key of the file being encrypted.

        Returns:
            The stanzas to write in the header.
        """
        ...


@runtime_checkable
class Identity(Protocol):
    """Something that can open files (a private key, a passphrase)."""

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Recover the file key from the header's stanzas.

        Implementations ignore stanzas of other types, and validate every stanza
        of their own type before attempting any decryption.

        Args:
            stanzas: All stanzas of the header, in order.

        Returns:
            The 16-byte file key, or None if no stanza is addressed to this identity.

        Raises:
            HeaderError: if a stanza of this identity's type is malformed.
        """
        ...
