"""The age payload: ChaCha20-Poly1305 STREAM in 64 KiB chunks.

Each chunk's 12-byte nonce is an 11-byte big-endian counter followed by a flag
byte that is 1 only for the last chunk, so truncating, reordering or extending
the chunks is detected. Decryption here is all-or-nothing: plaintext is
returned only after the final chunk has verified.
"""

from __future__ import annotations

from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from ._format import PAYLOAD_NONCE_SIZE
from ._primitives import hkdf_sha256, random_bytes
from .errors import PayloadError

__all__ = ["CHUNK_SIZE", "decrypt_payload", "encrypt_payload", "encrypted_payload_size"]

#: Plaintext bytes per chunk.
CHUNK_SIZE: Final = 64 * 1024
_TAG_SIZE: Final = 16
_CHUNK_CIPHERTEXT_SIZE: Final = CHUNK_SIZE + _TAG_SIZE
_DAMAGED: Final = "the file is damaged: "


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _payload_aead(file_key: bytes, nonce: bytes) -> ChaCha20Poly1305:
    return ChaCha20Poly1305(hkdf_sha256(file_key, nonce, b"payload"))


def encrypted_payload_size(plaintext_size: int) -> int:
    """Return the payload size (nonce included) for a plaintext of this size."""
    chunks = max(1, -(-plaintext_size // CHUNK_SIZE))
    return PAYLOAD_NONCE_SIZE + plaintext_size + chunks * _TAG_SIZE


def encrypt_payload(file_key: bytes, plaintext: bytes, nonce: bytes | None = None) -> list[bytes]:
    """Encrypt ``plaintext`` into the payload.

    Args:
        file_key: The 16-byte file key.
        plaintext: The data to encrypt.
        nonce: The 16-byte payload nonce. Only tests pass one (to reproduce
            known vectors); normally a fresh random nonce is drawn.

    Returns:
        The payload as a list of parts (nonce, then each chunk) so the caller can
        join it with the header in a single copy.
    """
    if nonce is None:
        nonce = random_bytes(PAYLOAD_NONCE_SIZE)
    aead = _payload_aead(file_key, nonce)
    view = memoryview(plaintext)
    # An empty plaintext is still one (empty) final chunk; otherwise the final
    # chunk is never empty, even when the size is a multiple of the chunk size.
    last = max(0, (len(view) - 1) // CHUNK_SIZE)
    parts = [nonce]
    for counter in range(last + 1):
        chunk = view[counter * CHUNK_SIZE : (counter + 1) * CHUNK_SIZE]
        parts.append(aead.encrypt(_chunk_nonce(counter, counter == last), chunk, None))
    return parts


def _open(aead: ChaCha20Poly1305, counter: int, last: bool, chunk: memoryview) -> bytes | None:
    try:
        return aead.decrypt(_chunk_nonce(counter, last), chunk, None)
    except InvalidTag:
        return None


def decrypt_payload(file_key: bytes, nonce: bytes, ciphertext: memoryview) -> bytes:
    """Decrypt and verify every chunk, returning the plaintext only if all are intact.

    Args:
        file_key: The 16-byte file key.
        nonce: The 16-byte payload nonce.
        ciphertext: The chunks, from just after the nonce to the end of the file.

    Raises:
        PayloadError: if any chunk fails to verify, the stream is truncated, has
            data after its final chunk, or ends with an empty chunk.
    """
    aead = _payload_aead(file_key, nonce)
    size = len(ciphertext)
    plaintext: list[bytes] = []
    pos = 0
    counter = 0
    # A chunk with more data after it must be a full non-final chunk. Whatever
    # remains at the end (up to one full chunk) must be the final chunk.
    while size - pos > _CHUNK_CIPHERTEXT_SIZE:
        chunk = _open(aead, counter, False, ciphertext[pos : pos + _CHUNK_CIPHERTEXT_SIZE])
        if chunk is None:
            raise PayloadError(_DAMAGED + "part of its content failed the integrity check")
        plaintext.append(chunk)
        pos += _CHUNK_CIPHERTEXT_SIZE
        counter += 1

    remaining = size - pos
    if remaining < _TAG_SIZE:
        raise PayloadError(_DAMAGED + "it is cut short")
    if remaining == _TAG_SIZE and counter > 0:
        # Only an entirely empty payload may have an empty final chunk.
        raise PayloadError(_DAMAGED + "it ends with an empty chunk")
    last_chunk = ciphertext[pos:]
    chunk = _open(aead, counter, True, last_chunk)
    if chunk is None:
        # A full-size last chunk that verifies as non-final means the real end
        # of the file was cut off; report that rather than generic damage.
        if remaining == _CHUNK_CIPHERTEXT_SIZE and _open(aead, counter, False, last_chunk):
            raise PayloadError(_DAMAGED + "it is cut short")
        raise PayloadError(_DAMAGED + "its end failed the integrity check")
    plaintext.append(chunk)
    return b"".join(plaintext)
