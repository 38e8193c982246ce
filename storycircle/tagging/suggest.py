"""Tag suggestions while someone writes a story.

Two sources, in this order:

* **hashtags** the writer typed in the prose (``#hope``), and
* **vocabulary words**: surface forms of the recovery vocabulary that occur as
  whole words (``lonely``, ``peer group``, ``can't sleep``).

Both are read from the markdown-it token stream rather than the raw text, so
that code spans, code blocks, link targets, autolinks and heading markers are
never mistaken for prose: ``# Title`` is a heading, ``[x](https://a/#b)`` is a
link and ``C#`` is a language, none of them a tag.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from storycircle.sanitize import sanitize_text
from storycircle.tagging.tags import TagError, canonical_tag, fold
from storycircle.tagging.vocabulary import Vocabulary

__all__ = ["MAX_SUGGESTIONS", "Suggestion", "suggest_tags"]

MAX_SUGGESTIONS = 12
"""At most this many suggestions are offered at once."""

# Characters that end a word. ASCII punctuation except "-" and "_" (which may
# sit inside a hashtag), plus common punctuation and symbol blocks of Unicode:
# Latin-1 punctuation, general punctuation (dashes, curly quotes), arrows and
# technical symbols, box drawing and dingbats, CJK and fullwidth punctuation,
# and Arabic, Armenian and Devanagari sentence marks.
_PUNCT = (
    r"!-,./:-@\[-\^`{-~"
    "\u00a1-\u00a9\u00ab-\u00b1\u00b4\u00b6\u00b8\u00bb\u00bf\u00d7\u00f7"
    "\u055c-\u055e\u0589\u060c\u061b\u061f\u066a-\u066d\u06d4\u0964\u0965"
    "\u2010-\u2027\u2030-\u205e\u2190-\u23ff\u2500-\u27bf\u2e00-\u2e7f"
    "\u3001-\u3003\u3008-\u3011\u3014-\u301f"
    "\ufe10-\ufe19\ufe30-\ufe6b\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
)
_APOSTROPHES = "'\u2019"

# A hashtag: "#" at the start of the text or after a space or punctuation (not
# inside a word as in "C#", an HTML entity "&#..." or a URL ".../#part"),
# then a body that may hold hyphens, underscores and inner apostrophes. A body
# followed by "@" is the local part of an e-mail address, and one followed by
# ".word" looks like a file or host name.
_HASHTAG_BODY = rf"[^\s{_PUNCT}]+(?:[{_APOSTROPHES}][^\s{_PUNCT}]+)*"
# The body is an atomic group so that a rejected "#bob@x.org" cannot backtrack
# to the shorter match "#bo".
_HASHTAG = re.compile(rf"(?<![\w&/#@'\u2019])#((?>{_HASHTAG_BODY}))(?!@|\.\w)")

# A word for vocabulary matching: hyphens and underscores end a word here, so
# "peer-group" is the two words of the phrase "peer group".
_WORD = re.compile(rf"[^\s{_PUNCT}_\-]+(?:[{_APOSTROPHES}][^\s{_PUNCT}_\-]+)*")
# What may stand between the words of one phrase.
_PHRASE_GAP = re.compile(r"[\s_\-\u2010\u2011]+")

# Stands in for the visible character before a hashtag when that was not text
# (an image, the end of a code span): anything that is not a word character.
_NOT_A_WORD = "\ufffc"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested tag and why it was suggested.

    Attributes:
        tag: The canonical tag.
        reason: A short human explanation, e.g. ``#sleep in the text`` or
            ``mentions "can't sleep"``.
        source: ``"hashtag"`` or ``"vocabulary"``.
    """

    tag: str
    reason: str
    source: Literal["hashtag", "vocabulary"]


@functools.cache
def _markdown() -> MarkdownIt:
    # text_join would merge escaped "\#" and "&#35;" into the surrounding text;
    # keeping them apart lets a writer opt out of a hashtag by escaping it.
    return MarkdownIt("commonmark").disable("text_join")


Phrase = tuple[tuple[str, ...], str]


@functools.lru_cache(maxsize=8)
def _phrase_index(vocabulary: Vocabulary) -> Mapping[str, tuple[Phrase, ...]]:
    # First word -> candidate phrases, longest first, so "peer support group"
    # wins over "peer support" when both occur.
    index: dict[str, list[Phrase]] = {}
    for surface, slug in vocabulary.words_index().items():
        words = tuple(surface.split(" "))
        index.setdefault(words[0], []).append((words, slug))
    return {
        first: tuple(sorted(phrases, key=lambda phrase: -len(phrase[0])))
        for first, phrases in index.items()
    }


def _normal_word(word: str) -> str:
    # Same shape as the vocabulary's surface forms: no apostrophes ("can't" is
    # "cant"), and only letters, digits and marks.
    for apostrophe in _APOSTROPHES:
        word = word.replace(apostrophe, "")
    if not word.isalnum():
        word = "".join(ch for ch in word if unicodedata.category(ch)[0] in "LNM")
    return word


