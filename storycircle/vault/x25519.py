"""The X25519 recipient type: ``age1...`` public keys and ``AGE-SECRET-KEY-1...`` identities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from . import bech32
from ._format import Stanza
from ._primitives import (
    FILE_KEY_SIZE,
    ZERO_NONCE,
    aead_open,
    aead_seal,
    b64decode_canonical,
    b64encode_raw,
    hkdf_sha256,
)
from .errors import HeaderError, KeyFormatError, UsageError

__all__ = ["IDENTITY_HRP", "RECIPIENT_HRP", "STANZA_TYPE", "X25519Identity", "X25519Recipient"]

STANZA_TYPE: Final = "X25519"
_LABEL: Final = b"age-encryption.org/v1/X25519"
_KEY_SIZE: Final = 32
_WRAPPED_SIZE: Final = FILE_KEY_SIZE + 16  # file key plus Poly1305 tag
RECIPIENT_HRP: Final = "age"
IDENTITY_HRP: Final = "age-secret-key-"
_ALL_ZERO: Final = bytes(_KEY_SIZE)
_DAMAGED: Final = "the file is damaged: "


def _shared_secret(private: X25519PrivateKey, public: X25519PublicKey) -> bytes | None:
    """Return the X25519 shared secret, or None if it is all zeros (a low-order point)."""
    try:
        shared = private.exchange(public)
    except ValueError:
        # OpenSSL refuses to return the all-zero secret.
        return None
    return None if shared == _ALL_ZERO else shared


# Any clamped scalar maps exactly the low-order points to zero, so a fixed,
# non-secret scalar is enough to recognise unusable public keys.
_PROBE: Final = X25519PrivateKey.from_private_bytes(bytes([0x42]) * _KEY_SIZE)


class X25519Recipient:
    """An X25519 public key that files can be encrypted to."""

    __slots__ = ("_key", "_public")

    def __init__(self, public: bytes) -> None:
        """Use :meth:`from_bytes` or :func:`parse_recipient` instead."""
        if len(public) != _KEY_SIZE:
            raise KeyFormatError("an age public key must be 32 bytes")
        self._public = bytes(public)
        self._key = X25519PublicKey.from_public_bytes(self._public)
        if _shared_secret(_PROBE, self._key) is None:
            raise KeyFormatError("this age public key is not usable (low-order point)")

    @classmethod
    def _derived(cls, public: bytes) -> X25519Recipient:
        """Build a recipient for a public key computed from a private key (never low-order)."""
        self = cls.__new__(cls)
        self._public = public
        self._key = X25519PublicKey.from_public_bytes(public)
        return self

    @classmethod
    def from_bytes(cls, public: bytes) -> X25519Recipient:
        """Build a recipient from its raw 32-byte public key.

        Raises:
            KeyFormatError: if the key is not 32 bytes or is a low-order point.
        """
        return cls(public)

    def to_bytes(self) -> bytes:
        """Return the raw 32-byte public key."""
        return self._public

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """Wrap the file key for this public key with a fresh ephemeral key."""
        ephemeral = X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        shared = _shared_secret(ephemeral, self._key)
        if shared is None:  # pragma: no cover - rejected by the constructor
            raise UsageError("this age public key is not usable")
        wrap_key = hkdf_sha256(shared, share + self._public, _LABEL)
        body = aead_seal(wrap_key, ZERO_NONCE, file_key)
        return [Stanza(STANZA_TYPE, (b64encode_raw(share).decode("ascii"),), body)]

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self._public)

    def __repr__(self) -> str:
        return f"X25519Recipient({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, X25519Recipient):
            return NotImplemented
        return self._public == other._public

    def __hash__(self) -> int:
        return hash((X25519Recipient, self._public))


def _parse_stanza(stanza: Stanza) -> tuple[X25519PublicKey, bytes, bytes]:
    """Validate an X25519 stanza; return the share (as key and bytes) and the body."""
    if len(stanza.args) != 1:
        raise HeaderError(_DAMAGED + "an X25519 recipient has the wrong number of arguments")
    try:
        share = b64decode_canonical(stanza.args[0].encode("ascii"))
    except ValueError:
        raise HeaderError(_DAMAGED + "an X25519 share is not canonical base64") from None
    if len(share) != _KEY_SIZE:
        raise HeaderError(_DAMAGED + "an X25519 share has the wrong length")
    # Checked before any decryption, so a body of another size cannot be used
    # as a partitioning oracle.
    if len(stanza.body) != _WRAPPED_SIZE:
        raise HeaderError(_DAMAGED + "an X25519 wrapped key has the wrong length")
    return X25519PublicKey.from_public_bytes(share), share, stanza.body


class X25519Identity:
    """An X25519 private key that can open files encrypted to its recipient."""

    __slots__ = ("_key", "_public", "_recipient", "_secret")

    def __init__(self, secret: bytes) -> None:
        """Use :meth:`generate`, :meth:`from_bytes` or :func:`parse_identity` instead."""
        if len(secret) != _KEY_SIZE:
            raise KeyFormatError("an age secret key must be 32 bytes")
        self._secret = bytes(secret)
        self._key = X25519PrivateKey.from_private_bytes(self._secret)
        self._public = self._key.public_key().public_bytes_raw()
        self._recipient: X25519Recipient | None = None

    @classmethod
    def generate(cls) -> X25519Identity:
        """Create a new random identity."""
        return cls(X25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_bytes(cls, secret: bytes) -> X25519Identity:
        """Build an identity from its raw 32-byte secret scalar.

        Raises:
            KeyFormatError: if ``secret`` is not 32 bytes.
        """
        return cls(secret)

    def to_bytes(self) -> bytes:
        """Return the raw 32-byte secret scalar. Handle with care."""
        return self._secret

    @property
    def recipient(self) -> X25519Recipient:
        """The public recipient that files for this identity are encrypted to."""
        if self._recipient is None:
            self._recipient = X25519Recipient._derived(self._public)
        return self._recipient

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Return the file key from the first X25519 stanza addressed to this key.

        Raises:
            HeaderError: if any X25519 stanza is malformed or uses a low-order share.
        """
        # Validate all of our stanzas first, so a malformed one is an error no
        # matter where it sits relative to ours.
        mine = [_parse_stanza(s) for s in stanzas if s.type == STANZA_TYPE]
        for share_key, share, body in mine:
            shared = _shared_secret(self._key, share_key)
            if shared is None:
                raise HeaderError(_DAMAGED + "an X25519 share is a low-order point")
            wrap_key = hkdf_sha256(shared, share + self._public, _LABEL)
            file_key = aead_open(wrap_key, ZERO_NONCE, body)
            if file_key is not None:
                return file_key
        return None

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self._secret).upper()

    def __repr__(self) -> str:
        # Never include the secret: reprs end up in logs and tracebacks.
        return f"X25519Identity(recipient={str(self.recipient)!r})"
