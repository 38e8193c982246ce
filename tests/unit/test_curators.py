"""Curator keys: shipped collections against the pinned key, others trusted on first use."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from storycircle.cli.main import main
from storycircle.curated.collections import (
    load_collection,
    shipped_collections,
    shipped_folder,
    sign_collection,
    user_collections,
)
from storycircle.curated.curators import (
    KNOWN_CURATORS_NAME,
    PROJECT_CURATOR,
    PROJECT_CURATOR_KEY,
    accept_curator_key,
    fingerprint,
    read_signing_key,
    signature_note,
)
from storycircle.curated.loading import MANIFEST_NAME
from storycircle.errors import StorycircleError


def _shipped() -> Path:
    folder = shipped_folder()
    assert folder is not None
    return folder


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "collections").mkdir(parents=True)
    return folder


def _copy(data: Path, name: str = "first-light", slug: str = "mine") -> Path:
    target = data / "collections" / slug
    shutil.copytree(_shipped() / name, target)
    return target


def test_every_shipped_collection_verifies_against_the_pinned_project_key() -> None:
    # Fails when any shipped story or collection.toml changes without re-signing
    # (see "Re-signing a shipped collection" in the README).
    report = shipped_collections()
    assert report.skipped == ()
    assert {c.slug for c in report.collections} == {
        p.name for p in _shipped().iterdir() if p.is_dir()
    }
    for collection in report.collections:
        assert collection.signature is True, f"{collection.slug} is not signed by the project key"
        assert collection.trust == "project"
        assert collection.curator_key == PROJECT_CURATOR_KEY
        assert collection.curator == PROJECT_CURATOR
        listed = json.loads((_shipped() / collection.slug / MANIFEST_NAME).read_text())["files"]
        on_disk = {p.name for p in (_shipped() / collection.slug).glob("*.md")}
        assert set(listed) == on_disk | {"collection.toml"}


def test_a_shipped_folder_resigned_with_another_key_does_not_verify(tmp_path: Path) -> None:
    target = tmp_path / "first-light"
    shutil.copytree(_shipped() / "first-light", target)
    (target / "day-three.md").write_text("---\ntitle: Day three\n---\nChanged words.\n")
    # An attacker re-signs the changed folder with their own key, named in collection.toml.
    sign_collection(target, Ed25519PrivateKey.generate(), "")
    assert load_collection(target)[0].signature is True  # against the folder's own key
    pinned = load_collection(target, pinned_key=PROJECT_CURATOR_KEY)[0]
    assert pinned.signature is False
    assert "does not match" in signature_note(pinned)


def test_a_new_curator_is_remembered_and_a_changed_key_flagged(data: Path) -> None:
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    folder = _copy(data)
    signed = sign_collection(folder, first, "river")
    [seen] = user_collections(data).collections
    assert seen.trust == "new"
    assert fingerprint(signed.curator_key) in signature_note(seen)
    assert (data / KNOWN_CURATORS_NAME).exists()
    assert user_collections(data).collections[0].trust == "known"
    sign_collection(folder, second, "river")
    [changed] = user_collections(data).collections
    assert changed.signature is True and changed.trust == "changed"
    assert changed.known_key == signed.curator_key
    note = signature_note(changed)
    assert "CURATOR KEY CHANGED" in note and fingerprint(signed.curator_key) in note
    accept_curator_key(data, changed)
    assert user_collections(data).collections[0].trust == "known"


def test_a_collection_claiming_the_project_curator_under_another_key_is_flagged(
    data: Path,
) -> None:
    folder = _copy(data)
    sign_collection(folder, Ed25519PrivateKey.generate(), PROJECT_CURATOR)
    [claimed] = user_collections(data).collections
    assert claimed.trust == "changed" and claimed.known_key == PROJECT_CURATOR_KEY
    with pytest.raises(StorycircleError, match="pinned"):
        accept_curator_key(data, claimed)


def test_a_damaged_known_curators_file_is_reported(data: Path) -> None:
    sign_collection(_copy(data), Ed25519PrivateKey.generate(), "river")
    (data / KNOWN_CURATORS_NAME).write_text("{not json")
    report = user_collections(data)
    assert report.collections[0].trust == ""  # still listed, its key not judged
    assert [s.name for s in report.skipped] == ["curators"]
    assert "damaged" in report.skipped[0].reason


def _pem(path: Path, key: Ed25519PrivateKey, password: bytes | None = None) -> Path:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return path


def test_sign_collection_command_signs_with_a_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Ed25519PrivateKey.generate()
    pem = _pem(tmp_path / "curator.pem", key)
    folder = tmp_path / "col"
    shutil.copytree(_shipped() / "the-way-back", folder)
    assert main(["sign-collection", str(folder), "--key", str(pem)]) == 0
    out = capsys.readouterr().out
    assert load_collection(folder)[0].signature is True
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    import base64

    assert fingerprint(base64.b64encode(raw).decode()) in out


def test_an_encrypted_key_file_needs_its_passphrase(tmp_path: Path) -> None:
    pem = _pem(tmp_path / "curator.pem", Ed25519PrivateKey.generate(), b"long passphrase")
    with pytest.raises(StorycircleError, match="encrypted"):
        read_signing_key(pem)
    assert isinstance(read_signing_key(pem, "long passphrase"), Ed25519PrivateKey)
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("hello")
    with pytest.raises(StorycircleError, match="not a PEM"):
        read_signing_key(not_a_key)
