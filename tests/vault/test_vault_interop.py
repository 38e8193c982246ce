"""Interoperability with the reference `age` CLI (Debian package `age`), both ways.

These tests fail, rather than skip, when `age` is missing: the vault's promise
is that people can always open their files with the standard tool.
"""

from __future__ import annotations

import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storycircle.vault import (
    Recipient,
    ScryptIdentity,
    ScryptRecipient,
    X25519Identity,
    decrypt,
    encrypt,
    parse_identity,
    parse_recipient,
)

from .agecli import age_binary, run_age, write_private

SIZES = [0, 1, 65535, 65536, 65537, 200000]
PASSPHRASE = "quiet harbour lantern 42 ünïcode"
# Cheap on purpose (tests only): age accepts any work factor up to 22.
TEST_WORK_FACTOR = 10
# age -p always uses work factor 18 (about a second each way), so the
# age-to-vault passphrase direction covers a representative subset.
AGE_PASSPHRASE_CASES = [(False, 0), (False, 65536), (True, 1), (True, 200000)]


def plaintext_of(size: int) -> bytes:
    return random.Random(size).randbytes(size)


def armor_id(armored: bool) -> str:
    return "armored" if armored else "binary"


def test_age_cli_is_installed() -> None:
    done = subprocess.run([age_binary(), "--version"], capture_output=True, timeout=30, check=True)
    assert done.stdout.strip()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("armored", [False, True], ids=armor_id)
@pytest.mark.parametrize("kind", ["x25519", "scrypt"])
def test_vault_to_age(tmp_path: Path, kind: str, armored: bool, size: int) -> None:
    plaintext = plaintext_of(size)
    encrypted = tmp_path / "story.age"
    decrypted = tmp_path / "story.txt"
    recipients: list[Recipient]
    if kind == "x25519":
        identity = X25519Identity.generate()
        recipients = [identity.recipient]
        key_file = write_private(tmp_path / "key.txt", f"{identity}\n".encode())
        args = ["-d", "-i", str(key_file), str(encrypted)]
        passphrase = None
    else:
        recipients = [ScryptRecipient(PASSPHRASE, work_factor=TEST_WORK_FACTOR)]
        args = ["-d", str(encrypted)]
        passphrase = PASSPHRASE
    encrypted.write_bytes(encrypt(plaintext, recipients, armor=armored))
    run_age(args, passphrase=passphrase, stdout=decrypted)
    assert decrypted.read_bytes() == plaintext


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("armored", [False, True], ids=armor_id)
def test_age_to_vault_x25519(tmp_path: Path, armored: bool, size: int) -> None:
    plaintext = plaintext_of(size)
    identity = X25519Identity.generate()
    source = tmp_path / "story.txt"
    source.write_bytes(plaintext)
    encrypted = tmp_path / "story.age"
    armor_flag = ["-a"] if armored else []
    run_age(["-e", "-r", str(identity.recipient), *armor_flag, "-o", str(encrypted), str(source)])
    data = encrypted.read_bytes()
    assert data.startswith(b"-----BEGIN AGE" if armored else b"age-encryption.org/v1\n")
    assert decrypt(data, [identity]) == plaintext


@pytest.fixture(scope="module")
def age_passphrase_files(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[bool, int], bytes]:
    """Files made by `age -e -p`, produced in parallel since each takes a second."""
    directory = tmp_path_factory.mktemp("age-passphrase")

    def make(case: tuple[bool, int]) -> bytes:
        armored, size = case
        source = directory / f"{size}-{armored}.txt"
        source.write_bytes(plaintext_of(size))
        encrypted = directory / f"{size}-{armored}.age"
        armor_flag = ["-a"] if armored else []
        run_age(["-e", "-p", *armor_flag, "-o", str(encrypted), str(source)], passphrase=PASSPHRASE)
        return encrypted.read_bytes()

    with ThreadPoolExecutor(max_workers=len(AGE_PASSPHRASE_CASES)) as pool:
        return dict(zip(AGE_PASSPHRASE_CASES, pool.map(make, AGE_PASSPHRASE_CASES), strict=True))


@pytest.mark.parametrize(("armored", "size"), AGE_PASSPHRASE_CASES)
def test_age_to_vault_passphrase(
    age_passphrase_files: dict[tuple[bool, int], bytes], armored: bool, size: int
) -> None:
    data = age_passphrase_files[(armored, size)]
    assert b"scrypt" in data or armored
    assert decrypt(data, [ScryptIdentity(PASSPHRASE)]) == plaintext_of(size)


def test_multiple_recipients_both_ways(tmp_path: Path) -> None:
    alice, bob = X25519Identity.generate(), X25519Identity.generate()
    plaintext = plaintext_of(70000)
    ours = tmp_path / "ours.age"
    ours.write_bytes(encrypt(plaintext, [alice.recipient, bob.recipient]))
    bob_key = write_private(tmp_path / "bob.txt", f"{bob}\n".encode())
    out = tmp_path / "ours.txt"
    run_age(["-d", "-i", str(bob_key), str(ours)], stdout=out)
    assert out.read_bytes() == plaintext

    source = tmp_path / "theirs.txt"
    source.write_bytes(plaintext)
    theirs = tmp_path / "theirs.age"
    run_age(
        ["-e", "-r", str(alice.recipient), "-r", str(bob.recipient), "-o", str(theirs), str(source)]
    )
    assert decrypt(theirs.read_bytes(), [alice]) == plaintext
    assert decrypt(theirs.read_bytes(), [bob]) == plaintext


def test_age_keygen_keys_parse(tmp_path: Path) -> None:
    key_file = tmp_path / "keygen.txt"
    keygen = age_binary() + "-keygen"
    subprocess.run([keygen, "-o", str(key_file)], check=True, capture_output=True, timeout=30)
    lines = key_file.read_text().splitlines()
    public = next(line.split(": ")[1] for line in lines if line.startswith("# public key: "))
    secret = next(line for line in lines if line.startswith("AGE-SECRET-KEY-1"))
    identity = parse_identity(secret)
    assert str(identity) == secret
    assert identity.recipient == parse_recipient(public)
    assert str(identity.recipient) == public
