"""The recovery vocabulary: themes and terms shipped as data.

The vocabulary lives in ``storycircle/data/vocabulary.toml`` so that people who
know recovery work, not only programmers, can review and extend it. Its themes
start with the CHIME recovery processes (Connectedness, Hope, Identity, Meaning,
Empowerment) and add the topics stories are most often about. Each term is a
canonical tag with a display label, a theme, a kind (``struggle``, ``support``,
``milestone`` or ``chime``) and synonyms that resolve to it, so ``#anxious``,
``#rehab`` and ``#AA`` land on ``anxiety``, ``residential-treatment`` and
``peer-group``.

The data is validated when it is loaded, so a typo in the file fails loudly in
the test suite instead of silently splitting a tag in two.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

from storycircle.sanitize import sanitize_line
from storycircle.tagging.slugs import TagError, canonical_slug

__all__ = ["CHIME_THEMES", "Kind", "Term", "Theme", "Vocabulary", "VocabularyError"]

Kind = Literal["struggle", "support", "milestone", "chime"]
_KINDS: tuple[str, ...] = get_args(Kind)

CHIME_THEMES = ("connectedness", "hope", "identity", "meaning", "empowerment")
"""The five CHIME recovery processes, in their customary order."""

_SUPPORTED_VERSION = 1


class VocabularyError(ValueError):
    """The vocabulary data is malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class Theme:
    """A group of related terms.

    Attributes:
        name: The theme's identifier, e.g. ``"connectedness"``.
        label: Its display label, e.g. ``"Connectedness"``.
    """

    name: str
    label: str


@dataclass(frozen=True, slots=True)
class Term:
    """One canonical tag the vocabulary knows about.

    Attributes:
        slug: The canonical tag, e.g. ``"peer-group"``.
        label: A short display label, e.g. ``"Peer group"``.
        theme: The name of the term's theme.
        kind: ``"struggle"``, ``"support"``, ``"milestone"`` or ``"chime"``.
        synonyms: Other canonical slugs that resolve to this term.
    """

    slug: str
    label: str
    theme: str
    kind: Kind
    synonyms: tuple[str, ...] = ()


def _surface(slug: str) -> str:
    # Index keys are words separated by single spaces, the shape in which the
    # suggester finds them in prose.
    return slug.replace("-", " ")


def _require_canonical(value: str, what: str) -> None:
    try:
        canonical = canonical_slug(value)
    except TagError as error:
        raise VocabularyError(f"{what} {value!r} is not a valid tag: {error}") from None
    if canonical != value:
        raise VocabularyError(f"{what} {value!r} is not canonical (expected {canonical!r})")


def _require_label(value: str, what: str) -> None:
    if not value or sanitize_line(value) != value:
        raise VocabularyError(f"{what} {value!r} must be a non-empty single clean line")


