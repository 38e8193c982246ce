"""Slugs: the one spelling of a tag, before synonyms are resolved.

A slug is case-folded, NFKC-normalised letters, digits and combining marks of
any script, joined by single hyphens. Three things are kept because dropping
them changes meaning: ZWNJ and ZWJ inside a word, and a full stop between two
digits. Other symbols, punctuation and emoji are dropped; a tag of emoji alone
is refused. :mod:`storycircle.tagging.tags` resolves synonyms afterwards,
through the vocabulary, which validates its own data with this module.
"""

from __future__ import annotations

import re
import unicodedata

from storycircle.errors import StorycircleError
from storycircle.sanitize import sanitize_line, sanitize_text

MAX_TAG_LENGTH = 48
"""Longest canonical tag, in code points."""

# How much of an offending tag an error message quotes.
_QUOTE_LIMIT = 24

_SEPARATOR_RUN = re.compile(r"[\s_]+")
_HYPHEN_RUN = re.compile(r"-{2,}")
_JOINERS = "\u200c\u200d"
# A joiner means something only inside a word, never beside a hyphen.
# (Ends of the tag are judged by the sanitizer, which keeps a word-final
# joiner after a virama, as in Malayalam chillu spellings.)
_EDGE_JOINER = re.compile(r"(?<=-)[\u200c\u200d]+|[\u200c\u200d]+(?=-)")


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


def quoted(text: str) -> str:
    shown = sanitize_line(text)
    if len(shown) > _QUOTE_LIMIT:
        shown = shown[: _QUOTE_LIMIT - 1] + "…"
    return f'"{shown}"'


def _keep(char: str) -> bool:
    # Letters, digits and combining marks of every script; marks carry vowels
    # and viramas in Devanagari, Arabic harakat and so on.
    return char == "-" or unicodedata.category(char)[0] in "LNM"


def _filtered(text: str) -> str:
    # Letters, digits, marks, hyphens and joiners stay; so does a full stop
    # between two digits (a version or a decimal: "2.0" is not "20").
    last = len(text) - 1
    return "".join(
        char
        for i, char in enumerate(text)
        if _keep(char)
        or char in _JOINERS
        or (char == "." and 0 < i < last and text[i - 1].isdecimal() and text[i + 1].isdecimal())
    )


def legacy_slug(raw: str) -> str | None:
    """The slug versions before joiners and ``2.0`` were kept gave ``raw``.

    Only for finding stories saved then; None when it is the same as the
    canonical slug or there was none (emoji-only tags were refused).
    """
    text = fold(sanitize_line(raw)).lstrip("#")
    text = _SEPARATOR_RUN.sub("-", text)
    text = unicodedata.normalize("NFKC", "".join(c for c in text if _keep(c)))
    slug = _HYPHEN_RUN.sub("-", text).strip("-")
    if not any(unicodedata.category(c)[0] in "LN" for c in slug) or len(slug) > MAX_TAG_LENGTH:
        return None
    try:
        current = canonical_slug(raw)
    except TagError:
        return None
    return None if slug == current else slug


def canonical_slug(raw: str) -> str:
    """Turn what someone typed into a canonical slug, without synonyms.

    Steps: sanitize the line, :func:`fold` it, strip leading ``#``, turn runs
    of whitespace and underscores into ``-``, drop everything that is not a
    letter, digit, combining mark, ``-``, a joiner inside a word or a full
    stop between digits, collapse repeated hyphens and strip hyphens at both
    ends.

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
        text = _filtered(text)
    # Dropping characters can bring a base letter and a mark together, so
    # normalise once more; otherwise slugging a slug could change it.
    text = unicodedata.normalize("NFKC", text)
    if "\u200c" in text or "\u200d" in text:
        # Dropping symbols can leave a joiner at an edge or beside another:
        # judge them again, as the sanitizer would, so a slug slugs to itself.
        text = sanitize_text(_EDGE_JOINER.sub("", text))
        # A dropped joiner can bring a letter and a mark together too.
        text = unicodedata.normalize("NFKC", text)
    slug = _HYPHEN_RUN.sub("-", text).strip("-")
    if not any(unicodedata.category(char)[0] in "LN" for char in slug):
        if sanitize_line(raw).lstrip("#"):
            raise TagError(f"tag {quoted(raw)} needs at least one letter or digit")
        raise TagError("a tag needs at least one letter or digit")
    if len(slug) > MAX_TAG_LENGTH:
        raise TagError(f"tag {quoted(slug)} is longer than {MAX_TAG_LENGTH} characters")
    return slug
