"""Parsing age key strings of every native type: X25519 and hybrid post-quantum.

The Bech32 prefix says the type: ``age1...`` / ``AGE-SECRET-KEY-1...`` are X25519,
``age1pq1...`` / ``AGE-SECRET-KEY-PQ-1...`` are ``mlkem768x25519`` (ML-KEM-768
with X25519). Only the exact length of each type is accepted.
"""

from __future__ import annotations

from typing import Final, TypeAlias

from . import bech32
from . import mlkem768x25519 as _pq
from . import x25519 as _x
from .errors import KeyFormatError
from .mlkem768x25519 import HybridIdentity, HybridRecipient
from .x25519 import X25519Identity, X25519Recipient

__all__ = [
    "AgeIdentity",
    "AgeRecipient",
    "is_hybrid",
    "parse_identity",
    "parse_recipient",
]

#: A public key files can be encrypted to.
AgeRecipient: TypeAlias = X25519Recipient | HybridRecipient
#: A private key that opens files.
AgeIdentity: TypeAlias = X25519Identity | HybridIdentity

_X25519_SIZE: Final = 32
_HYBRID_SEED_SIZE: Final = 32


def _decode(text: str, what: str) -> tuple[str, bytes]:
    try:
        return bech32.decode(text.strip())
    except bech32.Bech32Error as exc:
        raise KeyFormatError(f"not a valid {what}: {exc}") from None


def parse_recipient(text: str) -> AgeRecipient:
    """Parse an ``age1...`` (X25519) or ``age1pq1...`` (hybrid post-quantum) public key.

    Surrounding whitespace is ignored; the key itself must be exact.

    Raises:
        KeyFormatError: with a short reason if the string is not a usable age public key.
    """
    hrp, data = _decode(text, "age public key")
    if hrp == _pq.RECIPIENT_HRP:
        if len(data) != _pq.PUBLIC_KEY_SIZE:
            raise KeyFormatError("not a valid post-quantum age public key: wrong length")
        return HybridRecipient(data)
    if hrp != _x.RECIPIENT_HRP:
        raise KeyFormatError("not a valid age public key: it should start with age1")
    if len(data) != _X25519_SIZE:
        raise KeyFormatError("not a valid age public key: wrong length")
    return X25519Recipient(data)


def parse_identity(text: str) -> AgeIdentity:
    """Parse an ``AGE-SECRET-KEY-1...`` or ``AGE-SECRET-KEY-PQ-1...`` secret key.

    Surrounding whitespace is ignored; the key itself must be exact.

    Raises:
        KeyFormatError: with a short reason if the string is not an age secret key.
    """
    hrp, data = _decode(text, "age secret key")
    if hrp == _pq.IDENTITY_HRP:
        if len(data) != _HYBRID_SEED_SIZE:
            raise KeyFormatError("not a valid post-quantum age secret key: wrong length")
        return HybridIdentity(data)
    if hrp != _x.IDENTITY_HRP:
        raise KeyFormatError("not a valid age secret key: it should start with AGE-SECRET-KEY-1")
    if len(data) != _X25519_SIZE:
        raise KeyFormatError("not a valid age secret key: wrong length")
    return X25519Identity(data)


def is_hybrid(key: AgeRecipient | AgeIdentity) -> bool:
    """Tell whether a key is the hybrid post-quantum type."""
    return isinstance(key, HybridRecipient | HybridIdentity)
