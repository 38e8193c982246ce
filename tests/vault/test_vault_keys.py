"""Keys: Bech32, parsing and the X25519 key classes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storycircle.vault import (
    AgeError,
    KeyFormatError,
    X25519Identity,
    X25519Recipient,
    bech32,
    parse_identity,
    parse_recipient,
)

# From the C2SP age specification (the pair is confirmed with `age-keygen -y`).
SPEC_IDENTITY = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
SPEC_RECIPIENT = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"

# BIP 173 test vectors.
BIP173_VALID = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
BIP173_INVALID = [
    " 1nwldj5",  # HRP character out of range
    "\x7f1axkwrx",
    "\x801eym55h",
    "pzry9x0s0muk",  # no separator
    "1pzry9x0s0muk",  # empty HRP
    "x1b4n0q5v",  # invalid data character
    "li1dgmt3",  # too short checksum
    "de1lg7wt\xff",
    "A1G7SGD8",  # checksum computed over the uppercase HRP
    "10a06t8",
    "1qzzfhee",
    "a12UEL5L",  # mixed case
]


@pytest.mark.parametrize("text", BIP173_VALID)
def test_bech32_valid_vectors(text: str) -> None:
    hrp, data = bech32.decode(text)
    assert bech32.encode(hrp, data) == text.lower()


@pytest.mark.parametrize("text", BIP173_INVALID)
def test_bech32_invalid_vectors(text: str) -> None:
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(text)


@given(
    hrp=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20
    ),
    data=st.binary(max_size=80),
)
def test_bech32_round_trip(hrp: str, data: bytes) -> None:
    encoded = bech32.encode(hrp, data)
    assert bech32.decode(encoded) == (hrp.lower(), data)
    assert bech32.decode(encoded.upper()) == (hrp.lower(), data)


@given(
    data=st.binary(min_size=1, max_size=40),
    position=st.integers(min_value=0),
    flip=st.integers(1, 31),
)
def test_bech32_detects_any_single_character_change(data: bytes, position: int, flip: int) -> None:
    encoded = bech32.encode("age", data)
    index = 4 + position % (len(encoded) - 4)
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    changed = charset[(charset.index(encoded[index]) + flip) % 32]
    corrupted = encoded[:index] + changed + encoded[index + 1 :]
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(corrupted)


def test_bech32_rejects_nonzero_padding() -> None:
    # One 5-bit group cannot hold a byte; its bits must be padding (zero).
    encoded = bech32.encode("age", b"")
    hrp_values = [*(ord(c) >> 5 for c in "age"), 0, *(ord(c) & 31 for c in "age")]
    values = [1]  # a single non-zero group
    polymod = bech32._polymod([*hrp_values, *values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> (5 * (5 - i))) & 31 for i in range(6)]
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    text = "age1" + "".join(charset[v] for v in values + checksum)
    assert encoded != text
    with pytest.raises(bech32.Bech32Error, match="padding"):
        bech32.decode(text)


def test_spec_key_pair() -> None:
    identity = parse_identity(SPEC_IDENTITY)
    assert str(identity) == SPEC_IDENTITY
    assert str(identity.recipient) == SPEC_RECIPIENT
    assert identity.recipient == parse_recipient(SPEC_RECIPIENT)
    assert identity.to_bytes() == b"B" * 32


def test_identity_round_trips() -> None:
    identity = X25519Identity.generate()
    text = str(identity)
    assert text.startswith("AGE-SECRET-KEY-1")
    assert text == text.upper()
    again = parse_identity(text)
    assert again.to_bytes() == identity.to_bytes()
    assert X25519Identity.from_bytes(identity.to_bytes()).recipient == identity.recipient
    # Bech32 is case-insensitive as a whole; surrounding whitespace is ignored.
    assert parse_identity(f"  {text.lower()}\n").to_bytes() == identity.to_bytes()


def test_recipient_round_trips_and_equality() -> None:
    recipient = X25519Identity.generate().recipient
    text = str(recipient)
    assert text.startswith("age1")
    assert parse_recipient(text) == recipient
    assert parse_recipient(text.upper()) == recipient
    assert X25519Recipient.from_bytes(recipient.to_bytes()) == recipient
    assert len({recipient, parse_recipient(text)}) == 1
    assert recipient != X25519Identity.generate().recipient
    assert recipient != text


def test_repr_never_shows_the_secret() -> None:
    identity = X25519Identity.generate()
    secret = str(identity)
    assert secret not in repr(identity)
    assert secret[16:].lower() not in repr(identity).lower()
    assert str(identity.recipient) in repr(identity)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "separator"),
        ("age1", "too short"),
        (SPEC_RECIPIENT[:-1] + "q", "checksum"),
        (SPEC_RECIPIENT.upper()[:10] + SPEC_RECIPIENT[10:], "mixes"),
        (SPEC_IDENTITY, "age1"),
        (bech32.encode("age1pq", b"\x01" * 40), "post-quantum age public key: wrong length"),
        (bech32.encode("age", b"\x01" * 31), "wrong length"),
        (bech32.encode("age", bytes(32)), "not usable"),
    ],
)
def test_parse_recipient_rejects(text: str, reason: str) -> None:
    with pytest.raises(KeyFormatError, match=reason) as info:
        parse_recipient(text)
    assert isinstance(info.value, AgeError)
    assert isinstance(info.value, ValueError)
    if len(text) > 8:
        assert text not in str(info.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (SPEC_RECIPIENT, "AGE-SECRET-KEY-1"),
        (SPEC_IDENTITY[:-1] + "Q", "checksum"),
        (bech32.encode("age-secret-key-", b"\x01" * 33).upper(), "wrong length"),
        (bech32.encode("age-secret-key-pq-", b"\x01" * 33).upper(), "post-quantum.*wrong length"),
    ],
)
def test_parse_identity_rejects(text: str, reason: str) -> None:
    with pytest.raises(KeyFormatError, match=reason) as info:
        parse_identity(text)
    assert text not in str(info.value)


# Low-order points of Curve25519 (and their non-canonical encodings): any
# shared secret with them is all zeros, so they can never be recipients.
LOW_ORDER_POINTS = [
    bytes(32),
    bytes([1]) + bytes(31),
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    bytes.fromhex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
]


@pytest.mark.parametrize("point", LOW_ORDER_POINTS, ids=lambda p: p.hex()[:8])
def test_low_order_recipients_are_rejected(point: bytes) -> None:
    with pytest.raises(KeyFormatError, match="not usable"):
        X25519Recipient.from_bytes(point)


@pytest.mark.parametrize("size", [0, 31, 33])
def test_wrong_key_sizes(size: int) -> None:
    with pytest.raises(KeyFormatError):
        X25519Identity.from_bytes(bytes(size))
    with pytest.raises(KeyFormatError):
        X25519Recipient.from_bytes(b"\x09" * size)
