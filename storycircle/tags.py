"""Canonical tags: the one spelling of each tag that stories carry.

People type tags as ``#Anxiety``, ``peer group``, ``Peer_Group`` or ``ＰＥＥＲ``;
stories only meet through tags when those all become the same string. A
canonical tag is a *slug*: case-folded, NFKC-normalised letters, digits and
combining marks of any script, joined by single hyphens. Known synonyms are
then resolved through the recovery vocabulary (``anxious`` → ``anxiety``).

Symbols, punctuation and emoji are dropped rather than kept: they make tags
that are hard to type and to search for, so ``#🌱`` on its own is rejected with
a message instead of becoming an invisible tag.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from storycircle.errors import StorycircleError
from storycircle.sanitize import sanitize_line, sanitize_text

if TYPE_CHECKING:
    from storycircle.vocabulary import Vocabulary

__all__ = [
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "TagError",
    "canonical_slug",
    "canonical_tag",
    "canonical_tags",
    "fold",
    "parse_tag_list",
]

MAX_TAGS = 32
"""How many tags one story may carry."""

MAX_TAG_LENGTH = 48
"""Longest canonical tag, in code points."""

# How much of an offending tag an error message quotes.
_QUOTE_LIMIT = 24

_SEPARATOR_RUN = re.compile(r"[\s_]+")
_HYPHEN_RUN = re.compile(r"-{2,}")

# Tag lists are split on commas and semicolons in the common scripts (Arabic,
# CJK and fullwidth forms too) and on line breaks.
_LIST_SEPARATOR = re.compile("[,;\n\u060c\u061b\u3001\uff0c\uff1b]")
# A hashtag inside a list item is one word: "#hope" at the start or after a space.
_LIST_HASHTAG = re.compile(r"(?:(?<=\s)|^)#+[^\s#]+")


class TagError(StorycircleError, ValueError):
    """A tag or tag list that cannot be accepted.

    The message is one line meant for the person who typed the tag. It is a
    :class:`StorycircleError`, so every caller that reports errors to a
    person (the CLI, the screens) shows it without a traceback.
    """


def fold(text: str) -> str:
    """Fold text for caseless, compatibility-insensitive comparison.

    NFKC (fullwidth letters, ligatures, superscripts), then case folding
    (``ß`` → ``ss``), then NFKC again because folding can leave decomposed
    sequences. Turkish ``İ`` folds to plain ``i``: default folding would leave
    a combining dot above that makes ``İstanbul`` and ``istanbul`` differ.

    Args:
        text: Any string.

    Returns:
        The folded string.
    """
    text = unicodedata.normalize("NFKC", text).replace("\u0130", "i")
    return unicodedata.normalize("NFKC", text.casefold())


def _quote(text: str) -> str:
    shown = sanitize_line(text)
    if len(shown) > _QUOTE_LIMIT:
        shown = shown[: _QUOTE_LIMIT - 1] + "…"
    return f'"{shown}"'


def _keep(char: str) -> bool:
    # Letters, digits and combining marks of every script; marks carry vowels
    # and viramas in Devanagari, Arabic harakat and so on.
    return char == "-" or unicodedata.category(char)[0] in "LNM"


def canonical_slug(raw: str) -> str:
    """Turn what someone typed into a canonical slug, without synonyms.

    Steps: sanitize the line, :func:`fold` it, strip leading ``#``, turn runs
    of whitespace and underscores into ``-``, drop everything that is not a
    letter, digit, combining mark or ``-``, collapse repeated hyphens and strip
    hyphens at both ends.

    Args:
        raw: A tag as typed, e.g. ``"#Peer Group"``.

    Returns:
        The slug, e.g. ``"peer-group"``.

    Raises:
        TagError: If nothing usable is left or the slug is longer than
            :data:`MAX_TAG_LENGTH`.
    """
    text = fold(sanitize_line(raw)).lstrip("#")
    text = _SEPARATOR_RUN.sub("-", text)
    if not text.isalnum():
        text = "".join(char for char in text if _keep(char))
    # Dropping characters can bring a base letter and a mark together, so
    # normalise once more; otherwise slugging a slug could change it.
    text = unicodedata.normalize("NFKC", text)
    slug = _HYPHEN_RUN.sub("-", text).strip("-")
    if not any(unicodedata.category(char)[0] in "LN" for char in slug):
        if sanitize_line(raw).lstrip("#"):
            raise TagError(f"tag {_quote(raw)} needs at least one letter or digit")
        raise TagError("a tag needs at least one letter or digit")
    if len(slug) > MAX_TAG_LENGTH:
        raise TagError(f"tag {_quote(slug)} is longer than {MAX_TAG_LENGTH} characters")
    return slug


def canonical_tag(raw: str, vocabulary: Vocabulary | None = None) -> str:
    """Canonicalise a tag and resolve it through the vocabulary's synonyms.

    Args:
        raw: A tag as typed, e.g. ``"#Anxious"``.
        vocabulary: The vocabulary to resolve synonyms with; the shipped one
            when omitted.

    Returns:
        The canonical tag, e.g. ``"anxiety"``.

    Raises:
        TagError: As :func:`canonical_slug`.
    """
    if vocabulary is None:
        # Imported here because vocabulary validates its data with this module.
        from storycircle.vocabulary import Vocabulary

        vocabulary = Vocabulary.load()
    return vocabulary.resolve(canonical_slug(raw))


def canonical_tags(raws: Iterable[str], vocabulary: Vocabulary | None = None) -> tuple[str, ...]:
    """Canonicalise a story's tags, dropping duplicates and keeping first order.

    Args:
        raws: Tags as typed.
        vocabulary: The vocabulary to resolve synonyms with; the shipped one
            when omitted.

    Returns:
        The distinct canonical tags in the order they first appeared.

    Raises:
        TagError: If any tag is unusable, or there are more than
            :data:`MAX_TAGS` distinct tags.
    """
    tags = dict.fromkeys(canonical_tag(raw, vocabulary) for raw in raws)
    if len(tags) > MAX_TAGS:
        raise TagError(f"a story can carry at most {MAX_TAGS} tags (this one has {len(tags)})")
    return tuple(tags)


def parse_tag_list(text: str) -> list[str]:
    """Split a typed tag list into separate tags, as typed.

    Commas, semicolons and line breaks separate tags, so a tag may contain
    spaces (``"peer group"``). Within one item, each ``#word`` is a tag of
    its own, as in a social-media post, and the words around hashtags form one
    more tag: ``"anxiety, sleep #hope"`` gives ``["anxiety", "sleep", "hope"]``.

    The results are not canonical; pass them to :func:`canonical_tags` so
    that errors can quote what the person typed.

    Args:
        text: The contents of a tag input field.

    Returns:
        The tags in order, each sanitized, whitespace-collapsed and without
        leading ``#``; empty items are left out.
    """
    tags: list[str] = []
    for item in _LIST_SEPARATOR.split(sanitize_text(text)):
        position = 0
        for match in _LIST_HASHTAG.finditer(item):
            _add_words(tags, item[position : match.start()])
            tags.append(match.group().lstrip("#"))
            position = match.end()
        _add_words(tags, item[position:])
    return tags


def _add_words(tags: list[str], text: str) -> None:
    tag = " ".join(text.split()).lstrip("#").strip()
    if tag:
        tags.append(tag)
