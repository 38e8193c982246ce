"""Thin wrappers around the `cryptography` primitives the age format needs.

Keeping them in one place means every module derives keys, MACs and AEAD
ciphertexts the same way, and the strict base64 rules live in one function.
"""

from __future__ import annotations

import binascii
import hmac
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "FILE_KEY_SIZE",
    "ZERO_NONCE",
    "aead_open",
    "aead_seal",
    "b64decode_canonical",
    "b64encode_raw",
    "hkdf_sha256",
    "hmac_sha256",
    "macs_equal",
    "random_bytes",
]

#: Size of the symmetric file key every recipient stanza wraps.
FILE_KEY_SIZE: Final = 16

#: Stanza bodies are encrypted once under a single-use key, so age fixes the nonce.
ZERO_NONCE: Final = bytes(12)

_SHA256: Final = hashes.SHA256()


def random_bytes(n: int) -> bytes:
    """Return ``n`` bytes from the operating system CSPRNG."""
    return os.urandom(n)


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    """Derive a 32-byte key with HKDF-SHA-256 (extract then expand), as age specifies."""
    return HKDF(algorithm=_SHA256, length=32, salt=salt, info=info).derive(ikm)


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """Return HMAC-SHA-256 of ``message``; the stdlib one-shot call is backed by OpenSSL."""
    return hmac.digest(key, message, "sha256")


def macs_equal(a: bytes, b: bytes) -> bool:
    """Compare two MACs in constant time."""
    return hmac.compare_digest(a, b)


def aead_seal(key: bytes, nonce: bytes, plaintext: bytes) -> bytes:
    """Encrypt with ChaCha20-Poly1305 and no associated data."""
    return ChaCha20Poly1305(key).encrypt(nonce, plaintext, None)


def aead_open(key: bytes, nonce: bytes, ciphertext: bytes) -> bytes | None:
    """Decrypt with ChaCha20-Poly1305, returning None when the tag does not verify.

    Returning None instead of raising lets callers decide whether a bad tag means
    "not for this identity" or "damaged file".
    """
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, ciphertext, None)
    except InvalidTag:
        return None


def b64encode_raw(data: bytes) -> bytes:
    """Encode as standard base64 without ``=`` padding, as the age header uses."""
    return binascii.b2a_base64(data, newline=False).rstrip(b"=")


def b64decode_canonical(text: bytes) -> bytes:
    """Decode unpadded standard base64, rejecting every non-canonical form.

    Python's decoder is lenient (it ignores unused trailing bits, for one), and a
    lenient decoder makes the header malleable, so the result is re-encoded and
    compared with the input.

    Raises:
        ValueError: if ``text`` is not the canonical unpadded encoding of any bytes.
    """
    if b"=" in text or len(text) % 4 == 1:
        raise ValueError("not canonical unpadded base64")
    padded = text + b"=" * (-len(text) % 4)
    # strict_mode rejects characters outside the alphabet, including line breaks.
    raw = binascii.a2b_base64(padded, strict_mode=True)
    if binascii.b2a_base64(raw, newline=False) != padded:
        raise ValueError("not canonical unpadded base64")
    return raw
