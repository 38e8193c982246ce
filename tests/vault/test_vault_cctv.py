"""Conformance against the C2SP CCTV age test vectors (copied under vectors/age).

One test per vector file. Besides the expected outcome, every success vector
is also used for the round-trips the CCTV README suggests: header re-encoding,
STREAM re-encryption with the known file key and nonce, and armor re-encoding.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storycircle.vault import (
    AgeError,
    ArmorError,
    HeaderError,
    HMACError,
    Identity,
    NoIdentityMatch,
    PayloadError,
    ScryptIdentity,
    decrypt,
    parse_identity,
)
from storycircle.vault import armor as armor_mod
from storycircle.vault._format import PAYLOAD_NONCE_SIZE, encode_header, parse_header
from storycircle.vault._stream import encrypt_payload

TESTDATA = Path(__file__).parent / "vectors" / "age" / "testdata"
VECTOR_FILES = sorted(TESTDATA.iterdir())

EXPECTED_ERRORS: dict[str, type[AgeError]] = {
    "no match": NoIdentityMatch,
    "header failure": HeaderError,
    "HMAC failure": HMACError,
    "payload failure": PayloadError,
    "armor failure": ArmorError,
}


@dataclass
class Vector:
    expect: str
    body: bytes
    payload_sha256: str | None = None
    file_key: bytes | None = None
    armored: bool = False
    identities: list[str] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)


def load_vector(path: Path) -> Vector:
    raw = path.read_bytes()
    head, sep, body = raw.partition(b"\n\n")
    assert sep, f"{path.name}: no blank line after the textual header"
    fields: dict[str, str] = {}
    identities: list[str] = []
    passphrases: list[str] = []
    for line in head.decode("utf-8").splitlines():
        key, colon, value = line.partition(": ")
        assert colon, f"{path.name}: malformed header line {line!r}"
        if key == "identity":
            identities.append(value)
        elif key == "passphrase":
            passphrases.append(value)
        else:
            fields[key] = value
    compressed = fields.get("compressed")
    if compressed is not None:
        assert compressed == "zlib", f"{path.name}: unknown compression {compressed}"
        body = zlib.decompress(body)
    return Vector(
        expect=fields["expect"],
        body=body,
        payload_sha256=fields.get("payload"),
        file_key=bytes.fromhex(fields["file key"]) if "file key" in fields else None,
        armored=fields.get("armored") == "yes",
        identities=identities,
        passphrases=passphrases,
    )


def is_post_quantum(vector: Vector) -> bool:
    return any(i.startswith("AGE-SECRET-KEY-PQ-") for i in vector.identities)


def check_round_trips(vector: Vector, plaintext: bytes) -> None:
    binary = vector.body
    if vector.armored:
        binary = armor_mod.decode(vector.body)
        normalized = vector.body.strip(b" \t\r\n").replace(b"\r\n", b"\n") + b"\n"
        assert armor_mod.encode(binary) == normalized
    assert vector.file_key is not None
    header = parse_header(binary)
    assert encode_header(header.stanzas, vector.file_key) == binary[: header.payload_offset]
    start = header.payload_offset
    nonce = binary[start : start + PAYLOAD_NONCE_SIZE]
    assert b"".join(encrypt_payload(vector.file_key, plaintext, nonce)) == binary[start:]


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[p.name for p in VECTOR_FILES])
def test_cctv_vector(path: Path) -> None:
    vector = load_vector(path)
    identities: list[Identity] = [parse_identity(i) for i in vector.identities]
    identities += [ScryptIdentity(p) for p in vector.passphrases]
    if not identities:
        # The vector does not depend on the identity (it fails before unwrapping).
        identities = [ScryptIdentity("unused")]

    if vector.expect == "success":
        plaintext = decrypt(vector.body, identities)
        assert hashlib.sha256(plaintext).hexdigest() == vector.payload_sha256
        check_round_trips(vector, plaintext)
        return

    expected = EXPECTED_ERRORS[vector.expect]
    with pytest.raises(AgeError) as info:
        decrypt(vector.body, identities)
    # Exact category, so a parsing error is never masked as, say, an HMAC error.
    # (Our API is all-or-nothing, so a payload failure releases no plaintext at
    # all; the vector's partial-plaintext hash does not apply.)
    assert isinstance(info.value, expected), f"{type(info.value).__name__}: {info.value}"
    for other in EXPECTED_ERRORS.values():
        if other is not expected:
            assert not isinstance(info.value, other)


def test_cctv_vector_count() -> None:
    """Guard against the copy of the vectors silently losing files."""
    assert len(VECTOR_FILES) == 143
    post_quantum = [p for p in VECTOR_FILES if is_post_quantum(load_vector(p))]
    assert len(post_quantum) == 19
