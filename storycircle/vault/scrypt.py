"""The scrypt recipient type: files protected by a passphrase."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ._format import Stanza
from ._primitives import (
    FILE_KEY_SIZE,
    ZERO_NONCE,
    aead_open,
    aead_seal,
    b64decode_canonical,
    b64encode_raw,
    random_bytes,
)
from .errors import HeaderError, UsageError, WorkFactorTooHigh
from .limits import DEFAULT_MAX_WORK_FACTOR, MAX_WORK_FACTOR

__all__ = ["STANZA_TYPE", "ScryptIdentity", "ScryptRecipient"]

STANZA_TYPE: Final = "scrypt"
_LABEL: Final = b"age-encryption.org/v1/scrypt"
_SALT_SIZE: Final = 16
_WRAPPED_SIZE: Final = FILE_KEY_SIZE + 16
# Decimal without sign or leading zeros; two digits are plenty (the ceiling is 30).
_WORK_FACTOR: Final = re.compile(r"[1-9][0-9]?")
_DAMAGED: Final = "the file is damaged: "


def _wrap_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase)


def _check_work_factor(value: int, name: str, ceiling: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ceiling:
        raise UsageError(f"{name} must be an integer from 1 to {ceiling}")
    return value


class ScryptRecipient:
    """A passphrase that a file is encrypted to.

    A passphrase must be the only recipient of a file: mixing it with public
    keys would let any key holder produce a file that seems passphrase-protected.
    """

    __slots__ = ("_passphrase", "_work_factor")

    def __init__(self, passphrase: str, work_factor: int = 18) -> None:
        """Create a passphrase recipient.

        Args:
            passphrase: The passphrase, encoded as UTF-8 without normalization.
            work_factor: log2 of the scrypt cost N, from 1 to the default
                maximum a reader accepts (22), so that every file written here
                opens with a default :class:`ScryptIdentity`.

        Raises:
            UsageError: if the passphrase is empty or the work factor out of range.
        """
        if not passphrase:
            raise UsageError("the passphrase must not be empty")
        self._passphrase = passphrase.encode("utf-8")
        self._work_factor = _check_work_factor(
            work_factor, "the work factor", DEFAULT_MAX_WORK_FACTOR
        )

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """Wrap the file key under a key derived from the passphrase and a fresh salt."""
        salt = random_bytes(_SALT_SIZE)
        body = aead_seal(_wrap_key(self._passphrase, salt, self._work_factor), ZERO_NONCE, file_key)
        args = (b64encode_raw(salt).decode("ascii"), str(self._work_factor))
        return [Stanza(STANZA_TYPE, args, body)]

    def __repr__(self) -> str:
        return f"ScryptRecipient(work_factor={self._work_factor})"


def _parse_stanza(stanza: Stanza) -> tuple[bytes, int, bytes]:
    """Validate an scrypt stanza; return its salt, work factor and body."""
    if len(stanza.args) != 2:
        raise HeaderError(_DAMAGED + "the passphrase recipient has the wrong number of arguments")
    salt_text, work_factor_text = stanza.args
    try:
        salt = b64decode_canonical(salt_text.encode("ascii"))
    except ValueError:
        raise HeaderError(_DAMAGED + "the passphrase salt is not canonical base64") from None
    if len(salt) != _SALT_SIZE:
        raise HeaderError(_DAMAGED + "the passphrase salt has the wrong length")
    if not _WORK_FACTOR.fullmatch(work_factor_text):
        raise HeaderError(_DAMAGED + "the passphrase work factor is not a valid number")
    # Checked before any decryption, against partitioning oracles.
    if len(stanza.body) != _WRAPPED_SIZE:
        raise HeaderError(_DAMAGED + "the passphrase-wrapped key has the wrong length")
    return salt, int(work_factor_text), stanza.body


class ScryptIdentity:
    """A passphrase that can open passphrase-protected files."""

    __slots__ = ("_max_work_factor", "_passphrase")

    def __init__(self, passphrase: str, max_work_factor: int = DEFAULT_MAX_WORK_FACTOR) -> None:
        """Create a passphrase identity.

        Args:
            passphrase: The passphrase, encoded as UTF-8 without normalization.
            max_work_factor: The largest scrypt work factor this identity will
                compute (1-30). Files asking for more are refused before any
                work, since a hostile file could otherwise demand hours of CPU
                or gigabytes of memory. 22 needs about 4 GiB.

        Raises:
            UsageError: if ``max_work_factor`` is out of range.
        """
        self._passphrase = passphrase.encode("utf-8")
        self._max_work_factor = _check_work_factor(
            max_work_factor, "the maximum work factor", MAX_WORK_FACTOR
        )

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Return the file key if the passphrase opens the scrypt stanza.

        Returns:
            The file key, or None if there is no scrypt stanza or the passphrase is wrong.

        Raises:
            HeaderError: if the scrypt stanza is malformed or not alone.
            WorkFactorTooHigh: if the file asks for more work than allowed.
        """
        mine = [s for s in stanzas if s.type == STANZA_TYPE]
        if not mine:
            return None
        if len(stanzas) != 1:
            raise HeaderError(_DAMAGED + "a passphrase must be the only recipient of a file")
        salt, work_factor, body = _parse_stanza(mine[0])
        if work_factor > self._max_work_factor:
            raise WorkFactorTooHigh(
                f"the file asks for passphrase work factor {work_factor}; "
                f"the limit is {self._max_work_factor}"
            )
        try:
            wrap_key = _wrap_key(self._passphrase, salt, work_factor)
        except MemoryError:
            raise WorkFactorTooHigh(
                f"not enough memory for passphrase work factor {work_factor}"
            ) from None
        return aead_open(wrap_key, ZERO_NONCE, body)

    def __repr__(self) -> str:
        return f"ScryptIdentity(max_work_factor={self._max_work_factor})"
