"""Tests for storycircle.tagging.tags: canonical slugs, tags, tag lists and limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from storycircle.tagging.tags import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    TagCache,
    TagError,
    canonical_slug,
    canonical_tag,
    canonical_tags,
    fold,
    legacy_slug,
    parse_tag_list,
    search_forms,
    usable_tags,
)
from storycircle.tagging.vocabulary import Term, Theme, Vocabulary
from tests.support.hostile_strings import FORBIDDEN_AFTER_SANITIZE, HOSTILE

# --- canonical_slug ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("anxiety", "anxiety"),
        ("#Anxiety", "anxiety"),
        ("##hope", "hope"),
        ("  Peer Group  ", "peer-group"),
        ("peer_group", "peer-group"),
        ("peer \t_ group", "peer-group"),
        ("peer--group", "peer-group"),
        ("-peer-group-", "peer-group"),
        ("Can't sleep", "cant-sleep"),
        ("self-care!", "self-care"),
        ("hope 🌱", "hope"),
        ("C#", "c"),
        ("2024", "2024"),
    ],
)
def test_slug_basics(raw: str, expected: str) -> None:
    assert canonical_slug(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＨＯＰＥ", "hope"),  # fullwidth letters
        ("ﬁnding ﬂow", "finding-flow"),  # ligatures
        ("ⅩⅡ steps", "xii-steps"),  # roman numeral compatibility characters
        ("cafe\u0301", "café"),  # combining accent composes to one character
        ("Straße", "strasse"),  # German sharp s case-folds to ss
        ("STRASSE", "strasse"),
        ("İstanbul", "istanbul"),  # Turkish capital dotted I: no stray dot
        ("ıtır", "ıtır"),  # Turkish dotless i is a letter of its own
        ("ΟΔΟΣ", "οδοσ"),  # capital sigma and ...
        ("οδος", "οδοσ"),  # ... final sigma fold to the same letter
    ],
)
def test_slug_normalises_compatibility_forms_and_case(raw: str, expected: str) -> None:
    assert canonical_slug(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("日本語", "日本語"),
        ("العربية", "العربية"),
        ("हिन्दी", "हिन्दी"),  # virama and vowel signs are marks and stay
        ("עברית", "עברית"),
        ("русский язык", "русский-язык"),
        ("ไทย", "ไทย"),
        ("#سلامت_روان", "سلامت-روان"),
    ],
)
def test_slug_keeps_every_script(raw: str, expected: str) -> None:
    assert canonical_slug(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "می\u200cخواهم",  # Persian: ZWNJ inside the word
        "ශ්\u200dරී",  # Sinhala: ZWJ after the virama
        "നന്\u200d",  # Malayalam chillu: ZWJ ending a word after a virama
        "क्\u200dष",  # Devanagari half form
    ],
)
def test_slug_keeps_joiners_inside_words(raw: str) -> None:
    assert canonical_slug(raw) == raw


def test_stray_joiners_are_dropped_from_slugs() -> None:
    assert canonical_slug("\u200chope\u200d") == "hope"
    assert canonical_slug("a-\u200cb") == "a-b"
    assert canonical_slug("a\u200c!\u200cb") == "ab"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2.0", "2.0"), ("v2.0", "v2.0"), ("1.2.3", "1.2.3"), ("12.5 mg", "12.5-mg"), ("12.", "12")],
)
def test_a_dot_between_digits_is_kept(raw: str, expected: str) -> None:
    assert canonical_slug(raw) == expected
    assert canonical_slug("2.0") != canonical_slug("20")
    assert canonical_slug("a.b") == "ab"  # other dots go, as before


def test_tags_handled_alike_before_keep_their_form_and_the_others_are_found_too() -> None:
    # Stories saved by earlier versions carry the older form, and their tokens
    # were made from it; search looks for both spellings.
    assert search_forms("peer group") == ("peer-group",)
    assert search_forms("2.0") == ("2.0", "20")
    assert search_forms("می\u200cخواهم") == ("می\u200cخواهم", "میخواهم")
    assert legacy_slug("hope") is None and legacy_slug("🌱") is None


@pytest.mark.parametrize(
    "raw", ["🌱", "🌱🌱 ✨", "👩\u200d👩\u200d👧", "!!!", "---", "#", "", "   ", "\x1b[2J"]
)
def test_slug_without_letters_or_digits_is_rejected(raw: str) -> None:
    with pytest.raises(TagError, match="needs at least one letter or digit"):
        canonical_slug(raw)


def test_emoji_only_tags_are_refused_with_a_reason() -> None:
    with pytest.raises(TagError) as caught:
        canonical_slug("🌱")
    assert str(caught.value) == 'tag "🌱" needs at least one letter or digit'


def test_length_is_checked_after_canonicalisation() -> None:
    assert canonical_slug("a" * MAX_TAG_LENGTH) == "a" * MAX_TAG_LENGTH
    # Punctuation that is dropped does not count towards the limit.
    assert canonical_slug("!" * 100 + "a" * MAX_TAG_LENGTH) == "a" * MAX_TAG_LENGTH
    with pytest.raises(TagError, match=f"is longer than {MAX_TAG_LENGTH} characters"):
        canonical_slug("a" * (MAX_TAG_LENGTH + 1))


def test_error_messages_are_one_clean_line() -> None:
    hostile = "\x1b]0;pwned\x07" + "x\n" * 40
    with pytest.raises(TagError) as caught:
        canonical_slug(hostile)
    message = str(caught.value)
    assert "\n" not in message
    assert "\x1b" not in message
    assert len(message) < 100


@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_hostile_strings_give_clean_slugs_or_errors(name: str, text: str) -> None:
    try:
        slug = canonical_slug(text)
    except TagError as error:
        assert not set(str(error)) & FORBIDDEN_AFTER_SANITIZE
    else:
        assert re.fullmatch(r"[^\s]+", slug)
        assert not set(slug) & FORBIDDEN_AFTER_SANITIZE
        assert "[" not in slug and "$" not in slug


def test_fold() -> None:
    assert fold("ＳＴＲＡßＥ") == "strasse"
    assert fold("İ") == "i"


# --- canonical_tag and canonical_tags -----------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#Anxious", "anxiety"),
        ("AA", "peer-group"),
        ("support group", "peer-group"),
        ("Can't sleep", "sleep"),
        ("Insomnia", "sleep"),
        ("rehab", "residential-treatment"),
        ("Meds", "medication"),
        ("counselling", "therapy"),
        ("job", "work"),
        ("lonely", "loneliness"),
        ("hopeful", "hope"),
        ("relapsed", "relapse"),
        ("depressed", "depression"),
        ("knitting", "knitting"),  # unknown tags pass through
    ],
)
def test_canonical_tag_resolves_synonyms(raw: str, expected: str) -> None:
    assert canonical_tag(raw) == expected


def test_canonical_tag_uses_the_given_vocabulary() -> None:
    vocabulary = Vocabulary(
        terms=(Term("knitting", "Knitting", "craft", "support", ("yarn",)),),
        themes=(Theme("craft", "Craft"),),
    )
    assert canonical_tag("#Yarn", vocabulary) == "knitting"
    assert canonical_tag("anxious", vocabulary) == "anxious"


def test_canonical_tags_dedupes_in_first_order() -> None:
    assert canonical_tags(["Sleep", "#hope", "insomnia", "HOPE", "peer group", "AA"]) == (
        "sleep",
        "hope",
        "peer-group",
    )
    assert canonical_tags([]) == ()


def test_canonical_tags_enforces_the_count_limit() -> None:
    many = [f"topic{i}" for i in range(MAX_TAGS)]
    assert len(canonical_tags(many)) == MAX_TAGS
    # Duplicates do not count against the limit.
    assert len(canonical_tags([*many, "TOPIC1", "#topic2"])) == MAX_TAGS
    too_many = [f"topic{i}" for i in range(40)]
    with pytest.raises(TagError) as caught:
        canonical_tags(too_many)
    assert str(caught.value) == "a story can carry at most 32 tags (this one has 40)"


def test_canonical_tags_reports_a_bad_tag() -> None:
    with pytest.raises(TagError, match="🌱"):
        canonical_tags(["hope", "🌱"])


# --- parse_tag_list -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anxiety, sleep #hope", ["anxiety", "sleep", "hope"]),
        ("peer group, sleep", ["peer group", "sleep"]),
        ("#anxiety #sleep", ["anxiety", "sleep"]),
        ("#peer group", ["peer", "group"]),
        ("peer group #hope more words", ["peer group", "hope", "more words"]),
        ("  anxiety ,, ; sleep\nhope  ", ["anxiety", "sleep", "hope"]),
        ("C#, F# minor", ["C#", "F# minor"]),
        ("قلق، نوم", ["قلق", "نوم"]),  # Arabic comma
        ("不安、睡眠", ["不安", "睡眠"]),  # ideographic comma
        ("#, # , ", []),
        ("", []),
    ],
)
def test_parse_tag_list(text: str, expected: list[str]) -> None:
    assert parse_tag_list(text) == expected


def test_parse_tag_list_feeds_canonical_tags() -> None:
    assert canonical_tags(parse_tag_list("Anxious, can't sleep #Hopeful, peer_group")) == (
        "anxiety",
        "sleep",
        "hope",
        "peer-group",
    )


def test_parse_tag_list_sanitizes() -> None:
    parsed = parse_tag_list("hope\x1b[2J, \u202esleep")
    assert parsed == ["hope", "sleep"]


# --- properties -------------------------------------------------------------------

# Pieces that stress folding, joiners and the separators, mixed with any text.
TAGGY = st.lists(
    st.one_of(
        st.sampled_from([*"#-_ 'aİıßﬁＡ\u0301\u200c\u200d🌱١", "\x1b[2J", "\u202e", "ǰ"]),
        st.characters(),
    ),
    max_size=60,
).map("".join)


@given(TAGGY)
@example("a\u200c#\u200c\u0301")  # a dropped joiner brings a letter and its mark together
@settings(max_examples=800)
def test_canonical_tag_is_idempotent_and_well_formed(raw: str) -> None:
    try:
        tag = canonical_tag(raw)
    except TagError:
        return
    assert canonical_tag(tag) == tag
    assert canonical_slug(tag) == tag
    assert re.fullmatch(r"[^\s]+", tag)
    assert len(tag) <= MAX_TAG_LENGTH
    assert not tag.startswith("-") and not tag.endswith("-") and "--" not in tag


@given(TAGGY)
@settings(max_examples=300)
def test_canonical_slug_either_succeeds_or_raises_tag_error(raw: str) -> None:
    try:
        slug = canonical_slug(raw)
    except TagError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert any(char.isalnum() for char in slug)


@given(st.text(max_size=200))
def test_parse_tag_list_is_total_and_gives_clean_items(text: str) -> None:
    for item in parse_tag_list(text):
        assert item and item == item.strip()
        assert "," not in item and "\n" not in item
        assert not item.startswith("#")
        assert not set(item) & FORBIDDEN_AFTER_SANITIZE


def _outcome(work: Callable[[Any], object], raw: Any) -> object:
    try:
        return work(raw)
    except TagError as error:
        return ("refused", str(error))


@given(st.lists(TAGGY, max_size=8))
@settings(max_examples=300)
def test_a_tag_cache_gives_what_working_each_tag_out_gives(raws: list[str]) -> None:
    cache = TagCache()
    # Twice over: the second pass answers from the cache, refusals included.
    for _ in range(2):
        for raw in raws:
            assert _outcome(cache.canonical, raw) == _outcome(canonical_tag, raw)
        cached = _outcome(lambda tags: canonical_tags(tags, cache=cache), raws)
        assert cached == _outcome(canonical_tags, raws)
        assert usable_tags(raws, cache) == usable_tags(raws)


def test_a_tag_cache_resolves_with_its_vocabulary_and_stops_growing_at_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vocabulary = Vocabulary(
        terms=(Term("knitting", "Knitting", "craft", "support", ("yarn",)),),
        themes=(Theme("craft", "Craft"),),
    )
    assert TagCache(vocabulary).canonical("#Yarn") == "knitting"
    monkeypatch.setattr(TagCache, "LIMIT", 2)
    cache = TagCache()
    for raw in ("a1", "b2", "c3", "🌱"):
        _outcome(cache.canonical, raw)
    assert len(cache._known) == 2
    assert cache.canonical("c3") == "c3"
