"""Curated collections: the shipped ones and a person's own, signing, and assembly.

The shipped collections live in the package (``storycircle/stories``, or
``stories/`` in a checkout); a person's own are under
``<data folder>/collections``. Reading one collection folder (its
``collection.toml``, story files and signature) is
:mod:`storycircle.curated.loading`.

A signed collection's key sits beside what it signs, so a good signature
means "unchanged since this key signed it"; whether to trust that key is a
decision about the curator, made by comparing :func:`curator_key` with one
obtained elsewhere. A person's stories go into a collection only with their
consent, given story by story.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle import vault
from storycircle.curated.curators import PROJECT_CURATOR_KEY, judge_collections
from storycircle.curated.loading import (
    CONFIG_NAME,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    MAX_STORY_BYTES,
    REQUIRED_FIELDS,
    SIGNATURE_NAME,
    CollectionMeta,
    LoadReport,
    SkippedFile,
    load_collection,
    load_collections,
    read_config,
)
from storycircle.errors import StorycircleError
from storycircle.models import Collection
from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.sealing.signing import SigningKey, raw_public, sign
from storycircle.text.frontmatter import read_regular_file
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

_HEX_ID = re.compile(r"[0-9a-f]{16}")  # story and member ids


# -- the shipped and a person's own ----------------------------------------------------


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
        key = read_config(folder)[1]
    except StorycircleError:
        return None
    return key or None


def _manifest(hashes: dict[str, str]) -> bytes:
    document = {"format": MANIFEST_FORMAT, "version": 1, "files": dict(sorted(hashes.items()))}
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("ascii")


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
    meta, _, _ = read_config(folder)
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
    for name in REQUIRED_FIELDS:
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
