"""Curated collections: loading, signing, and assembling them from consented stories.

A collection is a folder: ``collection.toml`` (title, curator, description,
license, consent, and ``curator_key`` once signed) plus one Markdown file with
front matter per story. Collections are public writing, so their tags are in
clear. The shipped ones live in the package (``storycircle/stories``, or
``stories/`` in a checkout); a person's own are under
``<data folder>/collections``.

Loading never crashes the library: a story that cannot be read is skipped and
recorded on the :class:`LoadReport`, and so is a collection whose
``collection.toml`` is unusable.

A signed collection carries ``manifest.json`` (the SHA-256 of
``collection.toml`` and every story file) and ``manifest.sig`` (an Ed25519
signature of the manifest by ``curator_key``). ``Collection.signature`` is
True when both hold, False when something changed since signing (the stories
stay readable), None when unsigned. The key sits beside what it signs, so True
means "unchanged since this key signed it"; whether to trust that key is a
decision about the curator, made by comparing :func:`curator_key` with one
obtained elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle import vault
from storycircle.curated.curators import PROJECT_CURATOR_KEY, judge_collections
from storycircle.errors import StorycircleError
from storycircle.models import Collection, CollectionStory
from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.sealing.signing import SigningKey, raw_public, sign, verify, verify_key
from storycircle.tagging.tags import canonical_tags
from storycircle.text.frontmatter import FrontMatterError, parse_document, read_regular_file
from storycircle.transfer.export_entries import ExportEntry, story_markdown
from storycircle.transfer.output_folder import OutputFolder, slugify, unique_name
from storycircle.wording import plural

if TYPE_CHECKING:
    from storycircle.journal.journal import Journal
    from storycircle.journal.members import UnlockedMember

__all__ = [
    "CollectionMeta",
    "LoadReport",
    "SkippedFile",
    "assemble_collection",
    "collection_consents",
    "curator_key",
    "forget_consents",
    "load_collection",
    "load_collections",
    "set_collection_consent",
    "shipped_collections",
    "shipped_folder",
    "sign_collection",
    "user_collections",
]

CONFIG_NAME = "collection.toml"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
MANIFEST_FORMAT = "storycircle-collection-manifest"
MAX_CONFIG_BYTES = 64 * 1024
MAX_STORIES = 1000
"""Most story files read from one collection folder."""
MAX_STORY_BYTES = 1024 * 1024

_REQUIRED = ("title", "curator", "license", "consent")
_HEX_ID = re.compile(r"[0-9a-f]{16}")  # story and member ids


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


def _read_config(folder: Path) -> tuple[CollectionMeta, str, bytes]:
    try:
        data = read_regular_file(folder / CONFIG_NAME, MAX_CONFIG_BYTES)
        fields = tomllib.loads(data.decode("utf-8"))
    except FrontMatterError as error:
        raise StorycircleError(f"{CONFIG_NAME} {error}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise StorycircleError(f"{CONFIG_NAME} is not valid UTF-8 TOML") from None
    values: dict[str, str] = {}
    for key in (*_REQUIRED, "description", "curator_key"):
        value = fields.get(key, "")
        if not isinstance(value, str):
            raise StorycircleError(f"{CONFIG_NAME}: {key} must be text")
        values[key] = sanitize_line(value)
        if key in _REQUIRED and not values[key]:
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
    meta, named_key, config = _read_config(folder)
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


def shipped_folder() -> Path | None:
    """Where the shipped collections are: in the package, or in a checkout."""
    packaged = resources.files("storycircle") / "stories"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    # storycircle/curated/collections.py: the checkout's root is three folders up.
    checkout = Path(__file__).resolve().parents[2] / "stories"
    return checkout if checkout.is_dir() else None


@functools.cache
def shipped_collections() -> LoadReport:
    """The collections that ship with storycircle (read once, then cached).

    They are verified against the project key pinned in :mod:`storycircle.curated.curators`.
    """
    folder = shipped_folder()
    if folder is None:
        return LoadReport()
    return load_collections(folder, pinned_key=PROJECT_CURATOR_KEY)


def user_collections(data_folder: Path) -> LoadReport:
    """Collections under ``data_folder/collections`` (names of shipped ones are skipped).

    Signed ones carry what is known of their curator's key
    (:func:`storycircle.curated.curators.judge_collections`): a first key is remembered.
    """
    taken = frozenset(c.slug for c in shipped_collections().collections)
    report = load_collections(data_folder / "collections", taken=taken)
    if not report.collections:
        return report
    try:
        return LoadReport(judge_collections(report.collections, data_folder), report.skipped)
    except StorycircleError as error:
        # The collections still load; their curators' keys are just not judged.
        skipped = (*report.skipped, SkippedFile("curators", str(error)))
        return LoadReport(report.collections, skipped)


# -- signing ---------------------------------------------------------------------------


def curator_key(folder: Path) -> str | None:
    """The base64 Ed25519 key a collection is signed with, or None."""
    try:
        key = _read_config(folder)[1]
    except StorycircleError:
        return None
    return key or None


def _manifest(hashes: dict[str, str]) -> bytes:
    document = {"format": MANIFEST_FORMAT, "version": 1, "files": dict(sorted(hashes.items()))}
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("ascii")


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


def _toml_string(text: str) -> str:
    # JSON string escapes are a subset of TOML's basic-string escapes, and the
    # text is sanitized, so no control character needs another form.
    return json.dumps(sanitize_text(text), ensure_ascii=False)


def _config_text(meta: CollectionMeta, key: str = "") -> bytes:
    lines = [f"{name} = {_toml_string(getattr(meta, name))}" for name in CollectionMeta.__slots__]
    if key:
        lines.append(f"curator_key = {_toml_string(key)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _replace(folder: Path, name: str, data: bytes) -> None:
    temporary = folder / f".{name}.tmp"
    temporary.unlink(missing_ok=True)
    with OutputFolder(folder, private=False, existing=True) as out:
        out.write(temporary.name, data)
    temporary.replace(folder / name)


def sign_collection(folder: Path, signing_key: SigningKey, curator: str) -> Collection:
    """Sign a collection folder as ``curator``; returns it as loaded again.

    Sets ``curator`` and ``curator_key`` in ``collection.toml``, then writes
    ``manifest.json`` and ``manifest.sig``. Signing again after a change
    replaces both.

    Raises:
        StorycircleError: the folder is not a usable collection.
    """
    meta, _, _ = _read_config(folder)
    raw = raw_public(signing_key)
    meta = CollectionMeta(
        meta.title,
        sanitize_line(curator) or meta.curator,
        meta.description,
        meta.license,
        meta.consent,
    )
    _replace(folder, CONFIG_NAME, _config_text(meta, base64.b64encode(raw).decode("ascii")))
    hashes: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name == CONFIG_NAME or (path.suffix == ".md" and not path.name.startswith(".")):
            data = read_regular_file(path, MAX_STORY_BYTES)
            hashes[path.name] = hashlib.sha256(data).hexdigest()
    manifest = _manifest(hashes)
    _replace(folder, MANIFEST_NAME, manifest)
    _replace(folder, SIGNATURE_NAME, base64.b64encode(sign(signing_key, manifest)) + b"\n")
    return load_collection(folder)[0]


# -- consent and assembly ----------------------------------------------------------------


def _consent_path(data_folder: Path, member_id: str) -> Path:
    # One file per member: a file encrypted to one member cannot be rewritten
    # by another, and members of one installation must not see each other's.
    if not _HEX_ID.fullmatch(member_id):
        raise StorycircleError("not a member id")
    return data_folder / f"consents-{member_id}.age"


def collection_consents(data_folder: Path, member: UnlockedMember) -> set[str]:
    """Ids of ``member``'s stories they agreed may go into a collection.

    The list is an age file encrypted to the member that holds story ids only
    (no titles, no text).

    Raises:
        StorycircleError: the file exists but is damaged or not the member's.
    """
    path = _consent_path(data_folder, member.id)
    if not path.exists():
        return set()
    try:
        document = json.loads(
            vault.decrypt(read_regular_file(path, 16 * 1024 * 1024), member.identities)
        )
        if document.get("member") != member.id:
            raise ValueError
        return {str(i) for i in document["stories"] if _HEX_ID.fullmatch(str(i))}
    except (vault.AgeError, StorycircleError, ValueError, KeyError, TypeError, AttributeError):
        raise StorycircleError("your collection consent list is damaged") from None


def set_collection_consent(
    data_folder: Path, member: UnlockedMember, story_id: str, allowed: bool
) -> None:
    """Give (``allowed=True``) or withdraw consent for one story to go into collections.

    Withdrawing stops future assembly; it cannot recall copies already shared.

    Raises:
        StorycircleError: not a story id, or the consent list is damaged.
    """
    if not _HEX_ID.fullmatch(story_id):
        raise StorycircleError(f"{sanitize_line(story_id)[:20]!r} is not a story id")
    ids = collection_consents(data_folder, member)
    ids = ids | {story_id} if allowed else ids - {story_id}
    document = {"member": member.id, "stories": sorted(ids)}
    sealed = vault.encrypt(json.dumps(document).encode("ascii"), [member.own_recipient])
    path = _consent_path(data_folder, member.id)
    temporary = data_folder / f".{path.name}.tmp"
    temporary.unlink(missing_ok=True)
    with OutputFolder(data_folder, private=True, existing=True) as out:
        out.write(temporary.name, sealed)
    temporary.replace(path)


def forget_consents(data_folder: Path, member_id: str) -> None:
    """Delete a removed member's consent list (it holds story ids only)."""
    _consent_path(data_folder, member_id).unlink(missing_ok=True)


