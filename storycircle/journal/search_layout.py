"""The byte layout of a full-text index segment: laying one out, and reading one back.

Kept apart from :mod:`storycircle.journal.search_segments` (words, sealing,
building and merging) so each stays short. Layout before sealing
(little-endian, no Python objects, nothing is ever unpickled)::

    header   "SCX2", base, span, docs, terms, term bytes, data bytes,
             prefixes, prefix bytes                          (4 bytes + 8 x uint32)
    docs     docs x uint32: the seqs indexed, ascending
    terms    the terms, sorted, UTF-8, joined by "\\n" (a term is \\w+)
    kinds    terms x uint8: 0 = posting array, 1 = bitmap, 2 = short array
    ends     terms x uint32: where each term's postings end in ``data``
    data     postings: an array of absolute seqs (uint32), ascending; or, when
             the span is at most 65,536, of seqs less ``base`` (uint16, half
             the size: a segment is held in memory while the journal is
             open); or a bitmap whose bit i is seq ``base + i`` (for terms in
             more than 1/32 of the span, where the bitmap is the smaller)
    prefixes sorted prefixes, UTF-8, joined by "\\n"; then prefixes x uint32
             ends; then one bitmap per prefix: the union of the posting
             arrays of the terms it begins. Stored for the prefixes whose
             arrays hold more than 1/16 of the span of postings in all, so a
             short or common prefix ("s", "sle") costs one bitmap, never a
             walk through thousands of postings.

Segments written before short arrays ("SCX1") have kinds 0 and 1 only and
still open as they are.
"""

from __future__ import annotations

import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence

_MAGIC = b"SCX2"
_MAGICS = (b"SCX1", _MAGIC)
SHORT_SPAN = 1 << 16
"""A segment spanning at most this many seqs stores its posting arrays as uint16."""
_HEADER = struct.Struct("<4s8I")
_BITMAP_RATIO = 32
# Prefix unions for more than 1/16 of the span of postings, not 1/32: at 100k
# stories they took 2.3 MiB of each 20k-story segment, held in memory while
# the journal is open; at 1/16, 0.6 MiB. A prefix below that reads its
# arrays, at most span/16 postings a segment (about 1 ms a query at 100k).
_UNION_RATIO = 16
_SWAP = sys.byteorder != "little"
assert array("I").itemsize == 4, "posting arrays need 32-bit unsigned items"

Part = array | int  # type: ignore[type-arg]
"""A term's postings: an array of absolute seqs, or a bitmap (int) relative to a base."""


class SegmentError(Exception):
    """A segment does not open or is not a segment (damaged, or not ours)."""


def _le(values: array) -> bytes:  # type: ignore[type-arg]
    if _SWAP:
        values = array("I", values)
        values.byteswap()
    return values.tobytes()


def _from_le(data: bytes | memoryview, code: str = "I") -> array:  # type: ignore[type-arg]
    values = array(code)
    values.frombytes(data)
    if _SWAP:
        values.byteswap()
    return values


def _short(values: array, base: int) -> bytes:  # type: ignore[type-arg]
    """Absolute seqs as little-endian uint16 offsets from ``base`` (span <= 65,536)."""
    offsets = array("H", [seq - base for seq in values])
    if _SWAP:
        offsets.byteswap()
    return offsets.tobytes()


def _absolute(chunk: memoryview, base: int) -> array:  # type: ignore[type-arg]
    """The seqs of a short array (uint16 offsets from ``base``)."""
    return array("I", map(base.__add__, _from_le(chunk, "H")))


def bitmap_of(seqs: Iterable[int], base: int, width: int) -> int:
    """The bitmap (bit i = seq ``base + i``) of ``seqs``, all in ``[base, base + width)``."""
    buffer = bytearray((width >> 3) + 1)
    for seq in seqs:
        offset = seq - base
        buffer[offset >> 3] |= 1 << (offset & 7)
    return int.from_bytes(buffer, "little")


