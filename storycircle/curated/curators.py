"""Curator keys: the project key pinned in the package, and keys remembered on first use.

The collections that ship with storycircle are verified against
:data:`PROJECT_CURATOR_KEY`, the public half of the project's curator key (its
private half is kept outside the repository, like a release key). The key a
shipped ``collection.toml`` names is not consulted: a changed folder could
carry a new key and a matching signature.

Any other collection is verified against the key its own ``collection.toml``
names, which proves only "unchanged since that key signed it". Who holds the
key is decided the way ssh decides about a host: the first key seen for a
curator's name is remembered (trust on first use), and a later collection by
the same curator under another key is flagged, with both fingerprints, until
the reader accepts the new key.

The remembered keys live in ``<data folder>/curators.json`` in clear: they are
public keys and curator names of collections that sit in clear in the same
folder's ``collections/``, so the file tells nobody anything the folder does not.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
from dataclasses import replace
from pathlib import Path

from storycircle.errors import StorycircleError
from storycircle.models import Collection
from storycircle.sanitize import sanitize_line
from storycircle.sealing.signing import BadSignature, SigningKey, read_pem_signing_key
from storycircle.text.frontmatter import FrontMatterError, read_regular_file
from storycircle.transfer.output_folder import OutputFolder

__all__ = [
    "KNOWN_CURATORS_NAME",
    "PROJECT_CURATOR",
    "PROJECT_CURATOR_KEY",
    "accept_curator_key",
    "fingerprint",
    "judge_collections",
    "read_signing_key",
    "signature_note",
]

PROJECT_CURATOR_KEY = "FDaWjV+pfJBpY85/hBKHUXW8FbAdq/BWAHyGoLFcnYQ="
"""Base64 of the raw Ed25519 public key that signs the shipped collections."""
PROJECT_CURATOR = "The storycircle editors"
"""The curator name of the shipped collections (another key under it is flagged)."""
KNOWN_CURATORS_NAME = "curators.json"
_FORMAT = "storycircle-known-curators"
_MAX_BYTES = 1024 * 1024
_MAX_KEY_FILE = 16 * 1024


def fingerprint(key: str) -> str:
    """A short, readable fingerprint of a base64 public key, e.g. ``1A2B 3C4D ...``.

    The first 80 bits of its SHA-256, in upper-case hex, in groups of four.
    """
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = key.encode("utf-8", "replace")
    digest = hashlib.sha256(raw).hexdigest()[:20].upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def _curator_id(name: str) -> str:
    return " ".join(sanitize_line(name).casefold().split())


def _load(data_folder: Path) -> dict[str, dict[str, str]]:
    path = data_folder / KNOWN_CURATORS_NAME
    if not path.exists():
        return {}
    try:
        document = json.loads(read_regular_file(path, _MAX_BYTES))
        curators = document["curators"]
        if document.get("format") != _FORMAT or not isinstance(curators, dict):
            raise ValueError
        return {
            str(name): {"name": str(entry["name"]), "key": str(entry["key"])}
            for name, entry in curators.items()
        }
    except (FrontMatterError, ValueError, KeyError, TypeError):
        raise StorycircleError(
            f"{KNOWN_CURATORS_NAME} in the data folder is damaged; move it aside to start again"
        ) from None


def _save(data_folder: Path, curators: dict[str, dict[str, str]]) -> None:
    document = {"format": _FORMAT, "version": 1, "curators": dict(sorted(curators.items()))}
    data = (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    temporary = data_folder / f".{KNOWN_CURATORS_NAME}.tmp"
    temporary.unlink(missing_ok=True)
    with OutputFolder(data_folder, private=True, existing=True) as out:
        out.write(temporary.name, data)
    temporary.replace(data_folder / KNOWN_CURATORS_NAME)


def judge_collections(
    collections: tuple[Collection, ...], data_folder: Path
) -> tuple[Collection, ...]:
    """Set ``trust`` on signed collections from the data folder, remembering new curators.

    A curator's first key is remembered (the file is written only when
    something new was seen, and only in an existing folder). A known curator
    under another key gets ``trust="changed"`` and ``known_key`` set.

    Raises:
        StorycircleError: the remembered keys file is damaged.
    """
    known = _load(data_folder)
    known.setdefault(
        _curator_id(PROJECT_CURATOR), {"name": PROJECT_CURATOR, "key": PROJECT_CURATOR_KEY}
    )
    judged: list[Collection] = []
    learned = False
    for collection in collections:
        if collection.signature is None or not collection.curator_key:
            judged.append(collection)
            continue
        curator = _curator_id(collection.curator)
        entry = known.get(curator)
        if entry is None:
            known[curator] = {"name": collection.curator, "key": collection.curator_key}
            learned = True
            judged.append(replace(collection, trust="new"))
        elif entry["key"] == collection.curator_key:
            judged.append(replace(collection, trust="known"))
        else:
            judged.append(replace(collection, trust="changed", known_key=entry["key"]))
    if learned and data_folder.is_dir():
        known.pop(_curator_id(PROJECT_CURATOR), None)  # pinned in the code, not the file
        with contextlib.suppress(StorycircleError):  # a read-only folder: remember next time
            _save(data_folder, known)
    return tuple(judged)


def accept_curator_key(data_folder: Path, collection: Collection) -> None:
    """Remember ``collection``'s key as its curator's from now on.

    Raises:
        StorycircleError: the collection is unsigned, or is the project's own curator.
    """
    if not collection.curator_key:
        raise StorycircleError(f"{collection.slug} is not signed; there is no key to accept")
    curator = _curator_id(collection.curator)
    if curator == _curator_id(PROJECT_CURATOR):
        raise StorycircleError(
            f"{PROJECT_CURATOR!r} is the project's curator; its key is pinned in storycircle"
        )
    known = _load(data_folder)
    known[curator] = {"name": collection.curator, "key": collection.curator_key}
    _save(data_folder, known)


def signature_note(collection: Collection) -> str:
    """One line on a collection's signature and curator key, for lists and headings."""
    if collection.signature is None:
        return "unsigned"
    if collection.signature is False:
        return "signature does not match: changed since it was signed"
    key = fingerprint(collection.curator_key)
    if collection.trust == "project":
        return f"verified, signed by the storycircle project key {key}"
    if collection.trust == "changed":
        before = fingerprint(collection.known_key)
        return (
            f"CURATOR KEY CHANGED: {collection.curator} signed with {before} before, "
            f"this is signed with {key}"
        )
    if collection.trust == "new":
        return f"verified, curator key {key} (first seen, remembered)"
    if collection.trust == "known":
        return f"verified, curator key {key} (known)"
    return f"verified, curator key {key}"


def read_signing_key(path: Path, passphrase: str | None = None) -> SigningKey:
    """Read an Ed25519 private key from a PKCS#8 PEM file.

    Raises:
        StorycircleError: unreadable, encrypted without ``passphrase``, or not Ed25519.
    """
    try:
        data = read_regular_file(path, _MAX_KEY_FILE)
    except FrontMatterError as error:
        raise StorycircleError(f"the key file {error}") from None
    try:
        return read_pem_signing_key(data, passphrase)
    except BadSignature:
        raise StorycircleError("the key file holds a key that is not Ed25519") from None
    except TypeError:
        raise StorycircleError("the key file is encrypted; its passphrase is needed") from None
    except ValueError:
        raise StorycircleError(
            "the key file is not a PEM private key (or the passphrase is wrong)"
        ) from None


def is_encrypted_key(path: Path) -> bool:
    """True when the PEM file at ``path`` says it is encrypted."""
    with contextlib.suppress(FrontMatterError):
        return b"ENCRYPTED" in read_regular_file(path, _MAX_KEY_FILE)
    return False
