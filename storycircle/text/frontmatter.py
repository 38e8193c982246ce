"""Markdown files with front matter, read safely.

Story files come from collections and from imports: folders that anyone may
have handed over. Reading one must never run code, exhaust memory or crash
the caller, so:

* the file is opened without following symbolic links, must be a regular file
  and is refused above :data:`MAX_FILE_BYTES` before anything is parsed;
* it must be UTF-8 (a BOM is dropped, CRLF and CR become LF);
* YAML front matter is read with PyYAML's *safe* loader only, and its node
  graph is checked before any Python object is built: no aliases (which is
  how "billion laughs" bombs multiply), no tags beyond the plain YAML types
  (so ``!!python/object`` never reaches a constructor), bounded size, node
  count and depth (:mod:`storycircle.text.safe_yaml`);
* Hugo's TOML front matter (``+++``) goes through :mod:`tomllib`, which has
  no way to run code;
* every field is type-checked and every string sanitized.

Problems raise :class:`FrontMatterError` with a one-line reason.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.text.safe_yaml import FrontMatterError, load_yaml

__all__ = [
    "MAX_FILE_BYTES",
    "Document",
    "FrontMatterError",
    "normalize_date",
    "parse_document",
    "read_document",
    "read_regular_file",
]

MAX_FILE_BYTES = 1024 * 1024
"""Largest story file read, checked before parsing."""

MAX_FRONT_MATTER_BYTES = 64 * 1024
"""Front matter is a handful of fields; more than this is not a story."""

MAX_RAW_TAGS = 256
"""Most tag entries read before canonicalisation (which caps them further)."""

MAX_TITLE_LENGTH = 200
MAX_FIELD_LENGTH = 1000

_YAML_OPEN = "---"
_TOML_OPEN = "+++"
_YAML_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_TOML_CLOSE = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")
_STORY_ID = re.compile(r"[0-9a-f]{16}")
_LIST_SPLIT = re.compile(r"[,;]")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y/%m/%d", "%Y/%m/%d %H:%M")


@dataclass(frozen=True, slots=True)
class Document:
    """One Markdown story file, checked and sanitized.

    Attributes:
        title: Title from the front matter ("" when absent and not required).
        body: Markdown body after the front matter, trailing space removed.
        tags: Tags as written (not yet canonical).
        content_notes: Content notes.
        date: ISO 8601 date or timestamp, or "".
        author: Author's name or pseudonym.
        summary: One-sentence summary.
        lang: Language code, or "".
        story_id: A storycircle story id, when the file came from an export.
        version: The story version that id refers to (0 when unknown).
        has_front_matter: Whether the file had front matter at all.
    """

    title: str
    body: str
    tags: tuple[str, ...] = ()
    content_notes: tuple[str, ...] = ()
    date: str = ""
    author: str = ""
    summary: str = ""
    lang: str = ""
    story_id: str = ""
    version: int = 0
    has_front_matter: bool = False


def read_regular_file(path: Path, limit: int) -> bytes:
    """Read a regular file of at most ``limit`` bytes, not following symlinks.

    ``O_NOFOLLOW`` makes the check and the open one step, so a file cannot be
    swapped for a link in between; ``O_NONBLOCK`` keeps a FIFO from hanging
    the reader until it is refused as "not a regular file".

    Raises:
        FrontMatterError: a symbolic link, not a regular file, unreadable, or
            larger than ``limit``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if path.is_symlink():
            raise FrontMatterError("is a symbolic link; links are not followed") from None
        raise FrontMatterError(f"cannot be read: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FrontMatterError("is not a regular file")
        if info.st_size > limit:
            raise FrontMatterError(f"is larger than {_size(limit)}")
        data = _read_up_to(fd, info.st_size, limit)
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while we read it
        raise FrontMatterError(f"is larger than {_size(limit)}")
    return data


def _read_up_to(fd: int, size: int, limit: int) -> bytes:
    """The file's bytes: ``size`` of them and one more if there is one, or on to ``limit + 1``.

    Asking for the size the file has, not the limit, spares a megabyte
    allocation for every small story (a tenth of an import's time), and
    reading the descriptor directly spares a buffered file object. The one
    byte more tells whether the file grew since its size was taken; if it
    did, reading goes on to one byte past the limit, so the caller can refuse it.
    """
    parts: list[bytes] = []
    done = 0
    want = size + 1
    while done < want:
        chunk = os.read(fd, want - done)
        if not chunk:
            break
        parts.append(chunk)
        done += len(chunk)
        if done > size:  # it grew meanwhile
            want = limit + 1
    return b"".join(parts)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


def read_document(path: Path, *, require_title: bool = True) -> Document:
    """Read and parse one story file safely.

    Args:
        path: The file; a symbolic link is refused.
        require_title: Whether a missing ``title`` is an error.

    Raises:
        FrontMatterError: the reason the file cannot be used.
    """
    return parse_document(read_regular_file(path, MAX_FILE_BYTES), require_title=require_title)


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (BOM dropped) and turn CRLF and CR into LF.

    Raises:
        FrontMatterError: the bytes are not UTF-8.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FrontMatterError(
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8 and try again"
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def parse_document(data: bytes, *, require_title: bool = True) -> Document:
    """Parse a Markdown story with optional YAML (``---``) or TOML (``+++``) front matter.

    Args:
        data: The file's bytes.
        require_title: Whether a missing ``title`` is an error.

    Returns:
        The checked, sanitized document.

    Raises:
        FrontMatterError: too large, not UTF-8, hostile or malformed front
            matter, or a field of the wrong type.
    """
    if len(data) > MAX_FILE_BYTES:
        raise FrontMatterError(f"is larger than {_size(MAX_FILE_BYTES)}")
    text = decode_text(data)
    kind, raw, body = _split(text)
    fields: dict[str, Any] = {}
    if kind == "yaml":
        fields = _mapping(load_yaml(raw))
    elif kind == "toml":
        try:
            fields = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as error:
            raise FrontMatterError(f"has TOML front matter that does not parse ({error})") from None
    return _document(
        fields, sanitize_text(body).strip("\n").rstrip(), kind is not None, require_title
    )


def _split(text: str) -> tuple[str | None, str, str]:
    first, newline, rest = text.partition("\n")
    opener = first.rstrip(" \t")
    if opener not in (_YAML_OPEN, _TOML_OPEN) or not newline:
        return None, "", text
    closer = _YAML_CLOSE if opener == _YAML_OPEN else _TOML_CLOSE
    match = closer.search(rest)
    if match is None:
        raise FrontMatterError(f"starts front matter with {opener} but never closes it")
    raw = rest[: match.start()]
    if len(raw.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(f"has front matter larger than {_size(MAX_FRONT_MATTER_BYTES)}")
    return ("yaml" if opener == _YAML_OPEN else "toml"), raw, rest[match.end() :]


def _mapping(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FrontMatterError("has front matter that is not a list of key: value fields")
    return {str(key): item for key, item in value.items()}


def _document(
    fields: dict[str, Any], body: str, has_front_matter: bool, require_title: bool
) -> Document:
    title = _text(fields, "title", MAX_TITLE_LENGTH)
    if require_title and not title:
        raise FrontMatterError("has no title in its front matter")
    lang = _text(fields, "lang", 35)
    if lang and not _LANG.fullmatch(lang):
        raise FrontMatterError("has a lang that is not a language code such as en or pt-BR")
    story_id = _text(fields, "id", 64)
    version = fields.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise FrontMatterError("has a version that is not a whole number")
    return Document(
        title=title,
        body=body,
        tags=_tags(fields.get("tags")),
        content_notes=_list_field(fields.get("content_notes"), "content_notes", split=_LIST_SPLIT),
        date=normalize_date(fields.get("date")),
        author=_text(fields, "author", 80),
        summary=_text(fields, "summary", MAX_FIELD_LENGTH),
        lang=lang,
        # Only storycircle's own ids are kept; anything else is just a field.
        story_id=story_id if _STORY_ID.fullmatch(story_id) else "",
        version=version if _STORY_ID.fullmatch(story_id) else 0,
        has_front_matter=has_front_matter,
    )


def _text(fields: dict[str, Any], key: str, limit: int) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FrontMatterError(f"has a {key} that is not text (put it in quotes)")
    clean = sanitize_line(value)
    if len(clean) > limit:
        raise FrontMatterError(f"has a {key} longer than {limit} characters")
    return clean


def _tags(value: Any) -> tuple[str, ...]:
    # Obsidian and Jekyll both allow one string: "a, b" or "a b".
    if isinstance(value, str) and not _LIST_SPLIT.search(value):
        return _list_field(value.split(), "tags")
    return _list_field(value, "tags", split=_LIST_SPLIT)


def _list_field(value: Any, key: str, *, split: re.Pattern[str] | None = None) -> tuple[str, ...]:
    if value is None:
        return ()
    items: Iterable[Any]
    if isinstance(value, str):
        items = split.split(value) if split else [value]
    elif isinstance(value, list):
        items = value
    else:
        raise FrontMatterError(f"has {key} that are neither a list nor text")
    result: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise FrontMatterError(f"has {key} that are not all text")
        clean = sanitize_line(item).lstrip("#") if key == "tags" else sanitize_line(item)
        if clean:
            result.append(clean)
        if len(result) > MAX_RAW_TAGS:
            raise FrontMatterError(f"has more than {MAX_RAW_TAGS} {key}")
    return tuple(result)


def normalize_date(value: Any) -> str:
    """Return a front matter date as ISO 8601 ("" when absent).

    Accepts YAML and TOML dates and timestamps, ISO 8601 text, and the
    ``2024-01-05 10:00:00 +0100`` form Jekyll writes.

    Raises:
        FrontMatterError: the value is not a date.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise FrontMatterError("has a date that is not a date such as 2024-05-01")
    text = value.strip()
    try:
        return (
            date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        ).isoformat()
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).isoformat()
        except ValueError:
            continue
    raise FrontMatterError("has a date that is not a date such as 2024-05-01")
