"""Tests for storycircle.sanitize: escape sequences, controls, bidi, joiners."""

from __future__ import annotations

import string
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycircle.sanitize import sanitize_line, sanitize_text
from tests.support.hostile_strings import (
    FORBIDDEN_AFTER_SANITIZE,
    HOSTILE,
    MUST_SURVIVE,
    MUST_VANISH,
)

Sanitizer = Callable[[str], str]

IDS = [name for name, _ in HOSTILE]
SANITIZERS: list[Sanitizer] = [sanitize_text, sanitize_line]


def forbidden_in(text: str) -> set[str]:
    return {char for char in text if char in FORBIDDEN_AFTER_SANITIZE}


# --- the hostile corpus ------------------------------------------------------


def test_corpus_is_big_and_every_case_names_survivors() -> None:
    assert len(HOSTILE) >= 45
    assert all(MUST_SURVIVE[name] for name, _ in HOSTILE)
    flood = dict(HOSTILE)["escape-flood-10kb"]
    assert len(flood.encode()) >= 10_000


@pytest.mark.parametrize("sanitize", SANITIZERS)
@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=IDS)
def test_hostile_case_loses_every_forbidden_character(
    sanitize: Sanitizer, name: str, text: str
) -> None:
    assert forbidden_in(sanitize(text)) == set()
    assert "\x1b" not in sanitize(text)


@pytest.mark.parametrize("sanitize", SANITIZERS)
@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=IDS)
def test_hostile_case_keeps_visible_words(sanitize: Sanitizer, name: str, text: str) -> None:
    cleaned = sanitize(text)
    for word in MUST_SURVIVE[name]:
        assert word in cleaned


@pytest.mark.parametrize("sanitize", SANITIZERS)
@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=IDS)
def test_hostile_case_drops_hidden_payload(sanitize: Sanitizer, name: str, text: str) -> None:
    cleaned = sanitize(text)
    for payload in MUST_VANISH[name]:
        assert payload not in cleaned


@pytest.mark.parametrize("sanitize", SANITIZERS)
@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=IDS)
def test_hostile_case_is_idempotent(sanitize: Sanitizer, name: str, text: str) -> None:
    once = sanitize(text)
    assert sanitize(once) == once


@pytest.mark.parametrize(
    "text",
    [
        "[@click=app.quit]quit[/]",
        "[link=https://evil]x[/link]",
        "unbalanced [/] close",
        "[bold never closed",
        "$accent and {braces} and } {",
    ],
)
def test_markup_is_left_for_the_renderer(text: str) -> None:
    assert sanitize_text(text) == text
    assert sanitize_line(text) == text


# --- exact results for the sequence grammar ----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\x1b[2Jb", "ab"),
        ("a\x1b[38;2;255;0;0mb\x1b[mc", "abc"),
        ("a\x1b[?25lb", "ab"),
        ("a\x1b]0;title\x07b", "ab"),
        ("a\x1b]0;title\x1b\\b", "ab"),
        ("a\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
        ("a\x1bPpayload\x1b\\b", "ab"),
        ("a\x1b_payload\x1b\\b", "ab"),
        ("a\x1b^payload\x1b\\b", "ab"),
        ("a\x1bXpayload\x1b\\b", "ab"),
        ("a\x9b2Jb", "ab"),
        ("a\x9d0;title\x9cb", "ab"),
        ("a\x90payload\x9cb", "ab"),
        ("a\x1b(Bb", "ab"),
        ("a\x1bcb", "ab"),
        ("a\x1b", "a"),
        ("\x1b\x1b[2Jb", "b"),
        # An unterminated string sequence ends at the next control character,
        # so it swallows at most the rest of its line.
        ("a\x1b]0;title\nnext line", "a\nnext line"),
        ("a\x1b]0;title\x1b[2Jb", "ab"),
        ("a\x1b]0;title", "a"),
    ],
)
def test_escape_sequences_are_removed_whole(text: str, expected: str) -> None:
    assert sanitize_text(text) == expected


