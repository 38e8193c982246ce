"""The storycircle vault: age v1 file encryption (C2SP age spec) on `cryptography`.

Files written here open with the reference ``age`` tool and vice versa.
X25519 public keys, hybrid post-quantum ``mlkem768x25519`` public keys
(ML-KEM-768 with X25519) and scrypt passphrases are supported, in binary or
ASCII armor; decryption is strict and all-or-nothing.

Example:
    >>> from storycircle.vault import X25519Identity, decrypt, encrypt
    >>> me = X25519Identity.generate()
    >>> decrypt(encrypt(b"my story", [me.recipient]), [me])
    b'my story'
"""

from __future__ import annotations

from .api import (
    decrypt,
    derive_key,
    encrypt,
    is_age_file,
    recipient_types,
    scrypt_work_factor,
)
from .errors import (
    AgeError,
    ArmorError,
    HeaderError,
    HMACError,
    InputTooLarge,
    KeyFormatError,
    NoIdentityMatch,
    PayloadError,
    UsageError,
    WorkFactorTooHigh,
)
from .keys import AgeIdentity, AgeRecipient, is_hybrid, parse_identity, parse_recipient
from .mlkem768x25519 import HybridIdentity, HybridRecipient
from .protocols import Identity, Recipient
from .scrypt import ScryptIdentity, ScryptRecipient
from .x25519 import X25519Identity, X25519Recipient

__all__ = [
    "AgeError",
    "AgeIdentity",
    "AgeRecipient",
    "ArmorError",
    "HMACError",
    "HeaderError",
    "HybridIdentity",
    "HybridRecipient",
    "Identity",
    "InputTooLarge",
    "KeyFormatError",
    "NoIdentityMatch",
    "PayloadError",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "UsageError",
    "WorkFactorTooHigh",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "derive_key",
    "encrypt",
    "is_age_file",
    "is_hybrid",
    "parse_identity",
    "parse_recipient",
    "recipient_types",
    "scrypt_work_factor",
]
