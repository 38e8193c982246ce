"""Export stories: a Markdown folder, a JSON file, an HTML booklet or an age bundle.

Every export goes into a new or empty folder and nowhere else: the folder is
opened once and each file is created relative to it (``dir_fd``) with
``O_EXCL | O_NOFOLLOW``, under a name this module derives (a slug), never a
title taken raw. A personal export is private (folder 0700, files 0600). If an
export fails half-way, the files it wrote are removed again.

The bundle is the JSON document encrypted in memory with the vault, so no
plaintext copy ever touches the disk; ``age -d`` opens it.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from storycircle import vault
from storycircle.errors import StorycircleError
from storycircle.models import Collection, CollectionStory, Story
from storycircle.sanitize import sanitize_text
from storycircle.sealing.passphrase import check_strength
from storycircle.transfer.booklet import BookletAbout, about_html, contents_html, story_anchor

if TYPE_CHECKING:
    from storycircle.journal.journal import Journal

__all__ = [
    "BUNDLE_FORMAT",
    "ExportEntry",
    "ExportFormat",
    "ExportReport",
    "OutputFolder",
    "Progress",
    "bundle_payload",
    "export_collection",
    "export_journal",
    "export_stories",
    "journal_entries",
    "render_html",
    "slugify",
    "story_markdown",
    "unique_name",
]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a long operation runs."""

BUNDLE_FORMAT = "storycircle-stories"
"""The ``format`` field of the JSON export and of the bundle's plaintext."""
BUNDLE_VERSION = 1
MAX_SLUG_LENGTH = 60
FILE_NAMES = {"json": "stories.json", "html": "stories.html", "bundle": "stories.age"}

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Names Windows will not create; a folder copied there must still work.
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)]
)
_YAML_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# Characters a YAML reader refuses raw, plus the ones YAML 1.1 reads as line breaks.
_YAML_UNSAFE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]"
)


class ExportFormat(StrEnum):
    """What an export writes."""

    MARKDOWN = "markdown"
    JSON = "json"
    HTML = "html"
    BUNDLE = "bundle"


@dataclass(frozen=True, slots=True)
class ExportEntry:
    """One story to export, from a journal or a collection.

    Attributes:
        id: Story id (a journal id, or ``<collection>/<story>``).
        version: Story version (1 for collection stories).
        title: Title.
        body: Markdown body.
        tags: Canonical tags.
        content_notes: Content notes.
        created: ISO 8601 creation date or timestamp.
        updated: ISO 8601 date of the last change.
        author: Pseudonym of the author ("" to leave it out).
        summary: One-sentence summary (collections).
        lang: Language code (collections).
    """

    id: str
    version: int
    title: str
    body: str
    tags: tuple[str, ...] = ()
    content_notes: tuple[str, ...] = ()
    created: str = ""
    updated: str = ""
    author: str = ""
    summary: str = ""
    lang: str = ""

    @classmethod
    def from_story(cls, story: Story, author: str = "") -> ExportEntry:
        """The entry of a journal story."""
        return cls(
            story.id,
            story.version,
            story.title,
            story.body,
            story.tags,
            story.content_notes,
            story.created,
            story.updated,
            author,
        )

    @classmethod
    def from_collection_story(cls, story: CollectionStory) -> ExportEntry:
        """The entry of a collection story."""
        return cls(
            story.id,
            1,
            story.title,
            story.body,
            story.tags,
            story.content_notes,
            story.date,
            story.date,
            story.author,
            story.summary,
            story.lang,
        )

    def as_json(self) -> dict[str, Any]:
        """The entry as a JSON object (the bundle's and the JSON export's schema)."""
        return {**asdict(self), "tags": list(self.tags), "content_notes": list(self.content_notes)}


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote.

    Attributes:
        folder: The folder written to.
        files: Names of the files written, in order.
        stories: How many stories were exported.
        unreadable: Ids of journal stories that could not be decrypted.
    """

    folder: Path
    files: tuple[str, ...]
    stories: int
    unreadable: tuple[str, ...] = field(default_factory=tuple)


def slugify(text: str, *, max_length: int = MAX_SLUG_LENGTH, fallback: str = "story") -> str:
    """Derive a safe, ASCII file-name stem from a title.

    NFKC then NFKD with marks dropped turns ``Ｃafé`` into ``cafe``; anything
    that is not a letter or digit becomes one hyphen. The result can never
    hold a path separator, ``..`` or a leading dot.

    Args:
        text: A title (untrusted).
        max_length: Longest stem.
        fallback: Stem used when nothing usable is left (e.g. all emoji).

    Returns:
        A non-empty stem of ``[a-z0-9-]``.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    slug = _NOT_SLUG.sub("-", folded).strip("-")
    if len(slug) > max_length:
        # Cut at a hyphen (between words) when there is one, never inside a word.
        head = slug[: max_length + 1]
        slug = head[: head.rindex("-")] if "-" in head else slug[:max_length]
    slug = slug.rstrip("-") or fallback
    return f"{slug}-story" if slug in _RESERVED else slug


