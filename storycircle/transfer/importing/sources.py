"""Readers of the formats import understands, each yielding candidate stories.

A reader turns one path into a :class:`Source`: a name for the format, how
many items it holds (for progress) and an iterator over them. Each item is a
:class:`Candidate` to save or an :class:`ImportProblem` explaining why one
file or entry was skipped. A problem with the whole path (unreadable, an
unknown format, a bundle that does not open) raises instead, before anything
is saved.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storycircle import vault
from storycircle.errors import PassphraseNeeded, StorycircleError
from storycircle.journal.members import UnlockedMember
from storycircle.text.frontmatter import (
    FrontMatterError,
    decode_text,
    normalize_date,
    read_document,
    read_regular_file,
)
from storycircle.transfer.export_entries import BUNDLE_FORMAT

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
"""Largest JSON export or bundle read (about 40,000 long stories)."""

MAX_FILES = 100_000
"""Most Markdown files one folder import considers."""

MAX_BUNDLE_WORK_FACTOR = 20
"""Largest scrypt cost a passphrase bundle may ask for (1 GiB of memory)."""

MARKDOWN_SUFFIXES = (".md", ".markdown")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_STORY_ID = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Why one file or entry was not imported.

    Attributes:
        source: The file (relative to the imported folder) or entry number.
        reason: One line for a person.
    """

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A story read from a source, not yet checked by the journal.

    Attributes:
        source: Where it came from, for messages.
        title: Title ("" lets the journal take the body's first line).
        body: Markdown body.
        tags: Tags as written.
        content_notes: Content notes.
        created: ISO 8601 date of the original, or "".
        story_id: A storycircle id carried by the source, or "".
        version: Version of that id (0 when unknown).
        exact: Whether the source is a machine format whose id and version
            can be trusted (a bundle or JSON export), not a hand-editable file.
    """

    source: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    content_notes: tuple[str, ...] = ()
    created: str = ""
    story_id: str = ""
    version: int = 0
    exact: bool = False


Item = Candidate | ImportProblem


@dataclass(frozen=True, slots=True)
class Source:
    """Something to import.

    Attributes:
        kind: What was recognised, e.g. ``"jrnl export"``.
        total: How many files or entries it holds.
        items: The candidates and problems, read lazily.
    """

    kind: str
    total: int
    items: Iterator[Item]


def open_source(path: Path, member: UnlockedMember, passphrase: str | None = None) -> Source:
    """Recognise what ``path`` is and prepare to read it.

    Raises:
        PassphraseNeeded: a passphrase bundle and no passphrase.
        StorycircleError: missing, a symbolic link, unreadable, an unknown
            format, or a bundle that does not open; nothing is imported then.
    """
    if path.is_symlink():
        raise StorycircleError(f"{path} is a symbolic link; give the real path")
    if path.is_dir():
        return _markdown_folder(path)
    if not path.exists():
        raise StorycircleError(f"there is no file or folder {path}")
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        return _markdown_files([(path, path.name)], "Markdown file")
    try:
        data = read_regular_file(path, MAX_ARCHIVE_BYTES)
    except FrontMatterError as error:
        raise StorycircleError(f"{path.name} {error}") from None
    if vault.is_age_file(data):
        data = _open_bundle(data, member, passphrase)
        kind = "storycircle bundle"
    else:
        kind = ""
    return _json_source(path.name, data, kind)


# -- Markdown ----------------------------------------------------------------------


def _markdown_folder(root: Path) -> Source:
    files: list[tuple[Path, str]] = []
    early: list[Item] = []
    real_root = os.path.realpath(root)
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        prefix = "" if here == root else here.relative_to(root).as_posix() + "/"
        # Nothing may be read from outside the chosen folder, whatever the
        # names or mounts inside it say; os.walk already skips linked folders.
        if os.path.commonpath([real_root, os.path.realpath(folder)]) != real_root:
            early.append(ImportProblem(prefix, "lies outside the folder being imported"))
            dirs.clear()
            continue
        # .obsidian, .git, .trash: settings and history, not stories.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in [d for d in dirs if (here / d).is_symlink()]:
            dirs.remove(name)
            early.append(ImportProblem(prefix + name, "is a symbolic link; links are not followed"))
        files.extend(
            (here / name, prefix + name)
            for name in sorted(names)
            if name.lower().endswith(MARKDOWN_SUFFIXES) and not name.startswith(".")
        )
        if len(files) > MAX_FILES:
            early.append(
                ImportProblem(
                    root.name, f"holds more than {MAX_FILES} files; only the first ones were read"
                )
            )
            del files[MAX_FILES:]
            break
    source = _markdown_files(files, "Markdown folder")
    return Source(source.kind, source.total + len(early), _chain(early, source.items))


def _chain(first: Sequence[Item], rest: Iterator[Item]) -> Iterator[Item]:
    yield from first
    yield from rest


def _markdown_files(files: list[tuple[Path, str]], kind: str) -> Source:
    return Source(kind, len(files), (_read_markdown(path, name) for path, name in files))


def _read_markdown(path: Path, name: str) -> Item:
    try:
        # Opened with O_NOFOLLOW: a symbolic link is refused, not followed.
        doc = read_document(path, require_title=False)
    except FrontMatterError as error:
        return ImportProblem(name, str(error))
    title = doc.title
    if not title and not doc.body.strip():
        return ImportProblem(name, "has no text")
    if not title:
        heading = _HEADING.search(doc.body)
        title = heading.group(1) if heading else path.stem.replace("_", " ").replace("-", " ")
    return Candidate(
        source=name,
        title=title,
        body=doc.body,
        tags=doc.tags,
        content_notes=doc.content_notes,
        created=doc.date,
        story_id=doc.story_id,
        version=doc.version,
    )


# -- JSON: storycircle exports and jrnl ----------------------------------------------


def _json_source(name: str, data: bytes, kind: str) -> Source:
    try:
        document = json.loads(decode_text(data))
    except FrontMatterError:
        raise StorycircleError(f"{name} is neither a bundle nor UTF-8 JSON") from None
    except (ValueError, RecursionError):
        raise StorycircleError(
            f"{name} is not something storycircle can import: give a folder of Markdown "
            "files, a jrnl JSON export, or a storycircle bundle or JSON export"
        ) from None
    if isinstance(document, dict) and document.get("format") == BUNDLE_FORMAT:
        entries = _entries(document, name)
        return Source(kind or "storycircle JSON export", len(entries), _storycircle(entries))
    if isinstance(document, dict) and "entries" in document:
        entries = _entries(document, name)
        return Source("jrnl export", len(entries), _jrnl(entries))
    raise StorycircleError(f"{name} is JSON, but neither a jrnl nor a storycircle export")


def _entries(document: dict[str, Any], name: str) -> list[Any]:
    entries = document.get("stories", document.get("entries"))
    if not isinstance(entries, list):
        raise StorycircleError(f"{name} has no list of entries")
    return entries


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"its {key} is not text")
    return value


def _texts(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"its {key} are not a list of text")
    return tuple(value)


def _storycircle(entries: list[Any]) -> Iterator[Item]:
    for number, entry in enumerate(entries, start=1):
        where = f"story {number}"
        try:
            if not isinstance(entry, dict):
                raise ValueError("it is not an object")
            story_id = _text(entry, "id")
            version = entry.get("version", 0)
            if not isinstance(version, int) or isinstance(version, bool) or version < 0:
                raise ValueError("its version is not a whole number")
            exact = bool(_STORY_ID.fullmatch(story_id))
            yield Candidate(
                source=where,
                title=_text(entry, "title"),
                body=_text(entry, "body"),
                tags=_texts(entry, "tags"),
                content_notes=_texts(entry, "content_notes"),
                created=normalize_date(entry.get("created") or None),
                story_id=story_id if exact else "",
                version=version if exact else 0,
                exact=exact,
            )
        except (ValueError, FrontMatterError) as error:
            yield ImportProblem(where, _reason(error))


# A jrnl tag is "@" and a word where a word may start: not inside "a@b.com",
# not "@@x", not a lone "@". Inner "-" and "/" are part of it ("@gym-class").
_JRNL_TAG = re.compile(r"(?<![\w@.])@(\w+(?:[-/]\w+)*)")


def _inline_tags(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` with each inline ``@tag`` kept as its word, and the tags found."""
    found = tuple(match[1] for match in _JRNL_TAG.finditer(text))
    return _JRNL_TAG.sub(r"\1", text), found


def _jrnl(entries: list[Any]) -> Iterator[Item]:
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        try:
            if not isinstance(entry, dict):
                raise ValueError("it is not an object")
            day, time = _text(entry, "date"), _text(entry, "time")
            # jrnl tags carry their sigil ("@work"); the tag is the word. Tags
            # inline in the text become tags too, and the text keeps the word.
            title, in_title = _inline_tags(_text(entry, "title"))
            body, in_body = _inline_tags(_text(entry, "body"))
            tags = tuple(tag.lstrip("@#") for tag in _texts(entry, "tags")) + in_title + in_body
            if entry.get("starred") is True:
                tags += ("starred",)
            yield Candidate(
                source=where,
                title=title,
                body=body,
                tags=tags,
                created=normalize_date(f"{day}T{time}" if day and time else day or None),
            )
        except (ValueError, FrontMatterError) as error:
            yield ImportProblem(where, _reason(error))


def _reason(error: Exception) -> str:
    text = str(error)
    return text.replace("has a date", "its date") if isinstance(error, FrontMatterError) else text


# -- bundles ---------------------------------------------------------------------------


def _open_bundle(data: bytes, member: UnlockedMember, passphrase: str | None) -> bytes:
    identities: list[vault.Identity] = list(member.identities)
    if passphrase is not None:
        identities.insert(0, vault.ScryptIdentity(passphrase, MAX_BUNDLE_WORK_FACTOR))
    try:
        return vault.decrypt(data, identities)
    except vault.NoIdentityMatch:
        if "scrypt" not in vault.recipient_types(data):
            raise StorycircleError("this bundle was encrypted to someone else's key") from None
        if passphrase is None:
            raise PassphraseNeeded("this bundle is protected by a passphrase") from None
        raise StorycircleError("that passphrase does not open this bundle") from None
    except vault.WorkFactorTooHigh:
        raise StorycircleError("this bundle asks for more passphrase work than allowed") from None
    except vault.AgeError as error:
        raise StorycircleError(f"the bundle cannot be opened: {error}") from None