def test_line_breaks_are_normalised_in_text() -> None:
    assert sanitize_text("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"
    assert sanitize_text("one\u2028two\u2029three") == "one\ntwo\nthree"
    assert sanitize_text("col\tcol\n") == "col\tcol\n"


def test_other_c0_controls_are_dropped_not_turned_into_breaks() -> None:
    assert sanitize_text("a\x0bb\x0cc\x00d\x08e\x7ff") == "abcdef"


def test_line_collapses_all_whitespace_and_strips() -> None:
    assert sanitize_line("  My\ttitle\r\n\n is \u00a0 here\u3000 ") == "My title is here"
    assert sanitize_line("\n\t\r ") == ""
    assert sanitize_line("a\x1b[2J  \x1b[2J b") == "a b"


def test_empty_string() -> None:
    assert sanitize_text("") == ""
    assert sanitize_line("") == ""


# --- scripts, emoji and joiners survive --------------------------------------

KEPT_UNCHANGED = [
    "我们一起走过了最难的一年。",  # Chinese
    "日本語のテキストとカタカナ",  # Japanese
    "أنا بخير الآن، شكراً لكم",  # Arabic
    "मैं अब ठीक हूँ, धन्यवाद",  # Hindi
    "אני בסדר עכשיו, תודה",  # Hebrew
    "می‌خواهم بهتر شوم",  # Persian with ZWNJ
    "ক্‍ষ and ന്‍",  # Bengali and Malayalam with ZWJ
    "Ελληνικά, русский, ქართული, ไทย",
    "family 👩‍👩‍👧 and 👨🏽‍💻 and 🏳️‍🌈 and ❤️‍🔥",  # emoji ZWJ sequences
    "flags 🇬🇧🇯🇵, keycap 1️⃣, text style ☺︎",  # regional indicators, VS15/VS16
    "naïve café Zürich Straße",
    "A\u0301 e\u0308",  # combining marks
    "漢\U000e0100字",  # ideographic variation selector
]


@pytest.mark.parametrize("text", KEPT_UNCHANGED)
def test_every_script_and_emoji_is_kept(text: str) -> None:
    assert sanitize_text(text) == text
    assert sanitize_line(text) == text


def test_persian_joiner_between_letters_is_kept() -> None:
    word = "می\u200cخواهم"
    assert sanitize_text(word) == word
    assert "\u200c" in sanitize_line(f"  {word}  ")


def test_emoji_zwj_family_is_kept_inside_text() -> None:
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    assert sanitize_text(f"my {family}!") == f"my {family}!"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u200dword", "word"),
        ("word\u200c", "word"),
        ("a \u200d b", "a  b"),
        ("a\u200d b", "a b"),
        ("a\u200d\nb", "a\nb"),
        ("a\u200d\u200db", "ab"),
        ("a\u200c\u200cb", "ab"),
        ("a\u200d\x00b", "a\u200db"),  # the NUL goes first, then the joiner is inside
        ("a\u200d\x00", "a"),
        ("\u200d", ""),
    ],
)
def test_stray_joiners_are_dropped(text: str, expected: str) -> None:
    assert sanitize_text(text) == expected


# --- properties ----------------------------------------------------------------

# Characters that make the sequence grammar and the joiner rules interesting,
# mixed with ordinary text, so that hypothesis explores the edges and not just
# random planes of Unicode.
TRICKY = st.sampled_from(
    [
        *"\x1b\x07\\[]P_^X0;2J8m?\r\n\t \u200c\u200d\u202e\u2066\u00ad\ufeffa",
        *["\x9b", "\x9c", "\x9d", "\x90", "\x9f", "\x85", "\u2028", "\U000e0041", "\ud800"],
    ]
)
TEXT = st.text(st.one_of(TRICKY, st.characters()), max_size=80)


@given(TEXT)
@settings(max_examples=600)
def test_sanitize_text_is_idempotent_and_clean(text: str) -> None:
    once = sanitize_text(text)
    assert sanitize_text(once) == once
    assert forbidden_in(once) == set()
    assert "\r" not in once


@given(TEXT)
@settings(max_examples=600)
def test_sanitize_line_is_idempotent_and_one_line(text: str) -> None:
    once = sanitize_line(text)
    assert sanitize_line(once) == once
    assert forbidden_in(once) == set()
    assert once == once.strip()
    assert not any(char.isspace() and char != " " for char in once)
    assert "  " not in once


@given(st.text(st.sampled_from(string.printable)))
def test_printable_ascii_is_unchanged_by_sanitize_text(text: str) -> None:
    # string.printable includes \r, \x0b and \x0c, which are not kept as such.
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = expected.replace("\x0b", "").replace("\x0c", "")
    assert sanitize_text(text) == expected


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_ascii_line_only_loses_extra_spaces(text: str) -> None:
    assert sanitize_text(text) == text
    assert sanitize_line(text) == " ".join(text.split())


@given(st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), max_size=60))
def test_visible_text_without_format_characters_is_unchanged(text: str) -> None:
    # Letters, marks, numbers, punctuation, symbols and spaces of every script
    # are exactly what people write; none of them may be touched. (U+3164 and
    # U+FFA0 are letters by category but invisible fillers, so they go.)
    expected = text.replace("\u3164", "").replace("\uffa0", "")
    assert sanitize_text(text) == expected


def test_large_input_is_handled() -> None:
    chunk = "Recovery is not a line. می\u200cخواهم 👩\u200d👩\u200d👧 \x1b[2J\x1b]0;t\x07\r\n"
    text = chunk * (1_000_000 // len(chunk))
    cleaned = sanitize_text(text)
    assert "\x1b" not in cleaned
    assert cleaned.count("\n") == text.count("\r\n")
    assert cleaned.count("\u200c") == text.count("\u200c")
