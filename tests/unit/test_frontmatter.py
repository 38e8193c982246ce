"""Markdown front matter is read safely: hostile YAML is refused, types are checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from storycircle.errors import StorycircleError
from storycircle.text import safe_yaml
from storycircle.text.frontmatter import (
    MAX_FILE_BYTES,
    Document,
    FrontMatterError,
    normalize_date,
    parse_document,
    read_document,
    read_regular_file,
)
from tests.support.hostile_files import BILLION_LAUGHS


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


def test_billion_laughs_is_refused_before_anything_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[object] = []
    monkeypatch.setattr(safe_yaml, "_construct", lambda *args: built.append(args))
    with pytest.raises(FrontMatterError, match="aliases"):
        parse_document(BILLION_LAUGHS)
    assert built == []  # refused on the node graph: no list was ever expanded


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


# -- front matter built as PyYAML builds it ------------------------------------------

_SCALARS = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
_ODD_YAML = [
    "title: !!str [a, b]",
    "tags: !!seq {a: 1}",
    "a: !!map x",
    "[a, b]: c",
    "{a: 1}: c",
    "? [x]\n: y",
    "n: 012\nf: 1e3\nb: yes\nd: 2024-02-30\nt: 2024-01-01 10:00:00 +02:00",
    "empty:\nnull_: ~\nq: '2024-01-01'\nlist: [1, two, 3.0, null]",
    "a: 1\na: 2",
    "- just\n- a list",
    "plain text",
    "a: !!int x",
    "a: !!float '1.5'\nb: !!bool 'true'\nc: !!timestamp 2020-01-01",
]


def _as_pyyaml_builds(raw: str) -> object:
    """What ``load_yaml`` gave when PyYAML's constructor built every node."""
    import storycircle.text.safe_yaml as safe_yaml

    loader = safe_yaml._Loader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        safe_yaml._check_nodes(node)
        return loader.construct_document(node)
    except Exception as error:  # compared by kind: both must refuse the same texts
        return ("refused", type(error).__name__ if not isinstance(error, FrontMatterError) else "")
    finally:
        loader.dispose()


def _as_loaded(raw: str) -> object:
    from storycircle.text.safe_yaml import load_yaml

    try:
        return load_yaml(raw)
    except FrontMatterError:
        return ("refused", "")


def _same_refusal(ours: object, theirs: object) -> bool:
    refused = isinstance(theirs, tuple) and theirs[:1] == ("refused",)
    return ours == ("refused", "") if refused else ours == theirs


@given(_VALUES, st.booleans())
@settings(max_examples=300, deadline=None)
def test_front_matter_values_are_what_pyyaml_builds(value: object, flow: bool) -> None:
    raw = yaml.safe_dump({"field": value, "title": "t"}, default_flow_style=flow)
    assert _same_refusal(_as_loaded(raw), _as_pyyaml_builds(raw))


@pytest.mark.parametrize("raw", _ODD_YAML)
def test_odd_front_matter_is_built_or_refused_as_pyyaml_does(raw: str) -> None:
    assert _same_refusal(_as_loaded(raw), _as_pyyaml_builds(raw))


def test_a_small_file_is_read_whole_and_a_growing_one_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = tmp_path / "small.md"
    small.write_bytes(b"x" * 100)
    assert read_regular_file(small, 1000) == b"x" * 100
    assert read_regular_file(small, 100) == b"x" * 100
    with pytest.raises(FrontMatterError, match="larger than"):
        read_regular_file(small, 99)
    # Short reads (allowed by POSIX, seen on network file systems) add up.
    real_read = os.read
    with monkeypatch.context() as short:
        short.setattr(os, "read", lambda fd, n: real_read(fd, min(n, 7)))
        assert read_regular_file(small, 1000) == b"x" * 100
    # It grew after its size was taken: read on to the limit, then judged.
    real_fstat = os.fstat
    monkeypatch.setattr(
        os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:]))
    )
    assert read_regular_file(small, 1000) == b"x" * 100
    with pytest.raises(FrontMatterError, match="larger than"):
        read_regular_file(small, 50)
