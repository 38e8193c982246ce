"""Exceptions raised by the vault.

Every message is one short line meant for a person, and none of them ever
includes key material, passphrases or plaintext: callers may show them in the
UI as they are.
"""

from __future__ import annotations

__all__ = [
    "AgeError",
    "ArmorError",
    "HMACError",
    "HeaderError",
    "InputTooLarge",
    "KeyFormatError",
    "NoIdentityMatch",
    "PayloadError",
    "UsageError",
    "WorkFactorTooHigh",
]


class AgeError(Exception):
    """Base class of every error raised by the vault."""


class KeyFormatError(AgeError, ValueError):
    """A key string or key bytes could not be parsed."""


class UsageError(AgeError, ValueError):
    """The vault was called with arguments it cannot accept (for example no recipients)."""


class InputTooLarge(AgeError):
    """The input is larger than the vault accepts; nothing was decrypted or encrypted."""


class ArmorError(AgeError):
    """The ASCII armor around an encrypted file is malformed."""


class HeaderError(AgeError):
    """The header of an encrypted file is malformed or uses something unsupported."""


class WorkFactorTooHigh(HeaderError):
    """A passphrase-encrypted file asks for more scrypt work than the identity allows."""


class HMACError(AgeError):
    """The header was unwrapped but its MAC does not match: it was modified."""


class PayloadError(AgeError):
    """The encrypted payload is damaged, truncated or extended."""


class NoIdentityMatch(AgeError):
    """None of the given identities can open the file."""

    def __init__(
        self, message: str = "wrong passphrase or key, or the file is not for you"
    ) -> None:
        super().__init__(message)
