"""One segment of the full-text index: its words, sealing, building and merging.

A segment indexes a batch of saved story versions, each named by its ``seq``
(the store-wide save-order number, never reused). It is immutable: a story
edited or deleted later simply stops being live, and the next merge leaves
it out. Its byte layout, and the opened :class:`Segment` with its prefix
lookup, are in :mod:`storycircle.journal.search_layout`.

The whole is sealed with ChaCha20-Poly1305 under a key derived from the
member's journal keys and bound to the member and the segment id, so a
segment cannot be read, changed or moved to another member or row.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from itertools import pairwise

from storycircle.journal.search_layout import Part, Segment, SegmentError, bitmap_of, encode
from storycircle.sealing.keys import ScopeKeys, SealError, hkdf

__all__ = [
    "INDEX_INFO",
    "Segment",
    "SegmentError",
    "build",
    "index_keys",
    "merge",
    "open_segment",
    "seal_segment",
    "words_of",
]

INDEX_INFO = b"storycircle/search-index/v1"
_WORD = re.compile(r"\w+")


def words_of(text: str) -> set[str]:
    """The distinct case-folded words of ``text``."""
    return set(_WORD.findall(text.casefold()))


def index_keys(journal: ScopeKeys) -> ScopeKeys:
    """The keys that seal a member's index segments, derived from their journal keys."""
    return ScopeKeys.from_secret("search-index", hkdf(journal.summary_key, INDEX_INFO))


def _context(member_id: str, segment_id: str) -> bytes:
    return b"storycircle/search-segment/v1\x00" + f"{member_id}\x00{segment_id}".encode()


def seal_segment(keys: ScopeKeys, member_id: str, segment_id: str, plain: bytes) -> bytes:
    """Seal a laid-out segment for one member's index row."""
    return keys.seal(plain, _context(member_id, segment_id))


def open_segment(keys: ScopeKeys, member_id: str, segment_id: str, sealed: bytes) -> Segment:
    """Open and parse a sealed segment.

    Raises:
        SegmentError: it does not authenticate for this member and row, or is malformed.
    """
    try:
        plain = keys.open(sealed, _context(member_id, segment_id))
    except SealError:
        raise SegmentError("segment does not authenticate") from None
    return Segment(segment_id, plain)


def build(docs: Iterable[tuple[int, Iterable[str]]]) -> bytes | None:
    """Lay out a segment of ``(seq, words)`` pairs; None when there are none."""
    ordered = sorted(dict(docs).items())
    if not ordered:
        return None
    postings: dict[str, array] = {}  # type: ignore[type-arg]
    seqs = array("I")
    for seq, words in ordered:
        seqs.append(seq)
        for word in words:
            found = postings.get(word)
            if found is None:
                found = postings[word] = array("I")
            found.append(seq)
    terms = sorted(postings)
    return encode(seqs, terms, [postings[term] for term in terms])


def merge(segments: Sequence[Segment], live: set[int]) -> bytes | None:
    """Lay out one segment holding the live stories of ``segments``.

    Stories no longer live (edited since, or deleted) are left out: this is
    where their words leave the index. None when nothing of them is live.
    """
    docs = sorted({seq for segment in segments for seq in segment.docs if seq in live})
    if not docs:
        return None
    base, span = docs[0], docs[-1] - docs[0] + 1
    alive = bitmap_of(docs, base, span)
    ordered = sorted(segments, key=lambda segment: segment.base)
    disjoint = all(a.docs[-1] < b.docs[0] for a, b in pairwise(ordered))
    dead = sum(len(segment.docs) for segment in segments) != len(docs)
    numbers = [{term: n for n, term in enumerate(segment.terms)} for segment in ordered]
    terms: list[str] = []
    parts: list[Part] = []
    for term in sorted(set().union(*(segment.terms for segment in ordered))):
        found = [
            (segment, segment.part(number[term]))
            for segment, number in zip(ordered, numbers, strict=True)
            if term in number
        ]
        part = _merged_part(found, base, span, alive, live, disjoint=disjoint, dead=dead)
        if part:
            terms.append(term)
            parts.append(part)
    return encode(docs, terms, parts)


def _merged_part(
    found: list[tuple[Segment, Part]],
    base: int,
    span: int,
    alive: int,
    live: set[int],
    *,
    disjoint: bool,
    dead: bool,
) -> Part:
    if all(not isinstance(part, int) for _, part in found):
        arrays = [part for _, part in found if not isinstance(part, int)]
        if disjoint:
            merged = array("I")
            for values in arrays:
                merged.extend(values)
        else:
            merged = array("I", sorted(set().union(*arrays)))
        if dead:
            merged = array("I", [seq for seq in merged if seq in live])
        return merged
    bits = 0
    for segment, part in found:
        if isinstance(part, int):
            shift = segment.base - base
            bits |= part << shift if shift >= 0 else part >> -shift
        else:
            bits |= bitmap_of((seq for seq in part if base <= seq < base + span), base, span)
    return bits & alive
