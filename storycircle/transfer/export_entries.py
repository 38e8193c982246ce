"""One story to export, and its two written forms: Markdown with front matter, and JSON.

Kept apart from :mod:`storycircle.transfer.exporting` so each stays short; the
HTML booklet (:mod:`storycircle.transfer.booklet_html`) and collections build
on the same entries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

import yaml

from storycircle.models import CollectionStory, Story

__all__ = ["BUNDLE_FORMAT", "BUNDLE_VERSION", "ExportEntry", "bundle_payload", "story_markdown"]

BUNDLE_FORMAT = "storycircle-stories"
"""The ``format`` field of the JSON export and of the bundle's plaintext."""
BUNDLE_VERSION = 1

_YAML_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# Characters a YAML reader refuses raw, plus the ones YAML 1.1 reads as line breaks.
_YAML_UNSAFE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]"
)


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