def _prose(markdown: str) -> Iterator[tuple[str, str, bool]]:
    """Yield (text, visible character before it, may hold hashtags) pieces.

    An empty text piece marks a boundary that phrases must not cross.
    """
    for block in _markdown().parse(markdown):
        if block.type != "inline" or not block.children:
            continue
        yield "", "", False
        before = ""
        links = 0
        autolink = False
        for child in block.children:
            kind = child.type
            if kind == "text":
                # An autolink's text is its URL: no tags, and no phrase across it.
                yield ("", before, False) if autolink else (child.content, before, links == 0)
                before = child.content[-1:] or before
            elif kind == "text_special":
                # An escaped "\#" or an entity: visible, but never a hashtag.
                yield child.content, before, False
                before = child.content[-1:] or before
            elif kind in ("softbreak", "hardbreak"):
                yield "\n", before, False
                before = "\n"
            elif kind == "link_open":
                links += 1
                autolink = _is_autolink(child)
            elif kind == "link_close":
                links -= 1
                autolink = False
            elif kind in ("code_inline", "image", "html_inline"):
                yield "", before, False
                before = child.content[-1:] if kind == "code_inline" else _NOT_A_WORD
                before = before or _NOT_A_WORD


def _is_autolink(token: Token) -> bool:
    return token.markup == "autolink" or token.info == "auto"


def _hashtags(text: str, before: str) -> Iterator[re.Match[str]]:
    context = before + text
    for match in _HASHTAG.finditer(context, len(before)):
        start = match.start()
        if unicodedata.category(context[start - 1 : start] or " ")[0] == "M":
            continue  # "#" right after a combining mark is inside a word
        yield match


def _phrases(text: str, index: Mapping[str, tuple[Phrase, ...]]) -> Iterator[tuple[str, str]]:
    """Yield (slug, surface as written) for each vocabulary phrase in text."""
    folded = fold(text)
    words = [(_normal_word(m.group()), m.start(), m.end()) for m in _WORD.finditer(folded)]
    position = 0
    while position < len(words):
        step = 1
        for phrase, slug in index.get(words[position][0], ()):
            end = position + len(phrase)
            if end > len(words):
                continue
            if all(words[position + k][0] == word for k, word in enumerate(phrase)) and all(
                _PHRASE_GAP.fullmatch(folded, words[k][2], words[k + 1][1])
                for k in range(position, end - 1)
            ):
                surface = folded[words[position][1] : words[end - 1][2]]
                yield slug, " ".join(surface.split())
                step = len(phrase)
                break
        position += step


def _hashtag_suggestion(body: str, vocabulary: Vocabulary, taken: set[str]) -> Suggestion | None:
    try:
        tag = canonical_tag(body, vocabulary)
    except TagError:
        return None
    # "#123" is a number, not a topic; "#2024-goals" is a topic.
    if tag in taken or not any(char.isalpha() for char in tag):
        return None
    taken.add(tag)
    return Suggestion(tag, f"#{body} in the text", "hashtag")


def suggest_tags(
    markdown: str,
    vocabulary: Vocabulary | None = None,
    *,
    existing: Iterable[str] = (),
) -> list[Suggestion]:
    """Suggest tags for a story from its hashtags and vocabulary words.

    Hashtags come first, then vocabulary words, each in order of first
    appearance. A hashtag counts only in prose: not in code, link text or
    URLs, autolinks or e-mail addresses; not in the middle of a word
    (``C#``); not when it is all digits (``#123``) or escaped (``\\#1``).
    Vocabulary words match whole words and phrases, case-insensitively,
    outside code.

    Args:
        markdown: The story as the writer typed it.
        vocabulary: The vocabulary to use; the shipped one when omitted.
        existing: Tags the story already carries; they are not suggested
            again (compared after canonicalisation; invalid ones are ignored).

    Returns:
        At most :data:`MAX_SUGGESTIONS` distinct suggestions.
    """
    if vocabulary is None:
        vocabulary = Vocabulary.load()
    taken: set[str] = set()
    for tag in existing:
        try:
            taken.add(canonical_tag(tag, vocabulary))
        except TagError:
            continue

    hashtags, segments = _scan(sanitize_text(markdown), vocabulary, taken)
    suggestions = hashtags[:MAX_SUGGESTIONS]
    index = _phrase_index(vocabulary)
    for segment in segments:
        for slug, surface in _phrases(segment, index):
            if len(suggestions) >= MAX_SUGGESTIONS:
                return suggestions
            if slug not in taken:
                taken.add(slug)
                suggestions.append(Suggestion(slug, f'mentions "{surface}"', "vocabulary"))
    return suggestions


def _scan(
    markdown: str, vocabulary: Vocabulary, taken: set[str]
) -> tuple[list[Suggestion], list[str]]:
    """Collect hashtag suggestions and the prose segments to search for words.

    Tags found are added to ``taken``. Segments are separated wherever a
    phrase must not continue: between blocks, at code spans and at hashtags.
    """
    hashtags: list[Suggestion] = []
    segments: list[str] = []
    current: list[str] = []
    for text, before, may_tag in _prose(markdown):
        if not text:
            segments.append("".join(current))
            current = []
            continue
        if not may_tag:
            current.append(text)
            continue
        shift = len(before)
        position = 0
        for match in _hashtags(text, before):
            # The words of a hashtag are the writer's own tag; they neither
            # suggest vocabulary terms nor join a phrase across it.
            current.append(text[position : match.start() - shift])
            segments.append("".join(current))
            current = []
            position = match.end() - shift
            suggestion = _hashtag_suggestion(match.group(1), vocabulary, taken)
            if suggestion is not None:
                hashtags.append(suggestion)
        current.append(text[position:])
    segments.append("".join(current))
    return hashtags, segments
