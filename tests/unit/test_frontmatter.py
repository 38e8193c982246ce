"""Markdown front matter is read safely: hostile YAML is refused, types are checked."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from storycircle.errors import StorycircleError
from storycircle.frontmatter import (
    MAX_FILE_BYTES,
    Document,
    FrontMatterError,
    normalize_date,
    parse_document,
    read_document,
    read_regular_file,
)

BILLION_LAUGHS = b"""---
title: laughs
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
tags: *i
---
body
"""


def _parse(text: str, **kwargs: bool) -> Document:
    return parse_document(text.encode("utf-8"), **kwargs)


def test_a_full_story_is_read() -> None:
    doc = _parse(
        "---\ntitle: The first morning\ntags: [sleep, Hope]\ncontent_notes: [self-harm]\n"
        "author: Joanna\ndate: 2025-02-18\nsummary: A morning.\nlang: en\n---\n\n"
        "I woke up.\n\nThen I got up.\n"
    )
    assert doc == Document(
        title="The first morning",
        body="I woke up.\n\nThen I got up.",
        tags=("sleep", "Hope"),
        content_notes=("self-harm",),
        date="2025-02-18",
        author="Joanna",
        summary="A morning.",
        lang="en",
        has_front_matter=True,
    )


def test_bom_and_crlf_are_handled() -> None:
    doc = parse_document(
        b"\xef\xbb\xbf---\r\ntitle: Hi\r\ntags: a, b\r\n---\r\nline one\r\nline two\r\n"
    )
    assert doc.title == "Hi"
    assert doc.tags == ("a", "b")
    assert doc.body == "line one\nline two"


def test_tags_may_be_one_string_with_commas_or_spaces() -> None:
    assert _parse("---\ntitle: t\ntags: peer group, sleep\n---\n").tags == ("peer group", "sleep")
    assert _parse('---\ntitle: t\ntags: "sleep hope #work"\n---\n').tags == (
        "sleep",
        "hope",
        "work",
    )
    assert _parse("---\ntitle: t\ncontent_notes: grief; loss\n---\n").content_notes == (
        "grief",
        "loss",
    )


def test_hugo_toml_front_matter() -> None:
    doc = _parse("+++\ntitle = 'Hugo'\ndate = 2024-01-02T03:04:05Z\ntags = ['a']\n+++\nbody")
    assert (doc.title, doc.date, doc.tags, doc.body) == (
        "Hugo",
        "2024-01-02T03:04:05+00:00",
        ("a",),
        "body",
    )


def test_no_front_matter_gives_an_untitled_document_when_allowed() -> None:
    doc = _parse("# A heading\n\ntext", require_title=False)
    assert doc.title == "" and not doc.has_front_matter and doc.body == "# A heading\n\ntext"
    with pytest.raises(FrontMatterError, match="no title"):
        _parse("# A heading\n\ntext")


def test_python_object_tags_are_refused_before_construction(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\nx"
    with pytest.raises(FrontMatterError, match=r"!!python/object/apply:os.system"):
        _parse(text)
    assert not marker.exists()
    for hostile in ("!!python/name:os.system", "!!binary aGk=", "!custom x", "!!set {a}"):
        with pytest.raises(FrontMatterError, match="not accepted"):
            _parse(f"---\ntitle: {hostile}\n---\n")


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(FrontMatterError, match="aliases"):
        parse_document(BILLION_LAUGHS)
    assert time.perf_counter() - started < 1.0


def test_even_a_single_alias_and_merge_keys_are_refused() -> None:
    with pytest.raises(FrontMatterError, match="aliases"):
        _parse("---\ntitle: &t Hello\nsummary: *t\n---\n")
    with pytest.raises(FrontMatterError, match=r"aliases|!!merge"):
        _parse("---\nbase: &b {lang: en}\n<<: *b\ntitle: x\n---\n")


def test_deep_nesting_and_node_floods_are_refused() -> None:
    with pytest.raises(FrontMatterError, match="deeply"):
        _parse("---\ntitle: x\nx: " + "[" * 200 + "]" * 200 + "\n---\n")
    with pytest.raises(FrontMatterError, match="more than"):
        _parse("---\ntitle: x\nx: [" + ",".join(["1"] * 5000) + "]\n---\n")


def test_non_utf8_is_refused_with_a_clear_reason() -> None:
    with pytest.raises(FrontMatterError, match=r"not UTF-8 text \(byte 0xe9"):
        parse_document("---\ntitle: café\n---\n".encode("latin-1"))


def test_size_cap_is_checked_before_parsing() -> None:
    with pytest.raises(FrontMatterError, match="larger than 1 MiB"):
        parse_document(b"---\ntitle: big\n---\n" + b"a" * MAX_FILE_BYTES)


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("title: 1984", "title that is not text"),
        ("title: no", "title that is not text"),
        ("title: [a, b]", "title that is not text"),
        ("title: t\ntags: {a: 1}", "tags that are neither"),
        ("title: t\ntags: 5", "tags that are neither"),
        ("title: t\ntags: [a, [b]]", "tags that are not all text"),
        ("title: t\ncontent_notes: 3", "content_notes that are neither"),
        ("title: t\ndate: yesterday", "date that is not a date"),
        ("title: t\ndate: [2024]", "date that is not a date"),
        ("title: t\nauthor: 12", "author that is not text"),
        ("title: t\nlang: english please", "lang that is not a language code"),
        ("title: t\nversion: many", "version that is not a whole number"),
        ("- a\n- b", "not a list of key: value"),
        ("title: [unclosed", "not valid YAML"),
        ("title: " + "x" * 201, "longer than 200"),
    ],
)
def test_wrong_types_are_refused_with_one_line(field: str, reason: str) -> None:
    with pytest.raises(FrontMatterError, match=reason) as caught:
        _parse(f"---\n{field}\n---\nbody")
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, StorycircleError)


def test_unclosed_front_matter_is_an_error() -> None:
    with pytest.raises(FrontMatterError, match="never closes"):
        _parse("---\ntitle: x\nbody without end")


def test_escape_sequences_are_sanitized() -> None:
    doc = _parse('---\ntitle: "bad\\e]52;c;aGk=\\a title"\n---\nbody \x1b[2J here')
    assert doc.title == "bad title"
    assert "\x1b" not in doc.body


def test_only_storycircle_ids_are_kept() -> None:
    ours = _parse("---\ntitle: t\nid: 0123456789abcdef\nversion: 3\n---\n")
    assert (ours.story_id, ours.version) == ("0123456789abcdef", 3)
    other = _parse("---\ntitle: t\nid: ../../etc\nversion: 3\n---\n")
    assert (other.story_id, other.version) == ("", 0)


def test_dates_normalize_to_iso() -> None:
    assert normalize_date("2024-01-05 10:00:00 +0100") == "2024-01-05T10:00:00+01:00"
    assert normalize_date("2024-01-05T10:00") == "2024-01-05T10:00:00"
    assert normalize_date(None) == ""
    assert _parse("---\ntitle: t\ndate: 2024-01-05 10:00:00\n---\n").date == "2024-01-05T10:00:00"


def test_read_document_refuses_symlinks_and_fifos(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("---\ntitle: Real\n---\nbody")
    assert read_document(real).title == "Real"
    link = tmp_path / "link.md"
    link.symlink_to("/etc/passwd")
    with pytest.raises(FrontMatterError, match="symbolic link"):
        read_document(link)
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    with pytest.raises(FrontMatterError, match="not a regular file"):
        read_regular_file(fifo, 100)
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(FrontMatterError, match="larger than 1 KiB"):
        read_regular_file(big, 1024)