def positions(bits: int, base: int = 0) -> array:  # type: ignore[type-arg]
    """The seqs of a bitmap, ascending (for the rare bitmap that becomes an array)."""
    found = array("I")
    text = bin(bits)[:1:-1]  # least significant bit first
    at = text.find("1")
    while at != -1:
        found.append(base + at)
        at = text.find("1", at + 1)
    return found


def encode(docs: Sequence[int], terms: Sequence[str], parts: Sequence[Part]) -> bytes:
    """Lay out a segment.

    Args:
        docs: The seqs indexed, ascending and not empty.
        terms: The terms, sorted and distinct.
        parts: Each term's postings: an array of absolute seqs (ascending) or
            a bitmap relative to ``docs[0]``. Each is stored in the smaller form.
    """
    base, span = docs[0], docs[-1] - docs[0] + 1
    threshold = span // _BITMAP_RATIO
    short = span <= SHORT_SPAN
    kinds = bytearray(len(terms))
    sparse: list[tuple[str, array]] = []  # type: ignore[type-arg]
    ends = array("I")
    chunks: list[bytes] = []
    end = 0
    for number, part in enumerate(parts):
        if isinstance(part, int) and part.bit_count() > threshold:
            kinds[number] = 1
            chunk = part.to_bytes((part.bit_length() + 7) >> 3, "little")
        elif not isinstance(part, int) and len(part) > threshold:
            kinds[number] = 1
            bits = bitmap_of(part, base, span)
            chunk = bits.to_bytes((bits.bit_length() + 7) >> 3, "little")
        else:
            values = positions(part, base) if isinstance(part, int) else part
            kinds[number] = 2 if short else 0
            chunk = _short(values, base) if short else _le(values)
            sparse.append((terms[number], values))
        chunks.append(chunk)
        end += len(chunk)
        ends.append(end)
    unions = _prefix_unions(sparse, base, span, span // _UNION_RATIO)
    union_ends = array("I")
    union_chunks = []
    end = 0
    for _, bits in unions:
        union_chunks.append(bits.to_bytes((bits.bit_length() + 7) >> 3, "little"))
        end += len(union_chunks[-1])
        union_ends.append(end)
    text = "\n".join(terms).encode("utf-8")
    prefix_text = "\n".join(prefix for prefix, _ in unions).encode("utf-8")
    header = _HEADER.pack(
        _MAGIC,
        base,
        span,
        len(docs),
        len(terms),
        len(text),
        sum(len(chunk) for chunk in chunks),
        len(unions),
        len(prefix_text),
    )
    layout = [header, _le(array("I", docs)), text, bytes(kinds), _le(ends), *chunks]
    layout += [prefix_text, _le(union_ends), *union_chunks]
    return b"".join(layout)


def _prefix_unions(
    sparse: list[tuple[str, array]],  # type: ignore[type-arg]
    base: int,
    span: int,
    threshold: int,
) -> list[tuple[str, int]]:
    """Bitmaps of the prefixes under which the posting arrays add up to more
    than ``threshold`` postings (see the module's docstring)."""
    counts: dict[str, int] = {}
    for term, values in sparse:
        for length in range(1, len(term) + 1):
            prefix = term[:length]
            counts[prefix] = counts.get(prefix, 0) + len(values)
    dense = {prefix for prefix, count in counts.items() if count > threshold}
    unions: dict[str, int] = {}
    for term, values in sparse:
        wanted = [term[:n] for n in range(1, len(term) + 1) if term[:n] in dense]
        if wanted:
            bits = bitmap_of(values, base, span)
            for prefix in wanted:
                unions[prefix] = unions.get(prefix, 0) | bits
    return sorted(unions.items())


class Segment:
    """An opened segment: sorted terms for prefix lookup, postings decoded on demand."""

    __slots__ = ("_data", "_ends", "_kinds", "_prefixes", "base", "docs", "id", "span", "terms")

    def __init__(self, segment_id: str, plain: bytes) -> None:
        """Parse an opened segment.

        Raises:
            SegmentError: the bytes are not a well-formed segment.
        """
        view = memoryview(plain)
        try:
            magic, base, span, docs, count, size, data, prefixes, prefix_size = _HEADER.unpack_from(
                view
            )
        except struct.error:
            raise SegmentError("segment too short") from None
        if magic not in _MAGICS or docs == 0:
            raise SegmentError("not a segment")
        at = _HEADER.size
        layout = (4 * docs, size, count, 4 * count, data, prefix_size, 4 * prefixes)
        if at + sum(layout) > len(view):
            raise SegmentError("segment truncated")
        self.id = segment_id
        self.base: int = base
        self.span: int = span
        self.docs = _from_le(view[at : at + layout[0]])
        at += layout[0]
        # Every segment of a journal holds much the same words: each is kept
        # once (interned strings go when the last segment holding them does).
        self.terms = list(map(sys.intern, _lines(view[at : at + size], count)))
        at += size
        self._kinds = bytes(view[at : at + count])
        if self._kinds.translate(None, b"\0\1\2" if magic == _MAGIC else b"\0\1"):
            raise SegmentError("segment is inconsistent")  # a kind this format does not have
        at += count
        self._ends = _from_le(view[at : at + layout[3]])
        at += layout[3]
        self._data = view[at : at + data]
        at += data
        names = _lines(view[at : at + prefix_size], prefixes)
        at += prefix_size
        union_ends = _from_le(view[at : at + layout[6]])
        unions = view[at + layout[6] :]
        if (
            len(self.terms) != count
            or len(names) != prefixes
            or (count and self._ends[-1] != data)
            or (prefixes and union_ends[-1] != len(unions))
            or self.docs[0] != base
            or self.docs[-1] != base + span - 1
        ):
            raise SegmentError("segment is inconsistent")
        self._prefixes = {
            name: unions[union_ends[n - 1] if n else 0 : union_ends[n]]
            for n, name in enumerate(names)
        }

    def _chunk(self, number: int) -> memoryview:
        return self._data[self._ends[number - 1] if number else 0 : self._ends[number]]

    def part(self, number: int) -> Part:
        """The postings of term ``number`` (an array holds absolute seqs)."""
        chunk = self._chunk(number)
        kind = self._kinds[number]
        if kind == 1:
            return int.from_bytes(chunk, "little")
        if len(chunk) % (2 if kind == 2 else 4):
            raise SegmentError("segment is inconsistent")
        return _absolute(chunk, self.base) if kind == 2 else _from_le(chunk)

    def prefixed(self, prefix: str) -> range:
        """The numbers of the terms that start with ``prefix`` (bisection, no scan)."""
        terms = self.terms
        low = bisect_left(terms, prefix)
        high = low
        if low < len(terms) and terms[low].startswith(prefix):
            high = bisect_left(terms, prefix + "\U0010ffff", low)
            while high < len(terms) and terms[high].startswith(prefix):
                high += 1  # a term that continues with U+10FFFF itself
        return range(low, high)

    def match(self, prefix: str) -> tuple[int, list[array]]:  # type: ignore[type-arg]
        """Postings of every term starting with ``prefix``: one bitmap relative
        to :attr:`base` (the terms stored as bitmaps, OR-ed) and the arrays."""
        bits = 0
        arrays = []
        union = self._prefixes.get(prefix)
        if union is not None:
            bits = int.from_bytes(union, "little")  # every posting array under it
        for number in self.prefixed(prefix):
            kind = self._kinds[number]
            if kind == 1:
                bits |= int.from_bytes(self._chunk(number), "little")
            elif union is None:
                chunk = self._chunk(number)
                arrays.append(_absolute(chunk, self.base) if kind == 2 else _from_le(chunk))
        return bits, arrays


def _lines(data: memoryview, count: int) -> list[str]:
    try:
        return bytes(data).decode("utf-8").split("\n") if count else []
    except UnicodeDecodeError:
        raise SegmentError("segment is inconsistent") from None
