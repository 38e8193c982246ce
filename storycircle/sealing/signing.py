"""Ed25519 signatures: the one module that makes, reads, signs with and checks them.

Stories, circle events, version records and curated collections are all
signed with Ed25519. Every one of them goes through these few functions, so
that how a key is read, how a bad key or signature fails, and which exception
reaches the caller are decided once: a key or signature that is malformed or
does not hold is always :class:`BadSignature`.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SigningKey = Ed25519PrivateKey
"""A private Ed25519 key: a member's, or a curator's."""

VerifyKey = Ed25519PublicKey
"""A public Ed25519 key that signatures are checked against."""


class BadSignature(ValueError):
    """A signature that does not hold, or a key or signature that is malformed."""


def new_signing_key() -> SigningKey:
    """A fresh random signing key."""
    return Ed25519PrivateKey.generate()


def signing_key_from_raw(raw: bytes) -> SigningKey:
    """The signing key whose 32 raw bytes are ``raw``.

    Raises:
        BadSignature: ``raw`` is not 32 bytes.
    """
    try:
        return Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError:
        raise BadSignature("a signing key is 32 bytes") from None


def raw_private(key: SigningKey) -> bytes:
    """The 32 raw bytes of a signing key (seal them before they are stored)."""
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def raw_public(key: SigningKey | VerifyKey) -> bytes:
    """The 32 raw bytes of the public half of ``key``."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes_raw()


def verify_key(raw: bytes) -> VerifyKey:
    """The public key whose 32 raw bytes are ``raw``.

    Raises:
        BadSignature: ``raw`` is not a public key.
    """
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise BadSignature("a public signing key is 32 bytes") from None


def sign(key: SigningKey, message: bytes) -> bytes:
    """The 64-byte signature of ``message`` by ``key``."""
    return key.sign(message)


def verify(key: VerifyKey, signature: bytes, message: bytes) -> None:
    """Check that ``signature`` is ``key``'s signature of ``message``.

    Raises:
        BadSignature: it is not.
    """
    try:
        key.verify(signature, message)
    except InvalidSignature:
        raise BadSignature("the signature does not hold") from None


def read_pem_signing_key(data: bytes, passphrase: str | None) -> SigningKey:
    """An Ed25519 key from a PKCS#8 PEM file's bytes (a curator's key file).

    Raises:
        TypeError: the file is encrypted and no passphrase was given.
        ValueError: not a PEM private key, or the passphrase is wrong.
        BadSignature: a private key, but not an Ed25519 one.
    """
    key = serialization.load_pem_private_key(
        data, password=passphrase.encode("utf-8") if passphrase else None
    )
    if not isinstance(key, Ed25519PrivateKey):
        raise BadSignature("the key file holds a key that is not Ed25519")
    return key
