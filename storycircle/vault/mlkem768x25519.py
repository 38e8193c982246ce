"""The hybrid post-quantum recipient type ``mlkem768x25519`` (C2SP age, "X-Wing").

``age1pq1...`` recipients and ``AGE-SECRET-KEY-PQ-1...`` identities. The file key
is sealed with HPKE (RFC 9180) base mode: KEM MLKEM768-X25519 (draft-ietf-hpke-pq,
the X-Wing combiner), KDF HKDF-SHA256, AEAD ChaCha20-Poly1305, info
``age-encryption.org/mlkem768x25519`` and empty associated data. An attacker
must break both ML-KEM-768 and X25519 to learn the file key.

ML-KEM-768 and X25519 come from ``cryptography``; SHAKE256 and SHA3-256 from
``hashlib``. Nothing here is a new construction: it is the spec's, step by step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from cryptography.hazmat.primitives.asymmetric.mlkem import MLKEM768PrivateKey, MLKEM768PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from . import bech32
from ._format import Stanza
from ._primitives import FILE_KEY_SIZE, b64decode_canonical, b64encode_raw, random_bytes
from .errors import HeaderError, KeyFormatError
from .hpke import open_base, seal_base

__all__ = [
    "IDENTITY_HRP",
    "RECIPIENT_HRP",
    "STANZA_TYPE",
    "HybridIdentity",
    "HybridRecipient",
]

STANZA_TYPE: Final = "mlkem768x25519"
RECIPIENT_HRP: Final = "age1pq"
IDENTITY_HRP: Final = "age-secret-key-pq-"

_INFO: Final = b"age-encryption.org/mlkem768x25519"
#: The X-Wing combiner's domain-separation label, the six ASCII bytes \.//^\ .
_XWING_LABEL: Final = b"\\.//^\\"
_SEED_SIZE: Final = 32
_MLKEM_SEED_SIZE: Final = 64  # d || z of FIPS 203
_MLKEM_PUBLIC_SIZE: Final = 1184
_MLKEM_CIPHERTEXT_SIZE: Final = 1088
_X25519_SIZE: Final = 32
PUBLIC_KEY_SIZE: Final = _MLKEM_PUBLIC_SIZE + _X25519_SIZE  # 1216
ENC_SIZE: Final = _MLKEM_CIPHERTEXT_SIZE + _X25519_SIZE  # 1120
_WRAPPED_SIZE: Final = FILE_KEY_SIZE + 16  # file key plus Poly1305 tag
_ALL_ZERO: Final = bytes(_X25519_SIZE)
_DAMAGED: Final = "the file is damaged: "


def _x25519(private: X25519PrivateKey, public: X25519PublicKey) -> bytes | None:
    """Return the X25519 shared secret, or None for the all-zero (low-order) result."""
    try:
        shared = private.exchange(public)
    except ValueError:
        # OpenSSL refuses to return the all-zero secret.
        return None
    return None if shared == _ALL_ZERO else shared


def _combine(ss_m: bytes, ss_x: bytes, ct_x: bytes, pk_x: bytes) -> bytes:
    """The MLKEM768-X25519 (X-Wing) combiner: SHA3-256 of both secrets and the X25519 parts."""
    return hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + _XWING_LABEL).digest()


def _expand_seed(seed: bytes) -> tuple[MLKEM768PrivateKey, X25519PrivateKey]:
    """Expand a 32-byte identity seed into the ML-KEM-768 and X25519 private keys."""
    expanded = hashlib.shake_256(seed).digest(_MLKEM_SEED_SIZE + _X25519_SIZE)
    mlkem = MLKEM768PrivateKey.from_seed_bytes(expanded[:_MLKEM_SEED_SIZE])
    x25519 = X25519PrivateKey.from_private_bytes(expanded[_MLKEM_SEED_SIZE:])
    return mlkem, x25519


# A fixed, non-secret scalar recognises low-order X25519 public keys (they map to zero).
_PROBE: Final = X25519PrivateKey.from_private_bytes(bytes([0x42]) * _X25519_SIZE)


class HybridRecipient:
    """An ``age1pq1...`` public key: ML-KEM-768 and X25519 together."""

    __slots__ = ("_mlkem", "_public", "_x25519", "_x25519_bytes")

    def __init__(self, public: bytes) -> None:
        """Use :meth:`from_bytes` or :func:`storycircle.vault.parse_recipient` instead."""
        if len(public) != PUBLIC_KEY_SIZE:
            raise KeyFormatError(f"a post-quantum age public key must be {PUBLIC_KEY_SIZE} bytes")
        self._public = bytes(public)
        try:
            self._mlkem = MLKEM768PublicKey.from_public_bytes(self._public[:_MLKEM_PUBLIC_SIZE])
        except ValueError:
            raise KeyFormatError("this post-quantum age public key is not valid") from None
        self._x25519_bytes = self._public[_MLKEM_PUBLIC_SIZE:]
        self._x25519 = X25519PublicKey.from_public_bytes(self._x25519_bytes)
        if _x25519(_PROBE, self._x25519) is None:
            raise KeyFormatError("this post-quantum age public key is not usable (low-order point)")

    @classmethod
    def from_bytes(cls, public: bytes) -> HybridRecipient:
        """Build a recipient from its raw 1216-byte public key.

        Raises:
            KeyFormatError: if the key has the wrong length or an invalid part.
        """
        return cls(public)

    def to_bytes(self) -> bytes:
        """Return the raw 1216-byte public key (ML-KEM-768 then X25519)."""
        return self._public

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """Seal the file key to this public key with HPKE; one stanza."""
        ss_m, ct_m = self._mlkem.encapsulate()
        ephemeral = X25519PrivateKey.generate()
        ct_x = ephemeral.public_key().public_bytes_raw()
        ss_x = _x25519(ephemeral, self._x25519)
        if ss_x is None:  # pragma: no cover - rejected by the constructor
            raise KeyFormatError("this post-quantum age public key is not usable")
        shared = _combine(ss_m, ss_x, ct_x, self._x25519_bytes)
        body = seal_base(shared, _INFO, file_key)
        enc = b64encode_raw(ct_m + ct_x).decode("ascii")
        return [Stanza(STANZA_TYPE, (enc,), body)]

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self._public)

    def __repr__(self) -> str:
        text = str(self)
        return f"HybridRecipient('{text[:16]}...{text[-8:]}')"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HybridRecipient):
            return NotImplemented
        return self._public == other._public

    def __hash__(self) -> int:
        return hash((HybridRecipient, self._public))


def _parse_stanza(stanza: Stanza) -> tuple[bytes, bytes]:
    """Validate an mlkem768x25519 stanza (spec rules, before any work); return enc and body."""
    if len(stanza.args) != 1:
        raise HeaderError(_DAMAGED + "a post-quantum recipient has the wrong number of arguments")
    try:
        enc = b64decode_canonical(stanza.args[0].encode("ascii"))
    except ValueError:
        raise HeaderError(_DAMAGED + "a post-quantum share is not canonical base64") from None
    if len(enc) != ENC_SIZE:
        raise HeaderError(_DAMAGED + "a post-quantum share has the wrong length")
    # Checked before decrypting, so a body of another size cannot serve as a
    # partitioning oracle.
    if len(stanza.body) != _WRAPPED_SIZE:
        raise HeaderError(_DAMAGED + "a post-quantum wrapped key has the wrong length")
    return enc, stanza.body


class HybridIdentity:
    """An ``AGE-SECRET-KEY-PQ-1...`` identity: a 32-byte seed for both private keys."""

    __slots__ = ("_mlkem", "_recipient", "_seed", "_x25519", "_x25519_public")

    def __init__(self, seed: bytes) -> None:
        """Use :meth:`generate`, :meth:`from_bytes` or :func:`storycircle.vault.parse_identity`."""
        if len(seed) != _SEED_SIZE:
            raise KeyFormatError("a post-quantum age secret key must be 32 bytes")
        self._seed = bytes(seed)
        self._mlkem, self._x25519 = _expand_seed(self._seed)
        self._x25519_public = self._x25519.public_key().public_bytes_raw()
        self._recipient: HybridRecipient | None = None

    @classmethod
    def generate(cls) -> HybridIdentity:
        """Create a new random identity."""
        return cls(random_bytes(_SEED_SIZE))

    @classmethod
    def from_bytes(cls, seed: bytes) -> HybridIdentity:
        """Build an identity from its raw 32-byte seed.

        Raises:
            KeyFormatError: if ``seed`` is not 32 bytes.
        """
        return cls(seed)

    def to_bytes(self) -> bytes:
        """Return the raw 32-byte seed. Handle with care."""
        return self._seed

    @property
    def recipient(self) -> HybridRecipient:
        """The public recipient that files for this identity are encrypted to."""
        if self._recipient is None:
            mlkem_public = self._mlkem.public_key().public_bytes_raw()
            self._recipient = HybridRecipient(mlkem_public + self._x25519_public)
        return self._recipient

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Return the file key from the first mlkem768x25519 stanza addressed to this key.

        Raises:
            HeaderError: if any mlkem768x25519 stanza is malformed or its X25519
                part gives the all-zero shared secret.
        """
        # Validate every stanza of ours first, so a malformed one is an error
        # wherever it sits relative to the one that opens.
        mine = [_parse_stanza(s) for s in stanzas if s.type == STANZA_TYPE]
        for enc, body in mine:
            ct_m, ct_x = enc[:_MLKEM_CIPHERTEXT_SIZE], enc[_MLKEM_CIPHERTEXT_SIZE:]
            ss_x = _x25519(self._x25519, X25519PublicKey.from_public_bytes(ct_x))
            if ss_x is None:
                raise HeaderError(_DAMAGED + "a post-quantum share is a low-order point")
            # ML-KEM decapsulation never fails: a wrong ciphertext gives an
            # unrelated secret (implicit rejection), so the AEAD tag decides.
            ss_m = self._mlkem.decapsulate(ct_m)
            shared = _combine(ss_m, ss_x, ct_x, self._x25519_public)
            file_key = open_base(shared, _INFO, body)
            if file_key is not None:
                return file_key
        return None

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self._seed).upper()

    def __repr__(self) -> str:
        # Never include the secret: reprs end up in logs and tracebacks.
        return f"HybridIdentity(recipient={self.recipient!r})"
