"""Tests for storycircle.tagging.vocabulary and the shipped vocabulary data."""

from __future__ import annotations

import dataclasses
import tomllib
from collections import Counter
from importlib import resources
from typing import Any

import pytest

from storycircle.sanitize import sanitize_line
from storycircle.tagging.tags import TagError, canonical_slug
from storycircle.tagging.vocabulary import CHIME_THEMES, Term, Theme, Vocabulary, VocabularyError


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.load()


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    text = resources.files("storycircle.data").joinpath("vocabulary.toml").read_text("utf-8")
    return tomllib.loads(text)


# --- the shipped data ---------------------------------------------------------


def test_load_is_cached(vocabulary: Vocabulary) -> None:
    assert Vocabulary.load() is vocabulary


def test_shipped_size_and_themes(vocabulary: Vocabulary) -> None:
    assert 70 <= len(vocabulary.terms) <= 120
    names = [theme.name for theme in vocabulary.themes]
    assert names[:5] == list(CHIME_THEMES)
    assert len(names) == len(set(names))
    assert all(theme.label for theme in vocabulary.themes)
    used = Counter(term.theme for term in vocabulary.terms)
    assert set(used) == set(names), "every theme has terms and every term a known theme"


def test_every_kind_is_well_represented(vocabulary: Vocabulary) -> None:
    kinds = Counter(term.kind for term in vocabulary.terms)
    assert set(kinds) == {"struggle", "support", "milestone", "chime"}
    assert min(kinds.values()) >= 8


def test_shipped_file_is_canonical_and_unambiguous(raw: dict[str, Any]) -> None:
    # Checked against the raw TOML, independently of Vocabulary's own checks.
    slugs = [entry["slug"] for entry in raw["terms"]]
    synonyms = [synonym for entry in raw["terms"] for synonym in entry.get("synonyms", [])]
    assert len(slugs) == len(set(slugs))
    assert len(synonyms) == len(set(synonyms))
    assert not set(slugs) & set(synonyms)
    for value in slugs + synonyms:
        assert canonical_slug(value) == value
    for entry in raw["terms"]:
        assert sanitize_line(entry["label"]) == entry["label"]
        assert entry["kind"] in {"struggle", "support", "milestone", "chime"}


@pytest.mark.parametrize(
    "slug",
    [
        *["anxiety", "depression", "grief", "addiction", "relapse", "loneliness", "stigma"],
        *["sleep", "self-harm", "trauma", "panic", "burnout", "psychosis", "eating-disorder"],
        *["suicidal-thoughts", "isolation", "shame", "anger"],
    ],
)
def test_struggles_are_present(vocabulary: Vocabulary, slug: str) -> None:
    assert vocabulary.is_struggle(slug)
    assert not vocabulary.is_hope(slug)


@pytest.mark.parametrize(
    "slug",
    [
        *["peer-group", "therapy", "medication", "residential-treatment", "family", "work"],
        *["faith", "exercise", "self-care", "coping-strategy", "crisis-line", "nature"],
        *["music", "art", "journaling", "volunteering", "sponsor"],
    ],
)
def test_supports_are_present(vocabulary: Vocabulary, slug: str) -> None:
    term = vocabulary.term(slug)
    assert term is not None and term.kind == "support"


@pytest.mark.parametrize(
    "slug",
    [
        *["first-week", "one-year", "back-to-work", "reconnected", "sober", "milestone"],
        *["recovery", "gratitude", "giving-back", "hope", "belonging"],
    ],
)
def test_milestones_are_hope_markers(vocabulary: Vocabulary, slug: str) -> None:
    term = vocabulary.term(slug)
    assert term is not None and term.kind == "milestone"
    assert vocabulary.is_hope(slug)


def test_hope_theme_holds_only_hopeful_terms(vocabulary: Vocabulary) -> None:
    # is_hope counts the whole hope theme, so no struggle may live there.
    assert all(term.kind != "struggle" for term in vocabulary.terms if term.theme == "hope")
    assert vocabulary.is_hope("optimism")
    assert not vocabulary.is_hope("hopelessness")


@pytest.mark.parametrize(
    ("synonym", "slug"),
    [
        ("anxious", "anxiety"),
        ("aa", "peer-group"),
        ("na", "peer-group"),
        ("support-group", "peer-group"),
        ("depressed", "depression"),
        ("cant-sleep", "sleep"),
        ("insomnia", "sleep"),
        ("rehab", "residential-treatment"),
        ("meds", "medication"),
        ("counselling", "therapy"),
        ("counseling", "therapy"),
        ("job", "work"),
        ("lonely", "loneliness"),
        ("hopeful", "hope"),
        ("relapsed", "relapse"),
    ],
)
def test_synonyms_resolve(vocabulary: Vocabulary, synonym: str, slug: str) -> None:
    assert vocabulary.resolve(synonym) == slug
    assert vocabulary.resolve(slug) == slug
    term = vocabulary.term(synonym)
    assert term is not None and term.slug == slug


def test_unknown_slugs(vocabulary: Vocabulary) -> None:
    assert vocabulary.resolve("knitting") == "knitting"
    assert vocabulary.term("knitting") is None
    assert not vocabulary.is_struggle("knitting")
    assert not vocabulary.is_hope("knitting")


def test_struggle_and_hope_accept_synonyms(vocabulary: Vocabulary) -> None:
    assert vocabulary.is_struggle("anxious")
    assert vocabulary.is_hope("hopeful")
    assert vocabulary.is_hope("sobriety")


