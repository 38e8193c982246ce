"""Loading one collection folder: ``collection.toml``, its story files, its signature.

A collection is a folder: ``collection.toml`` (title, curator, description,
license, consent, and ``curator_key`` once signed) plus one Markdown file with
front matter per story. Collections are public writing, so their tags are in
clear.

Loading never crashes the library: a story that cannot be read is skipped and
recorded on the :class:`LoadReport`, and so is a collection whose
``collection.toml`` is unusable.

A signed collection carries ``manifest.json`` (the SHA-256 of
``collection.toml`` and every story file) and ``manifest.sig`` (an Ed25519
signature of the manifest by ``curator_key``). ``Collection.signature`` is
True when both hold, False when something changed since signing (the stories
stay readable), None when unsigned.

Kept apart from :mod:`storycircle.curated.collections` (the shipped and a
person's own collections, signing, consent and assembly) so each stays short.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from storycircle.errors import StorycircleError
from storycircle.models import Collection, CollectionStory
from storycircle.sanitize import sanitize_line
from storycircle.sealing.signing import verify, verify_key
from storycircle.tagging.tags import canonical_tags
from storycircle.text.frontmatter import FrontMatterError, parse_document, read_regular_file
from storycircle.transfer.output_folder import slugify

__all__ = [
    "CONFIG_NAME",
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "MAX_CONFIG_BYTES",
    "MAX_STORIES",
    "MAX_STORY_BYTES",
    "REQUIRED_FIELDS",
    "SIGNATURE_NAME",
    "CollectionMeta",
    "LoadReport",
    "SkippedFile",
    "load_collection",
    "load_collections",
    "read_config",
]

CONFIG_NAME = "collection.toml"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
MANIFEST_FORMAT = "storycircle-collection-manifest"
MAX_CONFIG_BYTES = 64 * 1024
MAX_STORIES = 1000
"""Most story files read from one collection folder."""
MAX_STORY_BYTES = 1024 * 1024

REQUIRED_FIELDS = ("title", "curator", "license", "consent")
"""Fields ``collection.toml`` must fill, and so must an assembled collection's meta."""