def unique_name(stem: str, used: set[str], suffix: str = ".md") -> str:
    """Return ``stem + suffix``, numbered ``-2``, ``-3``... if already used, and record it.

    Names are compared case-insensitively, as on macOS and Windows.
    """
    name, number = stem + suffix, 1
    while name.casefold() in used:
        number += 1
        name = f"{stem}-{number}{suffix}"
    used.add(name.casefold())
    return name


class OutputFolder:
    """A new or empty folder that files are created in, and only in.

    Use as a context manager: on an exception, every file written is removed
    (and the folder too, if this created it).
    """

    def __init__(self, path: Path, *, private: bool = True, existing: bool = False) -> None:
        """Prepare to write into ``path``; nothing happens until ``__enter__``.

        Args:
            path: The folder.
            private: Files 0600 and folder 0700, else 0644 and 0755.
            existing: Add files to an existing folder that need not be empty
                (new names only) instead of requiring a new or empty one.
        """
        self.path = path
        self._private = private
        self._existing = existing
        self._fd = -1
        self._created = False
        self.written: list[str] = []

    def __enter__(self) -> OutputFolder:
        """Create or check the folder and open it.

        Raises:
            StorycircleError: a symbolic link, a file, a folder that is not
                empty, or one that cannot be created.
        """
        path = self.path
        if path.is_symlink():
            raise StorycircleError(f"{path} is a symbolic link; choose a new or empty folder")
        try:
            if path.exists():
                if not path.is_dir():
                    raise StorycircleError(f"{path} is a file; choose a new or empty folder")
                if not self._existing and any(path.iterdir()):
                    raise StorycircleError(f"{path} is not empty; choose a new or empty folder")
            elif self._existing:
                raise StorycircleError(f"there is no folder {path}")
            else:
                path.mkdir(parents=True, mode=0o700 if self._private else 0o755)
                self._created = True
            if self._private and not self._existing:
                path.chmod(0o700)
            flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
            self._fd = os.open(path, flags)
        except OSError as error:
            raise StorycircleError(f"cannot write to {path}: {error.strerror}") from None
        return self

    def write(self, name: str, data: bytes) -> None:
        """Create the file ``name`` in the folder; an existing name is an error.

        Raises:
            StorycircleError: the name is not a plain file name, or the write failed.
        """
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise StorycircleError("refusing to write a file outside the export folder")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(name, flags, 0o600 if self._private else 0o644, dir_fd=self._fd)
        except OSError as error:
            raise StorycircleError(f"cannot create {name}: {error.strerror}") from None
        self.written.append(name)
        with os.fdopen(fd, "wb") as handle:
            if self._private and stat.S_IMODE(os.fstat(handle.fileno()).st_mode) & 0o077:
                os.fchmod(handle.fileno(), 0o600)
            handle.write(data)

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        """Close the folder; after an error, remove what was written."""
        if error is not None and self._fd >= 0:
            for name in self.written:
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=self._fd)
            if self._created:
                with contextlib.suppress(OSError):
                    self.path.rmdir()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def story_markdown(entry: ExportEntry) -> str:
    """A story as Markdown with YAML front matter, as Obsidian and Jekyll read it."""
    fields: dict[str, Any] = {"title": entry.title}
    if entry.created:
        fields["date"] = _yaml_when(entry.created)
    if entry.updated and entry.updated != entry.created:
        fields["updated"] = _yaml_when(entry.updated)
    fields["tags"] = list(entry.tags)
    fields["content_notes"] = list(entry.content_notes)
    for key in ("author", "summary", "lang"):
        if getattr(entry, key):
            fields[key] = getattr(entry, key)
    if entry.id:
        fields["id"] = entry.id
        fields["version"] = entry.version
    front = _front_matter(fields)
    body = entry.body if entry.body.endswith("\n") else entry.body + "\n"
    return f"---\n{front}---\n\n{body}"


