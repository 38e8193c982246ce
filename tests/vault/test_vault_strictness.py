"""Damaged, truncated, hostile and oversized inputs: always a clear AgeError, never data."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycircle.vault import (
    AgeError,
    ArmorError,
    HeaderError,
    HMACError,
    InputTooLarge,
    NoIdentityMatch,
    PayloadError,
    ScryptIdentity,
    ScryptRecipient,
    UsageError,
    WorkFactorTooHigh,
    X25519Identity,
    decrypt,
    encrypt,
    limits,
)
from storycircle.vault import scrypt as vault_scrypt
from storycircle.vault._format import Stanza, parse_header
from storycircle.vault._stream import CHUNK_SIZE

PASSPHRASE = "blue kettle, seven stones"
WORK_FACTOR = 10
STORY = b"Day 41. I called my sponsor instead of the old number. " * 2
IDENTITY = X25519Identity.generate()
SMALL = encrypt(STORY, [IDENTITY.recipient])
SMALL_ARMORED = encrypt(STORY, [IDENTITY.recipient], armor=True)
SMALL_SCRYPT = encrypt(STORY, [ScryptRecipient(PASSPHRASE, WORK_FACTOR)])
LARGE_PLAINTEXT = bytes(range(256)) * (3 * CHUNK_SIZE // 256) + b"tail"
LARGE = encrypt(LARGE_PLAINTEXT, [IDENTITY.recipient])


def assert_safe_message(error: AgeError) -> None:
    """Messages are one short line and never carry secrets or plaintext."""
    message = str(error)
    assert message
    assert "\n" not in message
    assert len(message) < 120
    for secret in (str(IDENTITY), str(IDENTITY).lower(), PASSPHRASE, "sponsor"):
        assert secret not in message


def decrypt_fails(data: bytes, identities: Sequence[X25519Identity | ScryptIdentity]) -> AgeError:
    with pytest.raises(AgeError) as info:
        decrypt(data, identities)
    assert_safe_message(info.value)
    return info.value


@pytest.mark.parametrize(
    ("name", "data", "identity"),
    [
        ("x25519", SMALL, IDENTITY),
        ("armored", SMALL_ARMORED, IDENTITY),
        ("scrypt", SMALL_SCRYPT, ScryptIdentity(PASSPHRASE)),
    ],
    ids=["x25519", "armored", "scrypt"],
)
def test_every_truncation_fails(
    name: str, data: bytes, identity: X25519Identity | ScryptIdentity
) -> None:
    # Dropping only the armor's final newline is allowed (and still valid).
    end = len(data) - 1 if name == "armored" else len(data)
    for cut in range(end):
        decrypt_fails(data[:cut], [identity])


def test_truncation_at_chunk_boundaries_of_a_large_file() -> None:
    payload_start = parse_header(LARGE).payload_offset + 16
    chunk = CHUNK_SIZE + 16
    for boundary in range(payload_start, len(LARGE), chunk):
        for cut in (boundary - 1, boundary, boundary + 1, boundary + 16, boundary + 17):
            if cut < len(LARGE):
                error = decrypt_fails(LARGE[:cut], [IDENTITY])
                if cut > payload_start:
                    assert isinstance(error, PayloadError)


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(0, len(LARGE) - 1))
def test_random_truncation_of_a_large_file(cut: int) -> None:
    decrypt_fails(LARGE[:cut], [IDENTITY])


@pytest.mark.parametrize("extra", [b"\x00", b"\n", bytes(16), bytes(CHUNK_SIZE + 16)])
def test_appended_data_fails(extra: bytes) -> None:
    assert isinstance(decrypt_fails(SMALL + extra, [IDENTITY]), PayloadError)
    assert isinstance(decrypt_fails(LARGE + extra, [IDENTITY]), PayloadError)


def test_every_single_bit_flip_fails() -> None:
    for data, identity in ((SMALL, IDENTITY), (SMALL_SCRYPT, ScryptIdentity(PASSPHRASE))):
        for index in range(len(data)):
            for mask in (0x01, 0x80):
                damaged = bytearray(data)
                damaged[index] ^= mask
                decrypt_fails(bytes(damaged), [identity])


def test_every_armor_character_change_fails() -> None:
    for index in range(len(SMALL_ARMORED) - 1):
        damaged = bytearray(SMALL_ARMORED)
        damaged[index] = ord("A") if damaged[index] != ord("A") else ord("B")
        decrypt_fails(bytes(damaged), [IDENTITY])


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, len(LARGE) - 1), mask=st.integers(1, 255))
def test_random_byte_change_in_a_large_file(index: int, mask: int) -> None:
    damaged = bytearray(LARGE)
    damaged[index] ^= mask
    decrypt_fails(bytes(damaged), [IDENTITY])


def test_error_categories() -> None:
    header = parse_header(SMALL)
    payload = header.payload_offset
    # A flipped payload byte: the header is fine, the content is not.
    damaged = bytearray(SMALL)
    damaged[payload + 20] ^= 1
    assert isinstance(decrypt_fails(bytes(damaged), [IDENTITY]), PayloadError)
    # A flipped MAC character that stays canonical base64: HMAC failure.
    mac_at = SMALL.index(b"\n--- ") + 5
    damaged = bytearray(SMALL)
    damaged[mac_at] = ord("A") if damaged[mac_at] != ord("A") else ord("B")
    assert isinstance(decrypt_fails(bytes(damaged), [IDENTITY]), HMACError)
    # An extra (ignored) stanza added to a valid header: the MAC catches it.
    added = SMALL.replace(b"\n--- ", b"\n-> grease x\n\n--- ", 1)
    assert isinstance(decrypt_fails(added, [IDENTITY]), HMACError)
    assert isinstance(decrypt_fails(b"not an age file", [IDENTITY]), HeaderError)
    assert isinstance(decrypt_fails(b"", [IDENTITY]), HeaderError)
    armored = SMALL_ARMORED.replace(b"\n", b"\r\n", 1)  # mixed line endings
    assert isinstance(decrypt_fails(armored, [IDENTITY]), ArmorError)


def test_wrong_passphrase_and_wrong_key() -> None:
    error = decrypt_fails(SMALL_SCRYPT, [ScryptIdentity("blue kettle, six stones")])
    assert isinstance(error, NoIdentityMatch)
    assert "passphrase" in str(error)
    assert isinstance(decrypt_fails(SMALL, [X25519Identity.generate()]), NoIdentityMatch)
    assert isinstance(decrypt_fails(SMALL_SCRYPT, [IDENTITY]), NoIdentityMatch)
    assert isinstance(decrypt_fails(SMALL, [ScryptIdentity(PASSPHRASE)]), NoIdentityMatch)


def test_work_factor_above_the_identity_maximum() -> None:
    encrypted = encrypt(STORY, [ScryptRecipient(PASSPHRASE, 12)])
    with pytest.raises(WorkFactorTooHigh, match=r"12.*11") as info:
        decrypt(encrypted, [ScryptIdentity(PASSPHRASE, max_work_factor=11)])
    assert isinstance(info.value, HeaderError)
    assert decrypt(encrypted, [ScryptIdentity(PASSPHRASE, max_work_factor=12)]) == STORY


def test_huge_work_factor_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2^30 would take minutes and 128 GiB; it must be refused before scrypt runs.
    hostile = SMALL_SCRYPT.replace(f" {WORK_FACTOR}\n".encode(), b" 30\n", 1)
    assert hostile != SMALL_SCRYPT
    derived: list[int] = []
    wrap_key = vault_scrypt._wrap_key

    def counting(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
        derived.append(work_factor)
        return wrap_key(passphrase, salt, work_factor)

    monkeypatch.setattr(vault_scrypt, "_wrap_key", counting)
    with pytest.raises(WorkFactorTooHigh):
        decrypt(hostile, [ScryptIdentity(PASSPHRASE)])
    assert derived == []
    # The same file at the work factor it was written with does run scrypt.
    assert decrypt(SMALL_SCRYPT, [ScryptIdentity(PASSPHRASE)]) == STORY
    assert derived == [WORK_FACTOR]


class SpyIdentity:
    def __init__(self) -> None:
        self.calls = 0

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        self.calls += 1
        return None


def test_oversized_input_is_rejected_before_any_crypto() -> None:
    spy = SpyIdentity()
    oversized = SMALL + bytes(limits.MAX_CIPHERTEXT_SIZE + 1 - len(SMALL))
    with pytest.raises(InputTooLarge, match="too large"):
        decrypt(oversized, [spy])
    assert spy.calls == 0
    del oversized
    with pytest.raises(InputTooLarge):
        encrypt(bytes(limits.MAX_CIPHERTEXT_SIZE), [IDENTITY.recipient])


def test_oversized_header_and_too_many_stanzas() -> None:
    spy = SpyIdentity()
    line = b"A" * 64 + b"\n"
    big = b"age-encryption.org/v1\n-> grease\n" + line * (limits.MAX_HEADER_SIZE // 65) + b"\n"
    with pytest.raises(HeaderError, match="too large"):
        decrypt(big + SMALL[SMALL.index(b"--- ") :], [spy])
    many = b"age-encryption.org/v1\n" + b"-> grease\n\n" * (limits.MAX_STANZAS + 1)
    with pytest.raises(HeaderError, match="too many"):
        decrypt(many + SMALL[SMALL.index(b"--- ") :], [spy])
    assert spy.calls == 0


class WrongLengthIdentity:
    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        return bytes(17)


def test_identity_returning_a_bad_file_key() -> None:
    with pytest.raises(HeaderError):
        decrypt(SMALL, [WrongLengthIdentity()])


def test_no_identities() -> None:
    with pytest.raises(UsageError):
        decrypt(SMALL, [])


def test_scrypt_must_be_alone_even_for_a_matching_key() -> None:
    # Graft an scrypt stanza next to a valid X25519 one: refused as a header error
    # whichever identity is used, before any unwrapping.
    scrypt_stanza = SMALL_SCRYPT[SMALL_SCRYPT.index(b"-> scrypt") : SMALL_SCRYPT.index(b"--- ")]
    mixed = SMALL.replace(b"--- ", scrypt_stanza + b"--- ", 1)
    assert isinstance(decrypt_fails(mixed, [IDENTITY]), HeaderError)