@dataclass(frozen=True)
class Vocabulary:
    """Validated recovery themes and terms, with lookups by slug and synonym.

    Construct it with :meth:`load` (the shipped data), :meth:`from_toml` or
    :meth:`from_mapping`; construction validates the data.

    Attributes:
        terms: Every term, in file order.
        themes: Every theme, in display order.
        ignore_in_prose: Slugs and synonyms that resolve as tags but are too
            ambiguous to suggest from running prose (e.g. ``"work"``).

    Raises:
        VocabularyError: On construction, if the data is inconsistent.
    """

    terms: tuple[Term, ...]
    themes: tuple[Theme, ...]
    ignore_in_prose: frozenset[str] = frozenset()
    _by_slug: Mapping[str, Term] = field(init=False, repr=False, compare=False)
    _synonyms: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _words: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        theme_names: set[str] = set()
        for theme in self.themes:
            _require_canonical(theme.name, "theme name")
            _require_label(theme.label, f"label of theme {theme.name!r}")
            if theme.name in theme_names:
                raise VocabularyError(f"theme {theme.name!r} is defined twice")
            theme_names.add(theme.name)

        by_slug: dict[str, Term] = {}
        for term in self.terms:
            _require_canonical(term.slug, "slug")
            if term.slug in by_slug:
                raise VocabularyError(f"slug {term.slug!r} is defined twice")
            _require_label(term.label, f"label of {term.slug!r}")
            if term.theme not in theme_names:
                raise VocabularyError(f"{term.slug!r} has unknown theme {term.theme!r}")
            if term.kind not in _KINDS:
                raise VocabularyError(f"{term.slug!r} has unknown kind {term.kind!r}")
            by_slug[term.slug] = term

        synonyms: dict[str, str] = {}
        for term in self.terms:
            for synonym in term.synonyms:
                _require_canonical(synonym, f"synonym of {term.slug!r}")
                if synonym in by_slug:
                    raise VocabularyError(f"synonym {synonym!r} of {term.slug!r} is also a slug")
                if synonym in synonyms:
                    raise VocabularyError(
                        f"synonym {synonym!r} belongs to both {synonyms[synonym]!r}"
                        f" and {term.slug!r}"
                    )
                synonyms[synonym] = term.slug

        words: dict[str, str] = {}
        for term in self.terms:
            try:
                label_slug = canonical_slug(term.label)
            except TagError as error:
                raise VocabularyError(f"label of {term.slug!r}: {error}") from None
            for form in (term.slug, label_slug, *term.synonyms):
                owner = words.setdefault(_surface(form), term.slug)
                if owner != term.slug:
                    raise VocabularyError(
                        f"{_surface(form)!r} would suggest both {owner!r} and {term.slug!r}"
                    )
        for form in self.ignore_in_prose:
            if _surface(form) not in words:
                raise VocabularyError(f"ignore_in_prose names unknown word {form!r}")
            del words[_surface(form)]

        # The dataclass is frozen; these indexes are derived once, here.
        object.__setattr__(self, "_by_slug", MappingProxyType(by_slug))
        object.__setattr__(self, "_synonyms", MappingProxyType(synonyms))
        object.__setattr__(self, "_words", MappingProxyType(words))

    @classmethod
    def load(cls) -> Vocabulary:
        """Return the vocabulary shipped with storycircle.

        The file is read and validated once per process; later calls return
        the same object.

        Returns:
            The shipped vocabulary.

        Raises:
            VocabularyError: If the shipped data is invalid.
        """
        return _shipped()

    @classmethod
    def from_toml(cls, text: str) -> Vocabulary:
        """Build a vocabulary from TOML text in the shipped file's format.

        Args:
            text: The TOML document.

        Returns:
            The validated vocabulary.

        Raises:
            VocabularyError: If the TOML is malformed or the data invalid.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise VocabularyError(f"vocabulary is not valid TOML: {error}") from None
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Vocabulary:
        """Build a vocabulary from parsed data in the shipped file's format.

        Args:
            data: A mapping with ``version``, ``themes``, ``terms`` and an
                optional ``suggest.ignore_in_prose`` list.

        Returns:
            The validated vocabulary.

        Raises:
            VocabularyError: If the data is malformed or invalid.
        """
        _known_keys(data, {"version", "suggest", "themes", "terms"}, "the vocabulary")
        if data.get("version") != _SUPPORTED_VERSION:
            raise VocabularyError(f"unsupported vocabulary version {data.get('version')!r}")
        themes = tuple(
            Theme(name=_text(entry, "name"), label=_text(entry, "label"))
            for entry in _tables(data, "themes", {"name", "label"})
        )
        terms = tuple(
            Term(
                slug=_text(entry, "slug"),
                label=_text(entry, "label"),
                theme=_text(entry, "theme"),
                kind=cast(Kind, _text(entry, "kind")),
                synonyms=_texts(entry, "synonyms"),
            )
            for entry in _tables(data, "terms", {"slug", "label", "theme", "kind", "synonyms"})
        )
        suggest = data.get("suggest", {})
        if not isinstance(suggest, Mapping):
            raise VocabularyError("'suggest' must be a table")
        _known_keys(suggest, {"ignore_in_prose"}, "'suggest'")
        return cls(terms, themes, frozenset(_texts(suggest, "ignore_in_prose")))

    def resolve(self, slug: str) -> str:
        """Map a synonym to its canonical slug.

        Args:
            slug: A canonical slug, e.g. ``"anxious"``.

        Returns:
            The term's slug for a known synonym (``"anxiety"``); any other
            slug unchanged.
        """
        return self._synonyms.get(slug, slug)

    def term(self, slug: str) -> Term | None:
        """Look up the term for a slug or synonym.

        Args:
            slug: A canonical slug or synonym.

        Returns:
            The term, or ``None`` if the vocabulary does not know the slug.
        """
        return self._by_slug.get(self.resolve(slug))

    def is_struggle(self, slug: str) -> bool:
        """Tell whether a slug or synonym names a struggle.

        Args:
            slug: A canonical slug or synonym.

        Returns:
            ``True`` for terms of kind ``struggle``.
        """
        term = self.term(slug)
        return term is not None and term.kind == "struggle"

    def is_hope(self, slug: str) -> bool:
        """Tell whether a slug or synonym is a hope marker.

        Args:
            slug: A canonical slug or synonym.

        Returns:
            ``True`` for milestones and for terms in the ``hope`` theme.
        """
        term = self.term(slug)
        return term is not None and (term.kind == "milestone" or term.theme == "hope")

    def words_index(self) -> Mapping[str, str]:
        """Map every surface form of every term to its slug, for the suggester.

        Keys are folded words separated by single spaces: each slug and
        synonym with hyphens as spaces (``"peer group"``, ``"cant sleep"``) and
        each label in the same form. Forms listed in ``ignore_in_prose`` are
        left out.

        Returns:
            A read-only mapping from surface form to canonical slug.
        """
        return self._words


def _known_keys(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    # A misspelt key ("synonym = [...]") would otherwise be silently ignored.
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise VocabularyError(f"unknown key {unknown[0]!r} in {where}")


def _tables(data: Mapping[str, Any], key: str, allowed: set[str]) -> list[Mapping[str, Any]]:
    tables = data.get(key)
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise VocabularyError(f"{key!r} must be an array of tables")
    for table in tables:
        _known_keys(table, allowed, f"{key!r} entry {dict(table)!r}")
    return tables


def _text(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise VocabularyError(f"{key!r} must be a string in {dict(entry)!r}")
    return value


def _texts(entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise VocabularyError(f"{key!r} must be a list of strings in {dict(entry)!r}")
    return tuple(values)


@functools.cache
def _shipped() -> Vocabulary:
    text = resources.files("storycircle.data").joinpath("vocabulary.toml").read_text("utf-8")
    return Vocabulary.from_toml(text)
