"""What the vault tells about a file without opening it, and the key it derives."""

from __future__ import annotations

import pytest

from storycircle import vault
from storycircle.vault._primitives import hkdf_sha256

PASS_WORK_FACTOR = 10


def test_recipient_types_names_each_kind_of_recipient() -> None:
    classic, hybrid = vault.X25519Identity.generate(), vault.HybridIdentity.generate()
    assert vault.recipient_types(vault.encrypt(b"x", [classic.recipient])) == {"X25519"}
    assert vault.recipient_types(vault.encrypt(b"x", [hybrid.recipient])) == {"mlkem768x25519"}
    sealed = vault.encrypt(b"x", [vault.ScryptRecipient("a passphrase", PASS_WORK_FACTOR)])
    assert vault.recipient_types(sealed) == {"scrypt"}
    armored = vault.encrypt(b"x", [classic.recipient], armor=True)
    assert vault.recipient_types(armored) == {"X25519"}


def test_scrypt_work_factor_is_read_from_the_header_only() -> None:
    sealed = vault.encrypt(b"x", [vault.ScryptRecipient("a passphrase", PASS_WORK_FACTOR)])
    assert vault.scrypt_work_factor(sealed) == PASS_WORK_FACTOR
    classic = vault.X25519Identity.generate()
    assert vault.scrypt_work_factor(vault.encrypt(b"x", [classic.recipient])) is None


def test_a_damaged_header_is_an_age_error() -> None:
    with pytest.raises(vault.AgeError):
        vault.recipient_types(b"age-encryption.org/v1\n-> X25519\n")
    with pytest.raises(vault.AgeError):
        vault.scrypt_work_factor(b"not an age file at all")


def test_derive_key_is_hkdf_sha256_with_an_empty_salt() -> None:
    secret, info = bytes(range(32)), b"storycircle/test/v1"
    key = vault.derive_key(secret, info)
    assert len(key) == 32
    assert key == hkdf_sha256(secret, b"", info)
    assert key != vault.derive_key(secret, b"storycircle/other/v1")