@dataclass(frozen=True, slots=True)
class CollectionMeta:
    """What ``collection.toml`` says about a collection.

    Attributes:
        title: Title.
        curator: Pseudonym of whoever assembled it.
        description: A few sentences.
        license: Licence of the texts, e.g. ``CC BY-SA 4.0``.
        consent: The consent statement the authors agreed to.
    """

    title: str
    curator: str
    description: str
    license: str
    consent: str


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A story file or collection that was not loaded, and why.

    Attributes:
        name: ``<collection>/<file>``, or the collection folder's name.
        reason: One line for a person.
    """

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class LoadReport:
    """Collections loaded from one place, and what was skipped.

    Attributes:
        collections: The collections, in folder-name order.
        skipped: Files and folders that could not be used.
    """

    collections: tuple[Collection, ...] = ()
    skipped: tuple[SkippedFile, ...] = field(default_factory=tuple)


# -- loading -------------------------------------------------------------------------


def read_config(folder: Path) -> tuple[CollectionMeta, str, bytes]:
    """What a folder's ``collection.toml`` says, the ``curator_key`` it names, and its bytes.

    Raises:
        StorycircleError: the file cannot be read, is not UTF-8 TOML, or a
            field is missing or not text.
    """
    try:
        data = read_regular_file(folder / CONFIG_NAME, MAX_CONFIG_BYTES)
        fields = tomllib.loads(data.decode("utf-8"))
    except FrontMatterError as error:
        raise StorycircleError(f"{CONFIG_NAME} {error}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise StorycircleError(f"{CONFIG_NAME} is not valid UTF-8 TOML") from None
    values: dict[str, str] = {}
    for key in (*REQUIRED_FIELDS, "description", "curator_key"):
        value = fields.get(key, "")
        if not isinstance(value, str):
            raise StorycircleError(f"{CONFIG_NAME}: {key} must be text")
        values[key] = sanitize_line(value)
        if key in REQUIRED_FIELDS and not values[key]:
            raise StorycircleError(f"{CONFIG_NAME}: {key} is missing")
    meta = CollectionMeta(
        values["title"],
        values["curator"],
        values["description"],
        values["license"],
        values["consent"],
    )
    return meta, values["curator_key"], data


def _story(slug: str, stem: str, data: bytes) -> CollectionStory:
    doc = parse_document(data)
    if not doc.body.strip():
        raise FrontMatterError("has no story text")
    return CollectionStory(
        id=f"{slug}/{stem}",
        collection=slug,
        title=doc.title,
        body=doc.body,
        tags=canonical_tags(doc.tags),
        content_notes=doc.content_notes,
        author=doc.author,
        date=doc.date[:10],
        summary=doc.summary,
        lang=doc.lang or "en",
    )


def load_collection(
    folder: Path, *, pinned_key: str = ""
) -> tuple[Collection, tuple[SkippedFile, ...]]:
    """Load one collection folder.

    Args:
        folder: The collection folder.
        pinned_key: Verify against this base64 key, not the one ``collection.toml``
            names (the shipped collections use the project's key).

    Returns:
        The collection (stories in file-name order) and the story files skipped.

    Raises:
        StorycircleError: ``collection.toml`` is missing or unusable.
    """
    slug = slugify(folder.name, fallback="collection")
    meta, named_key, config = read_config(folder)
    key = pinned_key or named_key
    hashes = {CONFIG_NAME: hashlib.sha256(config).hexdigest()}
    stories: list[CollectionStory] = []
    skipped: list[SkippedFile] = []
    used: set[str] = set()
    paths = sorted(p for p in folder.iterdir() if p.suffix == ".md" and not p.name.startswith("."))
    for path in paths[:MAX_STORIES]:
        stem = slugify(path.stem)
        try:
            data = read_regular_file(path, MAX_STORY_BYTES)
            # The bytes hashed are the bytes parsed: nothing can change between.
            hashes[path.name] = hashlib.sha256(data).hexdigest()
            if stem in used:
                raise FrontMatterError("has the same name as another story here")
            stories.append(_story(slug, stem, data))
            used.add(stem)
        except StorycircleError as error:
            skipped.append(SkippedFile(f"{slug}/{path.name}", str(error)))
    if len(paths) > MAX_STORIES:
        skipped.append(SkippedFile(slug, f"holds more than {MAX_STORIES} stories"))
    collection = Collection(
        slug=slug,
        title=meta.title,
        curator=meta.curator,
        description=meta.description,
        license=meta.license,
        consent=meta.consent,
        stories=tuple(stories),
        signature=_signature_state(folder, key, hashes, pinned=bool(pinned_key)),
        curator_key=key if (folder / SIGNATURE_NAME).exists() else "",
        trust="project" if pinned_key else "",
    )
    return collection, tuple(skipped)


def load_collections(
    root: Path, *, taken: frozenset[str] = frozenset(), pinned_key: str = ""
) -> LoadReport:
    """Load every collection folder directly under ``root``.

    Args:
        root: A folder of collection folders (missing means none).
        taken: Slugs already in use elsewhere; collections with these are skipped.
        pinned_key: Verify every one against this key (see :func:`load_collection`).
    """
    if not root.is_dir() or root.is_symlink():
        return LoadReport()
    collections: list[Collection] = []
    skipped: list[SkippedFile] = []
    seen = set(taken)
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.is_symlink():
            skipped.append(SkippedFile(folder.name, "is a symbolic link; links are not followed"))
            continue
        try:
            collection, problems = load_collection(folder, pinned_key=pinned_key)
        except StorycircleError as error:
            skipped.append(SkippedFile(folder.name, str(error)))
            continue
        if collection.slug in seen:
            skipped.append(SkippedFile(folder.name, "another collection has the same name"))
            continue
        seen.add(collection.slug)
        collections.append(collection)
        skipped.extend(problems)
    return LoadReport(tuple(collections), tuple(skipped))


def _signature_state(
    folder: Path, key: str, hashes: dict[str, str], *, pinned: bool = False
) -> bool | None:
    manifest_path, sig_path = folder / MANIFEST_NAME, folder / SIGNATURE_NAME
    if not manifest_path.exists() and not sig_path.exists() and not (key and not pinned):
        # With a pinned key, a missing signature is "unsigned", which the
        # shipped collections must never be: the caller and tests check that.
        return None
    try:
        public = verify_key(base64.b64decode(key, validate=True))
        manifest = read_regular_file(manifest_path, MAX_CONFIG_BYTES * 16)
        signature = base64.b64decode(read_regular_file(sig_path, 1024).strip(), validate=True)
        verify(public, signature, manifest)
        listed = json.loads(manifest)
    except (StorycircleError, ValueError, binascii.Error):
        return False
    return (
        isinstance(listed, dict)
        and listed.get("format") == MANIFEST_FORMAT
        and listed.get("files") == hashes
    )