def test_words_index_covers_slugs_labels_and_synonyms(vocabulary: Vocabulary) -> None:
    index = vocabulary.words_index()
    assert index["peer group"] == "peer-group"  # slug with spaces, and label
    assert index["aa"] == "peer-group"  # synonym
    assert index["cant sleep"] == "sleep"  # synonym with spaces
    assert index["lonely"] == "loneliness"
    assert index["suicidal thoughts"] == "suicidal-thoughts"
    assert index["back to work"] == "back-to-work"
    assert index["ocd"] == "ocd"  # label "OCD", folded
    slugs = {term.slug for term in vocabulary.terms}
    assert set(index.values()) <= slugs
    for key in index:
        assert key == " ".join(key.split()) and key == key.casefold()
        assert "-" not in key


def test_words_index_leaves_out_ambiguous_prose_words(vocabulary: Vocabulary) -> None:
    index = vocabulary.words_index()
    assert "na" not in index  # still a synonym for #na, just not matched in prose
    assert "work" not in index
    assert vocabulary.resolve("na") == "peer-group"
    assert index["job"] == "work"


def test_words_index_is_read_only(vocabulary: Vocabulary) -> None:
    with pytest.raises(TypeError):
        vocabulary.words_index()["x"] = "y"  # type: ignore[index]


def test_values_are_frozen(vocabulary: Vocabulary) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        vocabulary.terms = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        vocabulary.terms[0].slug = "x"  # type: ignore[misc]


# --- validation -------------------------------------------------------------------

THEME = Theme("care", "Care")


def build(*terms: Term, ignore: frozenset[str] = frozenset()) -> Vocabulary:
    return Vocabulary(terms=terms, themes=(THEME,), ignore_in_prose=ignore)


def test_a_small_valid_vocabulary() -> None:
    vocabulary = build(
        Term("sleep", "Sleep", "care", "struggle", ("insomnia",)),
        Term("hope", "Hope", "care", "milestone"),
    )
    assert vocabulary.resolve("insomnia") == "sleep"
    assert vocabulary.is_hope("hope")
    assert dict(vocabulary.words_index()) == {"sleep": "sleep", "insomnia": "sleep", "hope": "hope"}


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ((Term("sleep", "Sleep", "care", "struggle"),) * 2, "defined twice"),
        ((Term("Sleep", "Sleep", "care", "struggle"),), "not canonical"),
        ((Term("🌱", "Sprout", "care", "struggle"),), "not a valid tag"),
        ((Term("sleep", "Sleep", "care", "struggle", ("Insomnia",)),), "not canonical"),
        ((Term("sleep", "Sleep", "care", "struggle", ("sleep",)),), "also a slug"),
        (
            (
                Term("sleep", "Sleep", "care", "struggle", ("rest",)),
                Term("calm", "Calm", "care", "support", ("rest",)),
            ),
            "belongs to both",
        ),
        (
            (
                Term("sleep", "Sleep", "care", "struggle"),
                Term("sleep-well", "Sleep", "care", "support"),
            ),
            "would suggest both",
        ),
        ((Term("sleep", "Sleep", "elsewhere", "struggle"),), "unknown theme"),
        ((Term("sleep", "Sleep", "care", "feeling"),), "unknown kind"),  # type: ignore[arg-type]
        ((Term("sleep", "", "care", "struggle"),), "non-empty single clean line"),
        ((Term("sleep", "Sleep\x1b[2J", "care", "struggle"),), "single clean line"),
    ],
)
def test_invalid_terms_are_rejected(terms: tuple[Term, ...], message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        build(*terms)


def test_unknown_ignore_in_prose_word_is_rejected() -> None:
    with pytest.raises(VocabularyError, match="unknown word"):
        build(Term("sleep", "Sleep", "care", "struggle"), ignore=frozenset({"slep"}))


def test_duplicate_theme_is_rejected() -> None:
    with pytest.raises(VocabularyError, match="defined twice"):
        Vocabulary(terms=(), themes=(THEME, THEME))


MINIMAL_TOML = """
version = 1
[[themes]]
name = "care"
label = "Care"
[[terms]]
slug = "sleep"
label = "Sleep"
theme = "care"
kind = "struggle"
synonyms = ["insomnia"]
"""


def test_from_toml() -> None:
    vocabulary = Vocabulary.from_toml(MINIMAL_TOML)
    assert vocabulary.terms == (Term("sleep", "Sleep", "care", "struggle", ("insomnia",)),)
    assert vocabulary.themes == (THEME,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = [", "not valid TOML"),
        (MINIMAL_TOML.replace("version = 1", "version = 2"), "unsupported vocabulary version"),
        (MINIMAL_TOML.replace('kind = "struggle"', "kind = 3"), "'kind' must be a string"),
        (MINIMAL_TOML.replace('["insomnia"]', '"insomnia"'), "must be a list of strings"),
        ("version = 1\nthemes = 3\nterms = []", "must be an array of tables"),
        ("suggest = 1\n" + MINIMAL_TOML, "'suggest' must be a table"),
        (MINIMAL_TOML + "[suggest]\nignore = []\n", "unknown key 'ignore' in 'suggest'"),
        (MINIMAL_TOML.replace("synonyms =", "synonym ="), "unknown key 'synonym'"),
        ("colour = 1\n" + MINIMAL_TOML, "unknown key 'colour' in the vocabulary"),
    ],
)
def test_malformed_toml_is_rejected(text: str, message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        Vocabulary.from_toml(text)


def test_vocabulary_error_is_a_value_error_and_not_a_tag_error() -> None:
    assert issubclass(VocabularyError, ValueError)
    assert not issubclass(VocabularyError, TagError)
