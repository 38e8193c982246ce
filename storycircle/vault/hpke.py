"""HPKE (RFC 9180) base-mode single-shot seal and open, for the suite age's hybrid type uses.

KEM MLKEM768-X25519 (id 0x647a), KDF HKDF-SHA256 (0x0001), AEAD ChaCha20Poly1305
(0x0003). The KEM itself lives in :mod:`.mlkem768x25519`; this module is the
key schedule (section 5.1) and the first (sequence number 0) AEAD operation.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from ._primitives import aead_open, aead_seal, hmac_sha256

__all__ = ["open_base", "seal_base"]

_KEM_ID: Final = 0x647A
_KDF_ID: Final = 0x0001
_AEAD_ID: Final = 0x0003
_SUITE_ID: Final = (
    b"HPKE" + _KEM_ID.to_bytes(2, "big") + _KDF_ID.to_bytes(2, "big") + _AEAD_ID.to_bytes(2, "big")
)
_VERSION: Final = b"HPKE-v1"
_MODE_BASE: Final = b"\x00"
_KEY_SIZE: Final = 32
_NONCE_SIZE: Final = 12
_HASH_SIZE: Final = 32


def _labeled_extract(salt: bytes, label: bytes, ikm: bytes) -> bytes:
    # HKDF-Extract is HMAC keyed with the salt; an empty salt equals HashLen
    # zero bytes, as HMAC pads its key with zeros.
    return hmac_sha256(salt, _VERSION + _SUITE_ID + label + ikm)


def _labeled_expand(prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled_info = length.to_bytes(2, "big") + _VERSION + _SUITE_ID + label + info
    # HKDF-Expand (RFC 5869) for at most one hash length of output is its first
    # block, T(1) = HMAC(PRK, info || 0x01): one HMAC call per key on the
    # re-key path, where every story is sealed again.
    if length > _HASH_SIZE:  # pragma: no cover - the suite never asks for more
        raise ValueError("HKDF-Expand output longer than one block")
    return hmac_sha256(prk, labeled_info + b"\x01")[:length]


@cache
def _context(info: bytes) -> bytes:
    """The key schedule context for base mode (no PSK); it depends only on ``info``."""
    psk_id_hash = _labeled_extract(b"", b"psk_id_hash", b"")
    info_hash = _labeled_extract(b"", b"info_hash", info)
    return _MODE_BASE + psk_id_hash + info_hash


def _key_and_nonce(shared_secret: bytes, info: bytes) -> tuple[bytes, bytes]:
    context = _context(info)
    secret = _labeled_extract(shared_secret, b"secret", b"")
    key = _labeled_expand(secret, b"key", context, _KEY_SIZE)
    # The first message uses sequence number 0, so its nonce is base_nonce itself.
    nonce = _labeled_expand(secret, b"base_nonce", context, _NONCE_SIZE)
    return key, nonce


def seal_base(shared_secret: bytes, info: bytes, plaintext: bytes) -> bytes:
    """Encrypt one message under the KEM shared secret (SealBase after Encap), empty aad."""
    key, nonce = _key_and_nonce(shared_secret, info)
    return aead_seal(key, nonce, plaintext)


def open_base(shared_secret: bytes, info: bytes, ciphertext: bytes) -> bytes | None:
    """Decrypt one message (OpenBase after Decap), empty aad; None if the tag does not verify."""
    key, nonce = _key_and_nonce(shared_secret, info)
    return aead_open(key, nonce, ciphertext)
