"""The hybrid post-quantum mlkem768x25519 type: keys, round trips and the spec's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycircle.vault import (
    HeaderError,
    HybridIdentity,
    HybridRecipient,
    KeyFormatError,
    NoIdentityMatch,
    ScryptRecipient,
    UsageError,
    X25519Identity,
    bech32,
    decrypt,
    encrypt,
    is_hybrid,
    parse_identity,
    parse_recipient,
)
from storycircle.vault._format import Stanza, parse_header
from storycircle.vault._primitives import b64decode_canonical, b64encode_raw

# The example key pair printed in the C2SP age specification.
SPEC_IDENTITY = "AGE-SECRET-KEY-PQ-1XX76JRALNLXDMEW0CRK45QMCCH4X06SE84UN3VPM33W6HWDX0H3SK3ZQFR"
SPEC_RECIPIENT = (Path(__file__).parent / "data" / "spec_hybrid_recipient.txt").read_text().strip()

POOL = [HybridIdentity.generate() for _ in range(3)]


def test_spec_example_identity_gives_the_spec_recipient() -> None:
    identity = parse_identity(SPEC_IDENTITY)
    assert isinstance(identity, HybridIdentity)
    assert str(identity) == SPEC_IDENTITY
    assert str(identity.recipient) == SPEC_RECIPIENT
    recipient = parse_recipient(SPEC_RECIPIENT)
    assert isinstance(recipient, HybridRecipient)
    assert recipient == identity.recipient
    assert len(recipient.to_bytes()) == 1216
    assert is_hybrid(recipient) and is_hybrid(identity)
    assert not is_hybrid(X25519Identity.generate())


def test_generated_keys_round_trip_through_text() -> None:
    identity = HybridIdentity.generate()
    assert str(identity).startswith("AGE-SECRET-KEY-PQ-1")
    assert str(identity.recipient).startswith("age1pq1")
    again = parse_identity(f"  {identity}\n")
    assert isinstance(again, HybridIdentity)
    assert again.to_bytes() == identity.to_bytes()
    assert parse_recipient(str(identity.recipient).upper()) == identity.recipient


def test_repr_never_shows_the_secret() -> None:
    identity = HybridIdentity.generate()
    assert str(identity)[19:].lower() not in repr(identity).lower()


@settings(max_examples=15, deadline=None)
@given(
    size=st.sampled_from([0, 1, 2048, 65536, 65537, 200_000]),
    recipients=st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=3, unique=True),
    armored=st.booleans(),
)
def test_round_trip(size: int, recipients: list[int], armored: bool) -> None:
    plaintext = bytes(i % 251 for i in range(size))
    encrypted = encrypt(plaintext, [POOL[i].recipient for i in recipients], armor=armored)
    for i in recipients:
        assert decrypt(encrypted, [POOL[i]]) == plaintext
    outsiders = [p for j, p in enumerate(POOL) if j not in recipients]
    if outsiders:
        with pytest.raises(NoIdentityMatch):
            decrypt(encrypted, outsiders)


def test_stanza_shape() -> None:
    encrypted = encrypt(b"story", [POOL[0].recipient])
    (stanza,) = parse_header(encrypted).stanzas
    assert stanza.type == "mlkem768x25519"
    assert len(stanza.args) == 1
    assert len(b64decode_canonical(stanza.args[0].encode())) == 1120
    assert len(stanza.body) == 32


def test_hybrid_and_classic_recipients_are_never_mixed_when_writing() -> None:
    classic = X25519Identity.generate().recipient
    with pytest.raises(UsageError, match="cannot be combined"):
        encrypt(b"story", [POOL[0].recipient, classic])
    with pytest.raises(UsageError, match="passphrase"):
        encrypt(b"story", [POOL[0].recipient, ScryptRecipient("pass", 10)])


def test_classic_identity_ignores_hybrid_stanzas_and_vice_versa() -> None:
    classic = X25519Identity.generate()
    with pytest.raises(NoIdentityMatch):
        decrypt(encrypt(b"story", [POOL[0].recipient]), [classic])
    with pytest.raises(NoIdentityMatch):
        decrypt(encrypt(b"story", [classic.recipient]), [POOL[0]])
    both = decrypt(encrypt(b"story", [POOL[0].recipient]), [classic, POOL[0]])
    assert both == b"story"


def _stanza(args: tuple[str, ...], body: bytes) -> list[Stanza]:
    return [Stanza("mlkem768x25519", args, body)]


@pytest.mark.parametrize(
    ("args", "body", "reason"),
    [
        ((), bytes(32), "number of arguments"),
        ((b64encode_raw(bytes(1120)).decode(), "x"), bytes(32), "number of arguments"),
        ((b64encode_raw(bytes(1119)).decode(),), bytes(32), "wrong length"),
        ((b64encode_raw(bytes(1121)).decode(),), bytes(32), "wrong length"),
        ((b64encode_raw(bytes(1120)).decode()[:-1] + "B",), bytes(32), "canonical"),
        ((b64encode_raw(bytes(1120)).decode(),), bytes(33), "wrong length"),
        # The X25519 part is the all-zero (identity) point.
        ((b64encode_raw(bytes(1120)).decode(),), bytes(32), "low-order"),
    ],
)
def test_malformed_stanzas_are_header_errors(
    args: tuple[str, ...], body: bytes, reason: str
) -> None:
    with pytest.raises(HeaderError, match=reason):
        POOL[0].unwrap(_stanza(args, body))


def test_a_malformed_stanza_fails_even_after_a_good_one() -> None:
    good = list(POOL[0].recipient.wrap(bytes(16)))
    bad = _stanza((b64encode_raw(bytes(1121)).decode(),), bytes(32))
    with pytest.raises(HeaderError):
        POOL[0].unwrap(good + bad)
    assert POOL[0].unwrap(good) == bytes(16)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (bech32.encode("age1pq", b"\x01" * 1215), "post-quantum age public key: wrong length"),
        (bech32.encode("age1pq", b"\x01" * 40), "post-quantum age public key: wrong length"),
        (SPEC_RECIPIENT[:-1] + ("q" if SPEC_RECIPIENT[-1] != "q" else "p"), "checksum"),
        (bech32.encode("age1tag", b"\x01" * 33), "should start with age1"),
    ],
)
def test_parse_recipient_rejects(text: str, reason: str) -> None:
    with pytest.raises(KeyFormatError, match=reason) as info:
        parse_recipient(text)
    assert text not in str(info.value)


def test_low_order_x25519_half_is_refused() -> None:
    public = parse_recipient(SPEC_RECIPIENT).to_bytes()
    with pytest.raises(KeyFormatError, match="low-order"):
        HybridRecipient.from_bytes(public[:1184] + bytes(32))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (bech32.encode("age-secret-key-pq-", b"\x01" * 31).upper(), "wrong length"),
        (bech32.encode("age-secret-key-pq-", b"\x01" * 64).upper(), "wrong length"),
        (SPEC_IDENTITY.lower()[:20] + SPEC_IDENTITY[20:], "mixes"),
    ],
)
def test_parse_identity_rejects(text: str, reason: str) -> None:
    with pytest.raises(KeyFormatError, match=reason) as info:
        parse_identity(text)
    assert text not in str(info.value)


def test_an_invalid_ml_kem_half_is_refused() -> None:
    # FIPS 203's encapsulation key check: coefficients must be below q.
    public = parse_recipient(SPEC_RECIPIENT).to_bytes()
    with pytest.raises(KeyFormatError, match="not valid"):
        HybridRecipient.from_bytes(b"\xff" * 1184 + public[1184:])
