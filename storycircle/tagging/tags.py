"""Canonical tags: the one spelling of each tag that stories carry.

People type tags as ``#Anxiety``, ``peer group``, ``Peer_Group`` or ``ＰＥＥＲ``;
stories only meet through tags when those all become the same string. A
canonical tag is a *slug*: case-folded, NFKC-normalised letters, digits and
combining marks of any script, joined by single hyphens. Known synonyms are
then resolved through the recovery vocabulary (``anxious`` → ``anxiety``).

Three things are kept because dropping them changes meaning:

* ZWNJ and ZWJ inside a word (Persian ``می‌خواهم``, Sinhala ``ශ්‍රී``), as the
  sanitizer keeps them;
* a full stop between two digits (``2.0``, ``12.5``), so ``2.0`` and ``20``
  stay different tags.

Other symbols, punctuation and emoji are dropped: they make tags that are hard
to type and to search for in a terminal. A tag of emoji alone (``#🌱``) is
refused with a message asking for a word, rather than becoming an invisible
or unsearchable tag; on import only that tag is dropped, never the story.

Tags a story already carries keep their tokens: every tag without a joiner
inside a word or a digit-dot-digit canonicalises exactly as before, and
:func:`legacy_slug` gives the form older versions stored for the others, so a
search can find both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storycircle.sanitize import sanitize_text
from storycircle.tagging.slugs import (
    MAX_TAG_LENGTH,
    TagError,
    canonical_slug,
    fold,
    legacy_slug,
    quoted,
)
from storycircle.tagging.vocabulary import Vocabulary

__all__ = [
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "TagCache",
    "TagError",
    "canonical_slug",
    "canonical_tag",
    "canonical_tags",
    "fold",
    "legacy_slug",
    "parse_tag_list",
    "search_forms",
    "usable_tags",
]

MAX_TAGS = 32
"""How many tags one story may carry."""

# Tag lists are split on commas and semicolons in the common scripts (Arabic,
# CJK and fullwidth forms too) and on line breaks.
_LIST_SEPARATOR = re.compile("[,;\n\u060c\u061b\u3001\uff0c\uff1b]")
# A hashtag inside a list item is one word: "#hope" at the start or after a space.
_LIST_HASHTAG = re.compile(r"(?:(?<=\s)|^)#+[^\s#]+")


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
        vocabulary = Vocabulary.load()
    return vocabulary.resolve(canonical_slug(raw))


class TagCache:
    """Tags already canonicalised, for one long run of saves (an import).

    An import meets the same few hundred tags thousands of times, and working
    one out (Unicode folding, filtering, synonyms) is the dearest part of
    checking a story: about 1 s for 10,000 stories with 5 tags each. The
    cache remembers each tag as written with its canonical form, or with why
    it is unusable, and gives exactly what :func:`canonical_tag` gives.

    It lives as long as the run that made it, not the process: tag names are
    private, so none is kept in memory after the import. At most
    :attr:`LIMIT` tags are remembered, so a hostile folder of millions of
    distinct tags costs time, not memory.
    """

    LIMIT = 65_536

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        """Resolve synonyms with ``vocabulary`` (the shipped one when omitted)."""
        self._vocabulary = vocabulary
        self._known: dict[str, str | TagError] = {}

    def canonical(self, raw: str) -> str:
        """:func:`canonical_tag` of ``raw``, worked out once.

        Raises:
            TagError: As :func:`canonical_tag`, with the same message each time.
        """
        known = self._known.get(raw)
        if known is None:
            try:
                known = canonical_tag(raw, self._vocabulary)
            except TagError as error:
                known = error
            if len(self._known) < self.LIMIT:
                self._known[raw] = known
        if isinstance(known, TagError):
            raise TagError(str(known))
        return known


def search_forms(raw: str) -> tuple[str, ...]:
    """The canonical tags a search for ``raw`` looks for: today's, then the older form.

    Stories saved before joiners and ``2.0`` were kept carry the older form;
    searching for either spelling finds them.

    Raises:
        TagError: As :func:`canonical_slug`.
    """
    current = canonical_tag(raw)
    legacy = legacy_slug(raw)
    if legacy is None:
        return (current,)
    older = canonical_tag(legacy)
    return (current,) if older == current else (current, older)


def canonical_tags(
    raws: Iterable[str], vocabulary: Vocabulary | None = None, *, cache: TagCache | None = None
) -> tuple[str, ...]:
    """Canonicalise a story's tags, dropping duplicates and keeping first order.

    Args:
        raws: Tags as typed.
        vocabulary: The vocabulary to resolve synonyms with; the shipped one
            when omitted.
        cache: Tags already worked out (an import's); it brings its own
            vocabulary, and ``vocabulary`` is not used then.

    Returns:
        The distinct canonical tags in the order they first appeared.

    Raises:
        TagError: If any tag is unusable, or there are more than
            :data:`MAX_TAGS` distinct tags.
    """
    if cache is not None:
        tags = dict.fromkeys(cache.canonical(raw) for raw in raws)
    else:
        tags = dict.fromkeys(canonical_tag(raw, vocabulary) for raw in raws)
    if len(tags) > MAX_TAGS:
        raise TagError(f"a story can carry at most {MAX_TAGS} tags (this one has {len(tags)})")
    return tuple(tags)


def usable_tags(raws: Iterable[str], cache: TagCache | None = None) -> tuple[list[str], list[str]]:
    """Split tags as written into the usable ones and why the others are not.

    For imports, where one unusable tag must not cost the whole story: the
    story keeps the usable tags (at most :data:`MAX_TAGS` distinct ones) and
    the person is told which were dropped. ``cache`` holds tags already
    worked out (see :class:`TagCache`).

    Returns:
        The usable tags as written, and one line per dropped tag.
    """
    kept: list[str] = []
    seen: set[str] = set()
    dropped: list[str] = []
    for raw in raws:
        try:
            tag = cache.canonical(raw) if cache is not None else canonical_tag(raw)
        except TagError as error:
            dropped.append(f"tag dropped: {error}")
            continue
        if tag not in seen and len(seen) >= MAX_TAGS:
            dropped.append(f"tag {quoted(raw)} dropped: a story can carry at most {MAX_TAGS} tags")
            continue
        seen.add(tag)
        kept.append(raw)
    return kept, dropped


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
