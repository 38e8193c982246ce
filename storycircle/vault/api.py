"""encrypt, decrypt and is_age_file: the operations the rest of the app calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from . import armor as _armor
from . import mlkem768x25519 as _pq
from . import scrypt as _scrypt
from ._format import PAYLOAD_NONCE_SIZE, VERSION_LINE, Header, Stanza, encode_header, parse_header
from ._format import verify_header_mac as _verify_header_mac
from ._primitives import FILE_KEY_SIZE, hkdf_sha256, random_bytes
from ._stream import decrypt_payload, encrypt_payload, encrypted_payload_size
from .errors import HeaderError, InputTooLarge, NoIdentityMatch, UsageError
from .limits import MAX_CIPHERTEXT_SIZE, MAX_HEADER_SIZE, MAX_STANZAS
from .protocols import Identity, Recipient

__all__ = ["decrypt", "encrypt", "is_age_file"]

_TOO_LARGE: Final = "the file is too large for the vault (limit {} MiB)"


def _too_large() -> InputTooLarge:
    return InputTooLarge(_TOO_LARGE.format(MAX_CIPHERTEXT_SIZE // (1024 * 1024)))


def _binary_and_header(ciphertext: bytes) -> tuple[bytes, Header]:
    """The binary file (armor removed) and its parsed header; the size is checked first."""
    data = ciphertext if isinstance(ciphertext, bytes) else bytes(ciphertext)
    if len(data) > MAX_CIPHERTEXT_SIZE:
        raise _too_large()
    if _armor.looks_armored(data):
        data = _armor.decode(data)
    return data, parse_header(data)


def _has_mixed_scrypt(stanzas: Sequence[Stanza]) -> bool:
    return len(stanzas) > 1 and any(s.type == _scrypt.STANZA_TYPE for s in stanzas)


def _mixes_hybrid_with_classic(recipients: Sequence[Recipient]) -> bool:
    # The spec: a file encrypted to the post-quantum type SHOULD NOT also be
    # encrypted to a classic type, or the classic stanza is the weak link. The
    # vault never writes such a file; it still reads one (CCTV hybrid_and_x25519).
    kinds = {isinstance(r, _pq.HybridRecipient) for r in recipients}
    return len(kinds) > 1


def encrypt(plaintext: bytes, recipients: Sequence[Recipient], *, armor: bool = False) -> bytes:
    """Encrypt ``plaintext`` to one or more recipients as an age v1 file.

    Args:
        plaintext: The data to protect.
        recipients: Public keys (:class:`X25519Recipient`, or
            :class:`HybridRecipient` for post-quantum protection, never both
            kinds in one file) or a single :class:`ScryptRecipient`.
        armor: If True, return the ASCII-armored (PEM) form instead of binary.

    Returns:
        The encrypted file.

    Raises:
        UsageError: if there are no recipients, too many, a passphrase is
            mixed with other recipients, or hybrid post-quantum recipients are
            mixed with classic ones.
        InputTooLarge: if the encrypted file would exceed ``MAX_CIPHERTEXT_SIZE``
            (checked before encrypting anything).
    """
    if isinstance(recipients, str | bytes) or not recipients:
        raise UsageError("at least one recipient is needed to encrypt")
    # Refusals that need no cryptography come before any key is wrapped.
    if len(recipients) > MAX_STANZAS:
        raise UsageError(f"too many recipients (at most {MAX_STANZAS})")
    if len(recipients) > 1 and any(isinstance(r, _scrypt.ScryptRecipient) for r in recipients):
        raise UsageError("a passphrase cannot be combined with other recipients")
    if _mixes_hybrid_with_classic(recipients):
        raise UsageError(
            "post-quantum (age1pq1...) and classic (age1...) keys cannot be combined in one file"
        )
    file_key = random_bytes(FILE_KEY_SIZE)
    stanzas: list[Stanza] = []
    for recipient in recipients:
        stanzas.extend(recipient.wrap(file_key))
    if _has_mixed_scrypt(stanzas):
        raise UsageError("a passphrase cannot be combined with other recipients")
    if len(stanzas) > MAX_STANZAS:
        raise UsageError(f"too many recipients (at most {MAX_STANZAS})")
    header = encode_header(stanzas, file_key)
    if len(header) > MAX_HEADER_SIZE:
        raise UsageError("too many recipients: the header would be too large")
    size = len(header) + encrypted_payload_size(len(plaintext))
    if armor:
        size = _armor.armored_size(size)
    if size > MAX_CIPHERTEXT_SIZE:
        raise _too_large()
    binary = b"".join([header, *encrypt_payload(file_key, plaintext)])
    return _armor.encode(binary) if armor else binary


def decrypt(ciphertext: bytes, identities: Sequence[Identity]) -> bytes:
    """Decrypt an age v1 file, binary or armored (detected automatically).

    Decryption is all-or-nothing: plaintext is returned only after the header
    MAC and every payload chunk, including the final one, have verified.

    Args:
        ciphertext: The encrypted file.
        identities: Private keys and/or passphrases to try, in order.

    Returns:
        The plaintext.

    Raises:
        InputTooLarge: if the input exceeds ``MAX_CIPHERTEXT_SIZE`` (checked first).
        ArmorError: if the armor is malformed.
        HeaderError: if the header is malformed or unsupported (including
            :class:`WorkFactorTooHigh`).
        NoIdentityMatch: if none of the identities opens the file.
        HMACError: if the header was modified.
        PayloadError: if the encrypted content is damaged or truncated.
        UsageError: if no identities are given.
    """
    data, header = _binary_and_header(ciphertext)
    if _has_mixed_scrypt(header.stanzas):
        raise HeaderError("the file is damaged: a passphrase must be the only recipient of a file")
    # Checked after parsing so a damaged file is reported as such either way.
    if isinstance(identities, str | bytes) or not identities:
        raise UsageError("at least one key or passphrase is needed to decrypt")

    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is not None:
            break
    else:
        raise NoIdentityMatch()
    if len(file_key) != FILE_KEY_SIZE:
        raise HeaderError("the file is damaged: its file key has the wrong length")
    _verify_header_mac(file_key, header)

    payload = memoryview(data)[header.payload_offset :]
    nonce = bytes(payload[:PAYLOAD_NONCE_SIZE])
    return decrypt_payload(file_key, nonce, payload[PAYLOAD_NONCE_SIZE:])


def recipient_types(ciphertext: bytes) -> frozenset[str]:
    """The types of the recipients an age file was encrypted to (``X25519``, ``scrypt``, …).

    Reads the header only: nothing is decrypted and no key is needed, so a
    caller can say why a file does not open ("protected by a passphrase",
    "encrypted to someone else's key").

    Raises:
        InputTooLarge: if the input exceeds ``MAX_CIPHERTEXT_SIZE``.
        ArmorError: if the armor is malformed.
        HeaderError: if the header is malformed or unsupported.
    """
    return frozenset(stanza.type for stanza in _binary_and_header(ciphertext)[1].stanzas)


def scrypt_work_factor(ciphertext: bytes) -> int | None:
    """The work factor (log2 N) of a passphrase-protected age file, or None.

    Reads the header only. None when the file is not protected by a
    passphrase, or its header does not say a work factor plainly.

    Raises:
        AgeError: the file is too large, or its armor or header is malformed.
    """
    for stanza in _binary_and_header(ciphertext)[1].stanzas:
        if stanza.type == "scrypt" and len(stanza.args) == 2 and stanza.args[1].isdigit():
            return int(stanza.args[1])
    return None


def derive_key(secret: bytes, info: bytes) -> bytes:
    """A 32-byte key for the purpose named by ``info``, derived from ``secret``.

    HKDF-SHA-256 with an empty salt, the primitive the age format itself is
    built on, so keys derived above the vault use no second implementation.
    """
    return hkdf_sha256(secret, b"", info)


def is_age_file(data: bytes) -> bool:
    """Cheaply tell whether ``data`` looks like an age file (no validation).

    Returns:
        True if it starts with the binary v1 header line, or with the armor
        BEGIN line after optional whitespace.
    """
    return data.startswith(VERSION_LINE + b"\n") or _armor.is_armor_start(data)
