"""Round trips through encrypt and decrypt, and the encrypt-side rules."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storycircle.vault import (
    Identity,
    NoIdentityMatch,
    Recipient,
    ScryptIdentity,
    ScryptRecipient,
    UsageError,
    X25519Identity,
    decrypt,
    encrypt,
    is_age_file,
)
from storycircle.vault._format import Stanza, parse_header
from storycircle.vault._stream import CHUNK_SIZE
from storycircle.vault.limits import MAX_STANZAS

PASSPHRASE = "tea, toast and a long walk"
# Cheap on purpose (tests only).
WORK_FACTOR = 10

# Sizes around every interesting chunk boundary, plus arbitrary ones.
boundary_sizes = st.builds(
    lambda chunks, delta: max(0, chunks * CHUNK_SIZE + delta),
    st.integers(0, 3),
    st.integers(-2, 2),
)
sizes = st.one_of(boundary_sizes, st.integers(0, 3 * CHUNK_SIZE + 100))


def make_plaintext(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


# Key generation is the slow part; a small pool keeps examples cheap.
POOL = [X25519Identity.generate() for _ in range(5)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=sizes,
    seed=st.integers(0, 2**32),
    recipients=st.lists(st.sampled_from(range(len(POOL))), min_size=1, max_size=4, unique=True),
    armored=st.booleans(),
)
def test_x25519_round_trip(size: int, seed: int, recipients: list[int], armored: bool) -> None:
    plaintext = make_plaintext(size, seed)
    encrypted = encrypt(plaintext, [POOL[i].recipient for i in recipients], armor=armored)
    assert is_age_file(encrypted)
    for i in recipients:
        assert decrypt(encrypted, [POOL[i]]) == plaintext
    outsiders = [identity for j, identity in enumerate(POOL) if j not in recipients]
    if outsiders:
        with pytest.raises(NoIdentityMatch):
            decrypt(encrypted, outsiders)
        # Non-matching identities before the right one are simply skipped.
        assert decrypt(encrypted, [*outsiders, POOL[recipients[-1]]]) == plaintext


@settings(max_examples=15, deadline=None)
@given(size=sizes, seed=st.integers(0, 2**32), armored=st.booleans())
def test_scrypt_round_trip(size: int, seed: int, armored: bool) -> None:
    plaintext = make_plaintext(size, seed)
    encrypted = encrypt(plaintext, [ScryptRecipient(PASSPHRASE, WORK_FACTOR)], armor=armored)
    assert decrypt(encrypted, [ScryptIdentity(PASSPHRASE)]) == plaintext


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 5 * CHUNK_SIZE])
def test_encrypted_size_is_exact(size: int) -> None:
    identity = POOL[0]
    encrypted = encrypt(bytes(size), [identity.recipient])
    header = parse_header(encrypted)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(encrypted) == header.payload_offset + 16 + size + 16 * chunks


def test_every_encryption_is_fresh() -> None:
    first = encrypt(b"same story", [POOL[0].recipient])
    second = encrypt(b"same story", [POOL[0].recipient])
    assert first != second
    assert parse_header(first).stanzas != parse_header(second).stanzas


def test_accepts_bytes_like_input() -> None:
    # The signatures say bytes; other buffers work at runtime too.
    encrypted = encrypt(bytearray(b"story"), [POOL[0].recipient])  # type: ignore[arg-type]
    assert decrypt(bytearray(encrypted), [POOL[0]]) == b"story"  # type: ignore[arg-type]
    assert decrypt(memoryview(encrypted), [POOL[0]]) == b"story"  # type: ignore[arg-type]


def test_armor_output_shape() -> None:
    text = encrypt(bytes(1000), [POOL[0].recipient], armor=True)
    lines = text.split(b"\n")
    assert lines[0] == b"-----BEGIN AGE ENCRYPTED FILE-----"
    assert lines[-2:] == [b"-----END AGE ENCRYPTED FILE-----", b""]
    body = lines[1:-2]
    assert all(len(line) == 64 for line in body[:-1])
    assert 0 < len(body[-1]) <= 64


def test_mixed_identity_kinds() -> None:
    encrypted = encrypt(b"for the passphrase", [ScryptRecipient(PASSPHRASE, WORK_FACTOR)])
    identities: list[Identity] = [POOL[0], ScryptIdentity("wrong"), ScryptIdentity(PASSPHRASE)]
    assert decrypt(encrypted, identities) == b"for the passphrase"
    with pytest.raises(NoIdentityMatch):
        decrypt(encrypted, [POOL[0]])


@pytest.mark.parametrize(
    "recipients",
    [
        [],
        [ScryptRecipient(PASSPHRASE, WORK_FACTOR), POOL[0].recipient],
        [ScryptRecipient(PASSPHRASE, WORK_FACTOR), ScryptRecipient("other", WORK_FACTOR)],
    ],
    ids=["none", "passphrase-and-key", "two-passphrases"],
)
def test_encrypt_rejects_bad_recipient_sets(recipients: list[Recipient]) -> None:
    with pytest.raises(UsageError):
        encrypt(b"x", recipients)


def test_encrypt_rejects_too_many_recipients() -> None:
    recipient = POOL[0].recipient
    assert encrypt(b"x", [recipient] * MAX_STANZAS)
    with pytest.raises(UsageError, match="too many"):
        encrypt(b"x", [recipient] * (MAX_STANZAS + 1))


class BadRecipient:
    def __init__(self, args: tuple[str, ...]) -> None:
        self.args = args

    def wrap(self, file_key: bytes) -> Sequence[Stanza]:
        return [Stanza("example.com/bad", self.args, b"")]


@pytest.mark.parametrize("args", [("",), ("two words",), ("naïve",), ("tab\t",)])
def test_encrypt_rejects_invalid_stanza_arguments(args: tuple[str, ...]) -> None:
    with pytest.raises(UsageError):
        encrypt(b"x", [BadRecipient(args)])


@pytest.mark.parametrize("work_factor", [0, 23, -1, True])
def test_scrypt_recipient_work_factor_range(work_factor: int) -> None:
    with pytest.raises(UsageError):
        ScryptRecipient(PASSPHRASE, work_factor)


def test_scrypt_rejects_empty_passphrase_and_bad_max() -> None:
    with pytest.raises(UsageError):
        ScryptRecipient("")
    with pytest.raises(UsageError):
        ScryptIdentity(PASSPHRASE, max_work_factor=31)
    assert PASSPHRASE not in repr(ScryptRecipient(PASSPHRASE, WORK_FACTOR))
    assert PASSPHRASE not in repr(ScryptIdentity(PASSPHRASE))


def test_protocols_are_satisfied() -> None:
    assert isinstance(POOL[0], Identity)
    assert isinstance(ScryptIdentity(PASSPHRASE), Identity)
    assert isinstance(POOL[0].recipient, Recipient)
    assert isinstance(ScryptRecipient(PASSPHRASE, WORK_FACTOR), Recipient)


def test_is_age_file() -> None:
    assert is_age_file(encrypt(b"", [POOL[0].recipient]))
    assert is_age_file(b"\n  " + encrypt(b"", [POOL[0].recipient], armor=True))
    assert not is_age_file(b"")
    assert not is_age_file(b"age-encryption.org/v2\n")
    assert not is_age_file(b"# a journal entry\n")
    assert not is_age_file(b"-----BEGIN PGP MESSAGE-----\n")
