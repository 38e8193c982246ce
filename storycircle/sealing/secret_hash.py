"""Slow, salted hashes of short secrets (the kiosk facilitator's PIN).

A hash is stored as ``scrypt$<log2 N>$<salt>$<hash>`` in base64, so the work
factor can grow later without invalidating hashes already stored.
"""

from __future__ import annotations

import base64
import hmac
import secrets

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAX_WORK_FACTOR = 22
"""The highest work factor a stored hash may ask for (a planted file cannot stall us)."""

_SALT_BYTES = 16
_HASH_BYTES = 32


def _kdf(salt: bytes, work_factor: int) -> Scrypt:
    return Scrypt(salt=salt, length=_HASH_BYTES, n=2**work_factor, r=8, p=1)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_secret(secret: str, *, work_factor: int) -> str:
    """The stored form of ``secret``, with a fresh salt."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _kdf(salt, work_factor).derive(secret.encode("utf-8"))
    return f"scrypt${work_factor}${_b64(salt)}${_b64(digest)}"


def secret_matches(secret: str, stored: str) -> bool:
    """True when ``secret`` matches the stored form ``stored`` (slow on purpose).

    A damaged or unknown stored form never matches; it does not raise.
    """
    parts = stored.strip().split("$")
    if len(parts) != 4 or parts[0] != "scrypt" or not parts[1].isdigit():
        return False
    work_factor = int(parts[1])
    if not 1 <= work_factor <= MAX_WORK_FACTOR:
        return False
    try:
        salt = base64.b64decode(parts[2], validate=True)
        expected = base64.b64decode(parts[3], validate=True)
    except ValueError:
        return False
    if len(expected) != _HASH_BYTES:
        return False
    digest = _kdf(salt, work_factor).derive(secret.encode("utf-8"))
    return hmac.compare_digest(digest, expected)
