"""Tests for storycircle.tagging.suggest: hashtags and vocabulary words in markdown."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycircle.tagging.suggest import MAX_SUGGESTIONS, Suggestion, suggest_tags
from storycircle.tagging.tags import canonical_tag
from storycircle.tagging.vocabulary import Term, Theme, Vocabulary
from tests.support.hostile_strings import FORBIDDEN_AFTER_SANITIZE, HOSTILE


def tags(markdown: str, **kwargs: object) -> list[str]:
    return [suggestion.tag for suggestion in suggest_tags(markdown, **kwargs)]  # type: ignore[arg-type]


def hashtags(markdown: str) -> list[str]:
    return [s.tag for s in suggest_tags(markdown) if s.source == "hashtag"]


# --- hashtags ---------------------------------------------------------------------


def test_hashtag_suggestion_has_reason_and_source() -> None:
    assert suggest_tags("Today I felt #knitting-calm.") == [
        Suggestion("knitting-calm", "#knitting-calm in the text", "hashtag")
    ]


def test_hashtag_synonym_is_resolved() -> None:
    assert suggest_tags("so #Anxious today") == [
        Suggestion("anxiety", "#Anxious in the text", "hashtag")
    ]


@pytest.mark.parametrize(
    "markdown",
    [
        "#hope",
        "start #hope end",
        "(#hope)",
        "end of a sentence #hope.",
        "#hope!",
        "*#hope*",
        "**#hope**",
        "a list:\n\n- #hope\n",
        "> quoted #hope",
        "line one\n#hope on a continuation line",
        "# A heading with #hope",
        "Setext heading #hope\n===",
    ],
)
def test_hashtag_in_prose_is_found(markdown: str) -> None:
    assert hashtags(markdown) == ["hope"]


@pytest.mark.parametrize(
    "markdown",
    [
        "`#hope`",  # code span
        "text ``a #hope b`` text",
        "```\n#hope\n```",  # fenced code
        "~~~ python\n# hope\n#hope\n~~~",
        "para\n\n    #hope indented code\n",
        "[#hope](https://example.org)",  # link text
        "[text](https://example.org/#hope)",  # link URL
        '[text](https://example.org "#hope title")',  # link title
        "[text][ref]\n\n[ref]: https://example.org/#hope",  # reference definition
        "<https://example.org/#hope>",  # autolink
        "see https://example.org/#hope here",  # bare URL: "#" follows "/"
        "a#b@example.org",  # e-mail address
        "<a#b@example.org>",
        "#bob@example.org",
        "me@example.org",
        "![#hope](image.png)",  # image alt text
        "C# and F# are languages",  # mid-word
        "abc#def",
        "#123 and #2024",  # digits only
        "#١٢٣",  # Arabic-Indic digits only
        "\\#hope is escaped",
        "&#35;hope is an entity",
        "#config.toml",  # file name
        "`code`#hope",  # glued to code, so mid-word
        "**bold**#hope",  # glued to a word through emphasis
        "#🌱",  # no letters at all
        "# Title",  # heading marker
        "#",
        "<div>#hope</div>",  # raw HTML block
    ],
)
def test_hashtag_outside_prose_is_ignored(markdown: str) -> None:
    assert hashtags(markdown) == []


def test_heading_text_is_not_a_tag_but_hashtags_in_it_are() -> None:
    assert tags("# Title\n\n## Another title #grief") == ["grief"]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("#2024-goals", ["2024-goals"]),
        ("#दिल", ["दिल"]),
        ("#日本語", ["日本語"]),
        ("#don't-panic", ["dont-panic"]),
        ("#Peer_Group", ["peer-group"]),
        ("#ＨＯＰＥ", ["hope"]),
        ("#hope🌱", ["hope"]),
    ],
)
def test_hashtag_forms(markdown: str, expected: list[str]) -> None:
    assert hashtags(markdown) == expected


def test_overlong_hashtag_is_skipped() -> None:
    assert hashtags("#" + "a" * 60 + " and #hope") == ["hope"]


def test_words_of_a_hashtag_do_not_suggest_vocabulary() -> None:
    # "goals" is a vocabulary word, but here it is part of the writer's own tag.
    assert tags("#2024-goals") == ["2024-goals"]


# --- vocabulary words ---------------------------------------------------------------


def test_vocabulary_word_has_reason_and_source() -> None:
    assert suggest_tags("I was so lonely that winter.") == [
        Suggestion("loneliness", 'mentions "lonely"', "vocabulary")
    ]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("I can't sleep", ("sleep", 'mentions "can\'t sleep"')),
        ("I can\u2019t sleep", ("sleep", 'mentions "can\u2019t sleep"')),
        ("I cant sleep", ("sleep", 'mentions "cant sleep"')),
        ("My Peer Group helps", ("peer-group", 'mentions "peer group"')),
        ("my peer-group helps", ("peer-group", 'mentions "peer-group"')),
        ("my peer\ngroup helps", ("peer-group", 'mentions "peer group"')),
        ("going to AA again", ("peer-group", 'mentions "aa"')),
        ("REHAB was hard", ("residential-treatment", 'mentions "rehab"')),
        ("I found a new job", ("back-to-work", 'mentions "new job"')),
        ("I take my meds", ("medication", 'mentions "meds"')),
    ],
)
def test_vocabulary_words_and_phrases(markdown: str, expected: tuple[str, str]) -> None:
    found = [(s.tag, s.reason) for s in suggest_tags(markdown) if s.source == "vocabulary"]
    assert found[0] == expected


@pytest.mark.parametrize(
    "markdown",
    [
        "I was sleepy",  # whole words only
        "the hopes of the artisan",
        "a peer. Group work",  # a phrase does not cross a sentence
        "`lonely` in code",
        "```\nlonely\n```",
        "<https://example.org/lonely>",
        "it did not work",  # too ambiguous in prose, see ignore_in_prose
    ],
)
def test_vocabulary_outside_prose_or_not_whole_words_is_ignored(markdown: str) -> None:
    assert tags(markdown) == []


def test_longest_phrase_wins() -> None:
    assert tags("my peer support group") == ["peer-group"]
    assert tags("my peer support") == ["peer-support"]


def test_phrase_does_not_run_across_code_or_autolinks() -> None:
    assert tags("peer `x` group") == []
    assert tags("peer <https://example.org> group") == []
    assert tags("peer *group*") == ["peer-group"]  # emphasis is still prose


def test_link_text_is_prose_for_vocabulary() -> None:
    assert tags("[my therapy notes](https://example.org/x)") == ["therapy"]


# --- ordering, duplicates, existing tags, limits --------------------------------


def test_hashtags_first_then_vocabulary_in_order_of_appearance() -> None:
    markdown = "I was lonely and anxious. Then #hope.\n\nLater I went to therapy. #sleep"
    assert tags(markdown) == ["hope", "sleep", "loneliness", "anxiety", "therapy"]


def test_each_tag_is_suggested_once() -> None:
    markdown = "#sleep insomnia, can't sleep, #insomnia, sleepless; lonely, lonely"
    result = suggest_tags(markdown)
    assert [s.tag for s in result] == ["sleep", "loneliness"]
    assert result[0].source == "hashtag"


def test_existing_tags_are_excluded_after_canonicalisation() -> None:
    markdown = "#hope I was lonely and went to rehab #sleep"
    existing = ["Hopeful", "#Lonely", "🌱", ""]  # invalid entries are ignored
    assert tags(markdown, existing=existing) == ["sleep", "residential-treatment"]


def test_at_most_twelve_suggestions() -> None:
    markdown = " ".join(f"#topic{i}" for i in range(30)) + " lonely anxious"
    result = tags(markdown)
    assert MAX_SUGGESTIONS == 12
    assert result == [f"topic{i}" for i in range(12)]


def test_vocabulary_fills_up_to_the_limit() -> None:
    markdown = " ".join(f"#topic{i}" for i in range(10)) + "\n\nlonely, anxious, grief, rehab"
    assert tags(markdown)[10:] == ["loneliness", "anxiety"]


def test_custom_vocabulary() -> None:
    vocabulary = Vocabulary(
        terms=(Term("knitting", "Knitting", "craft", "support", ("yarn", "purl-stitch")),),
        themes=(Theme("craft", "Craft"),),
    )
    result = suggest_tags(
        "lonely, so I bought yarn and learnt the purl stitch #anxious", vocabulary
    )
    assert [(s.tag, s.source) for s in result] == [
        ("anxious", "hashtag"),
        ("knitting", "vocabulary"),
    ]
    assert result[1].reason == 'mentions "yarn"'


def test_empty_and_blank_input() -> None:
    assert suggest_tags("") == []
    assert suggest_tags("\n\n   \n") == []


def test_suggestion_is_frozen() -> None:
    suggestion = Suggestion("hope", "#hope in the text", "hashtag")
    with pytest.raises(dataclasses.FrozenInstanceError):
        suggestion.tag = "x"  # type: ignore[misc]


# --- hostile input and large input ----------------------------------------------


@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_hostile_text_gives_clean_suggestions(name: str, text: str) -> None:
    for suggestion in suggest_tags(f"{text} #hope lonely"):
        assert not set(suggestion.tag + suggestion.reason) & FORBIDDEN_AFTER_SANITIZE
        assert "\n" not in suggestion.reason and "\t" not in suggestion.reason


def test_hashtag_split_by_an_escape_sequence_is_cleaned_first() -> None:
    assert hashtags("#ho\x1b[2Jpe") == ["hope"]


def test_long_story() -> None:
    rng = random.Random(7)
    sentence = (
        "the a I was and to of in it my that felt day night friends lonely couldn't sleep "
        "went back with so much better than before when we talked about everything peer group"
    )
    words = sentence.split(" ")
    paragraphs = [" ".join(rng.choice(words) for _ in range(100)) for _ in range(50)]
    paragraphs[10] += " `#code` [link](https://x.org/#frag) *#hope*"
    result = suggest_tags("\n\n".join(paragraphs))
    assert [s.tag for s in result] == ["hope", *_first_seen(paragraphs)]


def _first_seen(paragraphs: list[str]) -> list[str]:
    # Work out the expected vocabulary order independently, by position.
    text = "\n\n".join(paragraphs)
    forms = {
        "lonely": "loneliness",
        "couldn't sleep": "sleep",
        "peer group": "peer-group",
        "friends": "friendship",
    }
    positions = {tag: text.find(form) for form, tag in forms.items() if form in text}
    return sorted(positions, key=positions.__getitem__)


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_suggestions_are_always_canonical_distinct_and_few(markdown: str) -> None:
    result = suggest_tags(markdown)
    assert len(result) <= MAX_SUGGESTIONS
    found = [s.tag for s in result]
    assert len(found) == len(set(found))
    for suggestion in result:
        assert canonical_tag(suggestion.tag) == suggestion.tag
        assert suggestion.source in ("hashtag", "vocabulary")


MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            *["#hope", "#", "`", "```\n", "\n", "\n\n", " ", "[", "](", ")", "<", ">", "*"],
            *["_", "\\", "&#35;", "lonely", "peer", "group", "can't", "sleep", "C#", "@"],
            *["x.org", "#1"],
        ]
    ),
    max_size=40,
).map("".join)


@given(MARKDOWNISH)
@settings(max_examples=400)
def test_markdown_fragments_never_break_the_suggester(markdown: str) -> None:
    result = suggest_tags(markdown)
    vocabulary = {s.tag for s in result if s.source == "vocabulary"}
    assert vocabulary <= {"hope", "loneliness", "peer-group", "sleep"}
    for suggestion in result:
        if suggestion.source == "hashtag":
            assert suggestion.reason.startswith("#")
            assert any(char.isalpha() for char in suggestion.tag)