def _yaml_when(text: str) -> date | datetime | str:
    # A YAML date (a day) or timestamp (when the time of day is known), so that
    # front-matter readers see a date, not text; anything else stays text.
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return text


def _front_matter(fields: dict[str, Any]) -> str:
    # A JSON string is a YAML double-quoted scalar as long as it holds only
    # characters YAML may carry raw; writing it directly is ten times faster
    # than PyYAML's representer, which matters for 10,000 stories. Anything
    # unusual goes through PyYAML instead.
    lines = []
    for key, value in fields.items():
        if isinstance(value, date):  # datetime too: ISO 8601 is a plain YAML timestamp
            lines.append(f"{key}: {value.isoformat()}")
            continue
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and _YAML_UNSAFE.search(t) for t in texts):
            return str(yaml.dump(fields, Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False))
        scalars = [json.dumps(t, ensure_ascii=False) for t in texts]
        lines.append(
            f"{key}: [{', '.join(scalars)}]" if isinstance(value, list) else f"{key}: {scalars[0]}"
        )
    return "\n".join(lines) + "\n"


def bundle_payload(entries: Iterable[ExportEntry]) -> bytes:
    """The JSON document of a JSON export and of a bundle's plaintext."""
    document = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "exported": datetime.now(UTC).isoformat(timespec="seconds"),
        "stories": [entry.as_json() for entry in entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def export_stories(
    entries: Sequence[ExportEntry],
    fmt: ExportFormat | str,
    dest: Path,
    *,
    title: str = "Stories",
    private: bool = True,
    recipients: Sequence[vault.Recipient] = (),
    armor: bool = False,
    progress: Progress | None = None,
    about: BookletAbout | None = None,
) -> ExportReport:
    """Write ``entries`` into the new or empty folder ``dest``.

    Args:
        entries: The stories.
        fmt: ``markdown`` (one file per story), ``json``, ``html`` or ``bundle``.
        dest: The folder; created if missing, refused if not empty.
        title: Title of the HTML booklet.
        private: Folder 0700 and files 0600 (personal exports).
        recipients: Who can open a bundle (required for ``bundle``).
        armor: Write the bundle as ASCII armor.
        progress: Called with ``(done, total)`` per Markdown file.
        about: What the HTML booklet says about itself (a collection's licence...).

    Raises:
        StorycircleError: unknown format, unusable folder, no recipients.
    """
    try:
        kind = ExportFormat(fmt)
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise StorycircleError(
            f"unknown export format {fmt!s:.20}; choose one of {choices}"
        ) from None
    if kind is ExportFormat.BUNDLE and not recipients:
        raise StorycircleError("a bundle needs a key or passphrase to be encrypted to")
    with OutputFolder(dest, private=private) as out:
        if kind is ExportFormat.MARKDOWN:
            used: set[str] = set()
            for done, entry in enumerate(entries, start=1):
                out.write(unique_name(slugify(entry.title), used), story_markdown(entry).encode())
                if progress is not None:
                    progress(done, len(entries))
        elif kind is ExportFormat.JSON:
            out.write(FILE_NAMES["json"], bundle_payload(entries))
        elif kind is ExportFormat.HTML:
            out.write(FILE_NAMES["html"], render_html(entries, title, about).encode("utf-8"))
        else:
            try:
                sealed = vault.encrypt(bundle_payload(entries), recipients, armor=armor)
            except vault.AgeError as error:
                raise StorycircleError(f"the bundle cannot be written: {error}") from None
            out.write(FILE_NAMES["bundle"], sealed)
        return ExportReport(dest, tuple(out.written), len(entries))


def journal_entries(
    journal: Journal, *, progress: Progress | None = None
) -> tuple[list[ExportEntry], list[str]]:
    """Decrypt every story of ``journal``, oldest first.

    Returns:
        The entries, and the ids of stories that could not be read.
    """
    summaries = list(reversed(journal.summaries()))
    entries: list[ExportEntry] = []
    unreadable: list[str] = []
    for done, summary in enumerate(summaries, start=1):
        try:
            entries.append(
                ExportEntry.from_story(journal.load(summary.id), journal.member.pseudonym)
            )
        except StorycircleError:
            unreadable.append(summary.id)
        if progress is not None:
            progress(done, len(summaries))
    return entries, unreadable


def export_journal(
    journal: Journal,
    fmt: ExportFormat | str,
    dest: Path,
    *,
    armor: bool = False,
    passphrase: str | None = None,
    work_factor: int = 18,
    progress: Progress | None = None,
    classic_key: bool = False,
) -> ExportReport:
    """Export every story of a journal, privately.

    A bundle is encrypted to the member's own key (hybrid post-quantum when
    they have one; their X25519 key with ``classic_key``, for age before 1.3),
    or to ``passphrase`` (checked for strength) when one is given.

    Raises:
        StorycircleError: as :func:`export_stories`, or a weak passphrase.
    """
    member = journal.member
    own = member.identity.recipient if classic_key else member.own_recipient
    recipients: list[vault.Recipient] = [own]
    if passphrase is not None:
        check_strength(passphrase, pseudonym=journal.member.pseudonym)
        recipients = [vault.ScryptRecipient(passphrase, work_factor)]
    entries, unreadable = journal_entries(journal, progress=progress)
    title = f"Stories of {journal.member.pseudonym}"
    report = export_stories(
        entries, fmt, dest, title=title, recipients=recipients, armor=armor, progress=progress
    )
    return ExportReport(report.folder, report.files, report.stories, tuple(unreadable))


def export_collection(
    collection: Collection,
    fmt: ExportFormat | str,
    dest: Path,
    *,
    recipients: Sequence[vault.Recipient] = (),
    armor: bool = False,
) -> ExportReport:
    """Export a curated collection (public writing: ordinary permissions)."""
    entries = [ExportEntry.from_collection_story(story) for story in collection.stories]
    about = BookletAbout(
        collection.curator, collection.description, collection.license, collection.consent
    )
    return export_stories(
        entries,
        fmt,
        dest,
        title=collection.title,
        private=False,
        recipients=recipients,
        armor=armor,
        about=about,
    )


# -- the HTML booklet --------------------------------------------------------------

_CSS = """
body{font:1.05rem/1.6 Georgia,serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
h1,h2{font-family:system-ui,sans-serif;line-height:1.25}
article{border-top:1px solid #bbb;margin-top:2.5rem;padding-top:1rem}
.meta{color:#555;font-size:.9rem}
.notes{background:#f4f0e6;border-left:4px solid #b58900;padding:.5rem .75rem}
.image{font-style:italic;color:#555}
.about,.contents{margin-bottom:2rem}.contents ol{padding-left:1.5rem}
@media print{body{margin:0;max-width:none}article{break-before:page;border:0}
a{color:inherit;text-decoration:none}}
"""
# Nothing in the booklet may run or load anything, even if a renderer bug let
# markup through: the policy forbids every source except the inline style.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"


def _markdown_renderer() -> Any:
    from storycircle.text.safe_markdown import safe_parser

    # What Markdown decodes (entities) is sanitized again, and a link a reader
    # would not open (ssh:, smb:, hidden characters ...) is plain text.
    md = safe_parser("commonmark", plain_links=True, html=False, linkify=False, typographer=False)

    def image_as_text(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        # An image would be fetched when the booklet opens: show its alt text.
        alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
        return f'<span class="image">[image: {html.escape(alt)}]</span>'

    md.add_render_rule("image", image_as_text)
    return md


def _escape(text: str) -> str:
    # Stored fields were sanitized on save; a damaged or foreign row may not be.
    return html.escape(sanitize_text(text))


def render_html(
    entries: Iterable[ExportEntry], title: str, about: BookletAbout | None = None
) -> str:
    """One self-contained HTML booklet: no scripts, no external resources.

    Bodies are rendered from Markdown with raw HTML disabled; every other
    string is escaped; content notes come before each story. The booklet opens
    with ``about`` (a collection's curator, description, licence and consent)
    and a table of contents linked to each story.
    """
    entries = list(entries)
    md = _markdown_renderer()
    esc = _escape
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        f"<header><h1>{esc(title)}</h1></header>\n",
        about_html(about) if about is not None else "",
        contents_html([(entry.title, entry.content_notes) for entry in entries]),
    ]
    for number, entry in enumerate(entries, start=1):
        meta = [entry.created[:10], entry.author, " ".join("#" + tag for tag in entry.tags)]
        parts.append(f'<article id="{story_anchor(number)}">\n<h2>{esc(entry.title)}</h2>\n')
        parts.append(f'<p class="meta">{esc(" · ".join(m for m in meta if m))}</p>\n')
        if entry.content_notes:
            notes = esc(", ".join(entry.content_notes))
            parts.append(f'<p class="notes"><strong>Content notes:</strong> {notes}</p>\n')
        parts.append(md.render(entry.body))
        parts.append("</article>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)
