"""The words of related stories: tag labels, reasons, and "you are not alone".

Kept apart from the ranking so the wording can change without touching the
scores.
"""

from __future__ import annotations

from dataclasses import dataclass

from storycircle.tagging.vocabulary import Vocabulary
from storycircle.wording import counted


def in_text(label: str) -> str:
    """A vocabulary label as it reads mid-sentence."""
    # "Peer group" reads "peer group" mid-sentence; an acronym ("OCD") stays.
    if label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


@dataclass(frozen=True, slots=True)
class TagInfo:
    """What the vocabulary says about one tag, for wording and scoring."""

    title: str  # in lists: the vocabulary label, else the tag
    words: str  # mid-sentence
    theme: str | None
    hope: bool
    struggle: bool


class Labels:
    """What the vocabulary says about each tag, looked up once per tag."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        """Look tags up in ``vocabulary``."""
        self.vocabulary = vocabulary
        self._themes = {theme.name: theme.label for theme in vocabulary.themes}
        self._cache: dict[str, TagInfo] = {}
        self._slugs: dict[str, str] = {}

    def slug(self, tag: str) -> str:
        """The canonical slug of ``tag`` (synonyms resolved), cached."""
        found = self._slugs.get(tag)
        if found is None:
            found = self._slugs[tag] = self.vocabulary.resolve(tag)
        return found

    def info(self, tag: str) -> TagInfo:
        """Label, theme and hope/struggle markers of ``tag``, cached."""
        found = self._cache.get(tag)
        if found is None:
            vocabulary = self.vocabulary
            term = vocabulary.term(tag)
            if term is None:
                found = TagInfo(tag, tag, None, False, False)
            else:
                hope, struggle = vocabulary.is_hope(tag), vocabulary.is_struggle(tag)
                found = TagInfo(term.label, in_text(term.label), term.theme, hope, struggle)
            self._cache[tag] = found
        return found

    def theme_words(self, theme: str) -> str:
        """A theme's label as it reads mid-sentence."""
        return in_text(self._themes.get(theme, theme))


def reason(labels: Labels, shared: tuple[str, ...], bridge: str | None, hope: int) -> str:
    """Why a story is suggested, e.g. "shares: relapse, shame · a story of hope"."""
    parts: list[str] = []
    if shared:
        words = ", ".join(labels.info(tag).words for tag in shared[:3])
        more = f" and {len(shared) - 3} more" if len(shared) > 3 else ""
        parts.append(f"shares: {words}{more}")
    elif bridge:
        parts.append(f"also about {labels.theme_words(bridge)}")
    if bridge is not None:
        parts.append("a story of hope")
    if hope > 0:
        parts.append(f"gave {hope} {'person' if hope == 1 else 'people'} hope")
    return " · ".join(parts)


def normalization_line(
    tag: str,
    count: int,
    where: str = "your journal and the collections",
    *,
    vocabulary: Vocabulary | None = None,
) -> str | None:
    """Tell a reader they are not alone: "14 stories in your journal … mention relapse".

    Args:
        tag: A canonical tag; the vocabulary's label is used when it has one.
        count: How many stories carry it (:meth:`RelatedIndex.count_with_tag`).
        where: Which stories were counted; empty to leave it out.
        vocabulary: For labels (the shipped one by default).

    Returns:
        The sentence, or None when fewer than two stories carry the tag
        (one story is the reader's own and "1 story" consoles nobody).
    """
    if count < 2:
        return None
    words = Labels(vocabulary or Vocabulary.load()).info(tag).words
    place = f" in {where}" if where else ""
    return f"{counted(count, 'story')}{place} mention {words}"
