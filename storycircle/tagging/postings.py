"""Posting lists and the slot table the tag index is built on.

:class:`Postings` maps terms to sorted arrays of slots; :class:`SlotTable`
maps keys to slots in one array instead of a dict. Kept apart from
:mod:`storycircle.tagging.tag_index` so each stays short: the index combines
them, and the related stories ranking also uses :class:`Postings` on its own.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Hashable, Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["Postings", "SlotTable"]

K = TypeVar("K", bound=Hashable)

_EMPTY: array[int] = array("I")


class Postings:
    """Terms mapped to sorted arrays of slots.

    The caller assigns slots and must add a slot to a term's list at most once,
    in increasing slot order per term (which holds when slots are handed out
    in increasing order).
    """

    __slots__ = ("_lists",)

    def __init__(self) -> None:
        """Start empty."""
        self._lists: dict[str, array[int]] = {}

    def add(self, slot: int, terms: Iterable[str]) -> None:
        """Append ``slot`` to the list of each of ``terms``.

        Args:
            slot: A slot larger than any slot already in those lists.
            terms: Distinct terms.
        """
        lists = self._lists
        for term in terms:
            postings = lists.get(term)
            if postings is None:
                lists[term] = array("I", (slot,))
            elif postings[-1] < slot:
                postings.append(slot)
            else:
                # A slot from the past (only after a caller error); keep the
                # list sorted and free of duplicates anyway.
                at = bisect_left(postings, slot)
                if at == len(postings) or postings[at] != slot:
                    postings.insert(at, slot)

    def remove(self, slot: int, terms: Iterable[str]) -> None:
        """Take ``slot`` out of the list of each of ``terms`` (missing ones are ignored)."""
        lists = self._lists
        for term in terms:
            postings = lists.get(term)
            if postings is None:
                continue
            at = bisect_left(postings, slot)
            if at < len(postings) and postings[at] == slot:
                del postings[at]
                if not postings:
                    # An empty list would still show the tag in the browser.
                    del lists[term]

    def get(self, term: str) -> array[int]:
        """The sorted slots of ``term`` (do not modify); empty when unknown."""
        return self._lists.get(term, _EMPTY)

    def df(self, term: str) -> int:
        """How many slots carry ``term``."""
        postings = self._lists.get(term)
        return 0 if postings is None else len(postings)

    def terms(self) -> Iterator[tuple[str, int]]:
        """Every term with its document frequency, in no particular order."""
        for term, postings in self._lists.items():
            yield term, len(postings)

    def renumber(self, old: array[int], slot_count: int) -> None:
        """Move every slot ``old[n]`` to slot ``n``.

        Args:
            old: Increasing old slots, one per new slot (what
                :meth:`TagIndex.compact` returns), so lists stay sorted
                without sorting them again.
            slot_count: One more than the largest old slot.
        """
        # Freed slots map to 0; they are in no list, so that value is never read.
        new_slot = array("I", [0]) * slot_count
        for new, previous in enumerate(old):
            new_slot[previous] = new
        for term, postings in self._lists.items():
            self._lists[term] = array("I", (new_slot[s] for s in postings))


_FREE = -1
_GONE = -2


class SlotTable(Generic[K]):
    """Key -> slot, where the keys live in the caller's list indexed by slot.

    A dict of 100k keys to slot numbers is about 8 MiB: its entries, and an
    int object per slot above 256. This is an open-addressing hash table of
    slot numbers in one ``array('i')`` (about 1 MiB at 100k) that compares
    a candidate slot's key in ``keys``; probing follows the same perturbed
    sequence CPython's dict uses, so a lookup is one or two probes.
    """

    __slots__ = ("_gone", "_keys", "_live", "_table")

    def __init__(self, keys: list[K | None]) -> None:
        """An empty table over ``keys`` (the caller's list: slot -> key)."""
        self._keys = keys
        self._table: array[int] = array("i", [_FREE]) * 8
        self._live = 0
        self._gone = 0

    def __len__(self) -> int:
        """How many keys are in the table."""
        return self._live

    def _probe(self, key: K) -> Iterator[int]:
        mask = len(self._table) - 1
        perturb = hash(key) & 0xFFFFFFFFFFFFFFFF
        at = perturb & mask
        while True:
            yield at
            perturb >>= 5
            at = (at * 5 + perturb + 1) & mask

    def _find(self, key: K) -> int | None:
        """The table position holding ``key``'s slot, or None."""
        table, keys = self._table, self._keys
        for at in self._probe(key):
            slot = table[at]
            if slot == _FREE:
                return None
            if slot >= 0 and keys[slot] == key:
                return at
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, key: K) -> int | None:
        """The slot of ``key``, or None."""
        at = self._find(key)
        return None if at is None else self._table[at]

    def put(self, key: K, slot: int) -> None:
        """Map ``key`` (already at ``keys[slot]``, and not in the table) to ``slot``."""
        if (self._live + self._gone + 1) * 3 >= len(self._table) * 2:
            self._resize()
        table = self._table
        for at in self._probe(key):
            if table[at] < 0:
                if table[at] == _GONE:
                    self._gone -= 1
                table[at] = slot
                self._live += 1
                return

    def pop(self, key: K) -> int | None:
        """Take ``key`` out; returns its slot, or None."""
        at = self._find(key)
        if at is None:
            return None
        slot = self._table[at]
        self._table[at] = _GONE
        self._live -= 1
        self._gone += 1
        return slot

    def rebuild(self, keys: list[K | None]) -> None:
        """Start over from ``keys`` (every key not None, at its slot)."""
        self._keys = keys
        self._live = sum(1 for key in keys if key is not None)
        self._resize()

    def _resize(self) -> None:
        # At most half full after a resize; put() grows it past two thirds.
        size = 8
        while size < 2 * (self._live + 1):
            size *= 2
        self._table = table = array("i", [_FREE]) * size
        for slot, key in enumerate(self._keys):
            if key is None:
                continue
            for at in self._probe(key):
                if table[at] == _FREE:
                    table[at] = slot
                    break
        self._gone = 0