def assemble_collection(
    journal: Journal,
    story_ids: list[str],
    meta: CollectionMeta,
    folder: Path,
    *,
    data_folder: Path,
) -> Collection:
    """Write a collection folder from journal stories their author consented to share.

    Authors appear by pseudonym and stories by day only; story ids are not
    written. Sign the result with :func:`sign_collection`.

    Args:
        journal: The author's journal.
        story_ids: The stories, in the order their files should sort.
        meta: Title, curator, description, licence and consent statement.
        folder: A new or empty folder.
        data_folder: Where the consent list lives.

    Raises:
        StorycircleError: a story without consent (nothing is written then),
            a missing field, or an unusable folder.
    """
    consented = collection_consents(data_folder, journal.member)
    refused = [story_id for story_id in story_ids if story_id not in consented]
    if refused:
        raise StorycircleError(
            f"{len(refused):,} of these stories {plural(len(refused), 'has', 'have')} no consent "
            "to be shared; nothing was written"
        )
    if not story_ids:
        raise StorycircleError("a collection needs at least one story")
    for name in _REQUIRED:
        if not sanitize_line(getattr(meta, name)):
            raise StorycircleError(f"a collection needs a {name}")
    stories = [journal.load(story_id) for story_id in story_ids]
    used: set[str] = {CONFIG_NAME.casefold()}
    with OutputFolder(folder, private=False) as out:
        out.write(CONFIG_NAME, _config_text(meta))
        for number, story in enumerate(stories, start=1):
            entry = ExportEntry(
                id="",
                version=1,
                title=story.title,
                body=story.body,
                tags=story.tags,
                content_notes=story.content_notes,
                created=story.created[:10],
                author=journal.member.pseudonym,
            )
            stem = f"{number:03d}-{slugify(story.title)}"
            out.write(unique_name(stem, used), story_markdown(entry).encode("utf-8"))
    return load_collection(folder)[0]
