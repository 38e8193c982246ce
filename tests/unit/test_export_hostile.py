"""The HTML booklet holds no hidden character and no link a reader would not open.

The booklet is parsed with :mod:`html.parser` (entities in text and attributes
decoded, as a browser decodes them) and every piece of text and every
attribute value is checked.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storycircle.text.links import ALLOWED_SCHEMES
from storycircle.transfer.exporting import ExportEntry, export_stories, render_html
from tests.support.hostile_strings import (
    ALLOWED_LINKS,
    FORBIDDEN_AFTER_SANITIZE,
    HOSTILE,
    MARKDOWN_ENTITIES,
    MARKDOWN_LINKS,
)


class _Booklet(HTMLParser):
    """Text, attribute values and link targets of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
            # The booklet's own table of contents links to anchors it wrote.
            own_anchor = re.fullmatch(r"#story-[0-9]+", value or "") is not None
            if name in ("href", "src", "action", "formaction", "srcset") and not own_anchor:
                self.hrefs.append(value or "")

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _parse(page: str) -> _Booklet:
    booklet = _Booklet()
    booklet.feed(page)
    booklet.close()
    return booklet


def _entry(n: int, body: str, title: str = "") -> ExportEntry:
    return ExportEntry(
        f"s{n}",
        1,
        title or f"story {n}",
        body,
        tags=("tag",),
        content_notes=("note",),
        created="2026-01-01",
    )


def _assert_clean(booklet: _Booklet) -> None:
    for text in booklet.texts:
        assert not set(text) & FORBIDDEN_AFTER_SANITIZE, ascii(text)
    for tag, name, value in booklet.attributes:
        assert not set(value) & FORBIDDEN_AFTER_SANITIZE, (tag, name, ascii(value))
    for href in booklet.hrefs:
        scheme = href.partition(":")[0].lower()
        assert ":" in href and scheme in ALLOWED_SCHEMES, href


@pytest.mark.parametrize(("name", "body"), MARKDOWN_ENTITIES, ids=[n for n, _ in MARKDOWN_ENTITIES])
def test_decoded_entities_never_reach_the_booklet(name: str, body: str) -> None:
    booklet = _parse(render_html([_entry(0, body)], "Stories"))
    _assert_clean(booklet)
    shown = " ".join(" ".join(booklet.texts).split())
    assert "before" in shown and "after" in shown, shown


def test_the_reported_file_name_trick_reads_in_order() -> None:
    booklet = _parse(render_html([_entry(0, "invoice&#x202e;gpj.exe")], "Stories"))
    assert "invoicegpj.exe" in "".join(booklet.texts)


@pytest.mark.parametrize(("name", "body"), MARKDOWN_LINKS, ids=[n for n, _ in MARKDOWN_LINKS])
def test_links_a_reader_would_not_open_are_plain_text(name: str, body: str) -> None:
    booklet = _parse(render_html([_entry(0, body)], "Stories"))
    _assert_clean(booklet)
    assert booklet.hrefs == []
    text = " ".join(booklet.texts)
    assert "before" in text and "after" in text


def test_a_refused_link_keeps_its_text_and_shows_where_it_pointed() -> None:
    booklet = _parse(render_html([_entry(0, "[the server](ssh://evil.example/x)")], "S"))
    assert booklet.hrefs == []
    assert "the server (ssh://evil.example/x)" in " ".join(booklet.texts)
    autolink = _parse(render_html([_entry(0, "<ssh://evil.example/x>")], "S"))
    assert autolink.hrefs == []
    assert " ".join(autolink.texts).count("ssh://evil.example/x") == 1


@pytest.mark.parametrize(("name", "body"), ALLOWED_LINKS, ids=[n for n, _ in ALLOWED_LINKS])
def test_web_and_mail_links_stay_links(name: str, body: str) -> None:
    booklet = _parse(render_html([_entry(0, body)], "Stories"))
    _assert_clean(booklet)
    assert len(booklet.hrefs) == 1


def test_every_hostile_string_in_every_field_of_an_exported_booklet(tmp_path: Path) -> None:
    storable = [text for _, text in HOSTILE if "\ud800" not in text]
    entries = [
        ExportEntry(
            f"s{n}",
            1,
            text,
            text + "\n\n" + MARKDOWN_ENTITIES[n % len(MARKDOWN_ENTITIES)][1],
            tags=("tag",),
            content_notes=(text[:60],),
            created="2026-01-01",
            author=text[:40],
        )
        for n, text in enumerate(storable)
    ] + [_entry(1000 + n, body) for n, (_, body) in enumerate(MARKDOWN_LINKS)]
    export_stories(entries, "html", tmp_path / "out", title="Stories \u202e")
    page = (tmp_path / "out" / "stories.html").read_text(encoding="utf-8")
    _assert_clean(_parse(page))
