"""An in-memory inverted index from tags to the stories that carry them.

Each indexed story gets a *slot*, a small integer handed out in insertion
order and never reused until :meth:`TagIndex.compact`. A tag's posting list is
an ``array('I')`` of slots: four bytes a story instead of a Python object, and
always sorted, because slots only grow. Sorted postings make removal a
binary search plus one ``memmove`` instead of a scan, and make "the newest
part of a list" a cheap slice when stories are added oldest first.

The document frequency of a tag is simply the length of its posting list.

This module knows nothing about stories, scores or encryption; the related
stories ranking (:mod:`storycircle.reading.related`) builds on it. The posting
lists and the key-to-slot table it combines are in
:mod:`storycircle.tagging.postings`.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterator, Mapping, Sequence
from heapq import nlargest
from itertools import compress, repeat
from operator import add, ge
from typing import Any, Generic, TypeVar

from storycircle.tagging.postings import Postings, SlotTable

__all__ = ["Postings", "SlotTable", "TagIndex", "best"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TagIndex(Generic[K, V]):
    """Story keys with their tags, the posting list of each tag, and stored values.

    Besides its tags, each story keeps an *item* (any object, e.g. its summary)
    and one number per *column*, in arrays indexed by slot, so a query reads a
    story's values without a dictionary lookup or a Python object per value.

    Tags are stored as given: canonicalising them is the caller's business.
    Each key's tag tuple is kept by reference (no copy), for removal and for
    looking up what one story carries.
    """

    __slots__ = ("_columns", "_items", "_keys", "_postings", "_slot_of", "_tags")

    def __init__(self, columns: Mapping[str, str] | None = None) -> None:
        """Start empty.

        Args:
            columns: Name and ``array`` type code of each stored number, e.g.
                ``{"day": "i", "prior": "d"}``.
        """
        self._keys: list[K | None] = []
        self._slot_of: SlotTable[K] = SlotTable(self._keys)
        self._tags: list[tuple[str, ...]] = []
        self._items: list[V | None] = []
        self._columns: dict[str, array[Any]] = {
            name: array(code) for name, code in (columns or {}).items()
        }
        self._postings = Postings()

    def __len__(self) -> int:
        """How many stories are indexed."""
        return len(self._slot_of)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is indexed."""
        return self._slot_of.get(key) is not None  # type: ignore[arg-type]

    @property
    def slot_count(self) -> int:
        """How many slots were handed out, live and freed."""
        return len(self._keys)

    def add(self, key: K, tags: tuple[str, ...], item: V, values: Sequence[float] = ()) -> int:
        """Index a story under a new slot.

        Args:
            key: A key not in the index yet.
            tags: Its distinct tags.
            item: What :meth:`item` returns for it.
            values: One number per column, in column order (missing ones are 0).

        Returns:
            The story's slot.

        Raises:
            KeyError: ``key`` is already indexed (remove it first).
        """
        if self._slot_of.get(key) is not None:
            raise KeyError(key)
        slot = len(self._keys)
        self._keys.append(key)
        self._slot_of.put(key, slot)
        self._tags.append(tags)
        self._items.append(item)
        for n, column in enumerate(self._columns.values()):
            column.append(values[n] if n < len(values) else 0)
        self._postings.add(slot, tags)
        return slot

    def remove(self, key: K) -> int | None:
        """Forget a story.

        Returns:
            The slot it had, or ``None`` when it was not indexed.
        """
        slot = self._slot_of.pop(key)
        if slot is None:
            return None
        self._postings.remove(slot, self._tags[slot])
        self._keys[slot] = None
        self._tags[slot] = ()
        self._items[slot] = None
        return slot

    def slot(self, key: K) -> int | None:
        """The slot of ``key``, or ``None`` when it is not indexed."""
        return self._slot_of.get(key)

    def key(self, slot: int) -> K | None:
        """The key in ``slot``, or ``None`` for a freed slot."""
        return self._keys[slot]

    def item(self, slot: int) -> V | None:
        """The item stored with the story in ``slot``, or ``None`` for a freed slot."""
        return self._items[slot]

    def items(self) -> Iterator[V]:
        """Every live item, oldest slot first."""
        return (item for item in self._items if item is not None)

    def column(self, name: str) -> array[Any]:
        """The values of one column by slot (write through it to update a value)."""
        return self._columns[name]

    def tags_of(self, slot: int) -> tuple[str, ...]:
        """The tags of the story in ``slot`` (empty for a freed slot)."""
        return self._tags[slot]

    def postings(self, tag: str) -> array[int]:
        """The sorted slots of the stories carrying ``tag`` (do not modify)."""
        return self._postings.get(tag)

    def df(self, tag: str) -> int:
        """How many stories carry ``tag`` (its document frequency)."""
        return self._postings.df(tag)

    def tag_counts(self) -> Iterator[tuple[str, int]]:
        """Every tag in use with how many stories carry it."""
        return self._postings.terms()

    def accumulate(
        self,
        weighted: Sequence[tuple[str, float]],
        *,
        budget: int,
        min_per_list: int,
        enough: int = 0,
        headroom: float = 0.0,
    ) -> tuple[dict[int, float], float]:
        """Sum the weights of the given tags per slot, reading as little as possible.

        Pass the rarest (heaviest) tags first: their short lists are read
        whole. Two rules then save reading the long lists of common tags:

        * Enough found (the MaxScore rule): when ``enough`` slots already sum
          to more than any slot not seen yet could still reach (the weights
          left plus ``headroom``), the remaining lists cannot bring a
          new slot into the best ``enough`` and are skipped.
        * Budget: once ``budget`` postings were read, a list longer than what
          is left is read only for its last ``min_per_list`` slots (the
          newest stories when they were added oldest first). One call then
          reads at most about ``budget + len(weighted) * min_per_list``
          postings however big the index grows.

        Args:
            weighted: ``(tag, weight)`` pairs, rarest tag first, weights > 0.
            budget: Postings to read in full before lists are cut.
            min_per_list: How much of a cut list is still read.
            enough: How many best slots the caller wants (0: no early stop).
            headroom: The most a slot can score beyond its tag weights.

        Returns:
            ``(sums, unread)``: slot to summed weight for every slot read, and
            the total weight of the lists skipped or cut, which a slot in
            ``sums`` may be missing.
        """
        acc: dict[int, float] = {}
        left = sum(weight for _, weight in weighted)
        unread = 0.0
        for tag, weight in weighted:
            postings = self._postings.get(tag)
            size = len(postings)
            cut = size > budget and size > min_per_list
            if cut:
                size = max(budget, min_per_list)
            # Checking costs a pass over the sums: worth it only before reading more.
            if (
                enough
                and size > len(acc) >= enough
                and nlargest(enough, acc.values())[-1] > left + headroom
            ):
                unread += left
                break
            left -= weight
            if cut:
                postings = postings[len(postings) - size :]
                unread += weight
            budget = max(0, budget - size)
            if not acc:
                acc = dict.fromkeys(postings, weight)  # a whole list in one C call
                continue
            get = acc.get
            for slot in postings:
                acc[slot] = get(slot, 0.0) + weight
        return acc, unread

    def keys(self) -> Iterator[K]:
        """Every indexed key, oldest slot first."""
        return (key for key in self._keys if key is not None)

    @property
    def waste(self) -> int:
        """How many freed slots :meth:`compact` would reclaim."""
        return len(self._keys) - len(self._slot_of)

    def compact(self) -> array[int]:
        """Renumber the live slots 0..n-1, keeping their order.

        Returns:
            ``old``: the old slot of each new slot, for the owner of other
            slot-indexed data (:meth:`Postings.renumber`).
        """
        old = array("I", (slot for slot, key in enumerate(self._keys) if key is not None))
        self._postings.renumber(old, len(self._keys))
        self._keys = [self._keys[s] for s in old]
        self._tags = [self._tags[s] for s in old]
        self._items = [self._items[s] for s in old]
        for name, column in self._columns.items():
            self._columns[name] = array(column.typecode, (column[s] for s in old))
        self._slot_of.rebuild(self._keys)
        return old


def best(sums: dict[int, float], bonus: array[float], width: int, headroom: float) -> list[int]:
    """The slots with the largest ``sums[slot] + bonus[slot]``, about ``width`` of them.

    Ties at the cut are all kept unless there are many; then ``width`` of them.

    Args:
        sums: Slot to summed tag weight (from :meth:`TagIndex.accumulate`).
        bonus: A per-slot addition, at most ``headroom``.
        width: How many to keep.
        headroom: The largest value in ``bonus`` (or more).
    """
    if len(sums) > 4 * width:
        # Cut in C first: a slot whose sum trails the width-th best sum by more
        # than any bonus cannot be among the best by sum + bonus.
        floor = nlargest(width, sums.values())[-1] - headroom
        slots = list(compress(sums, map(ge, sums.values(), repeat(floor))))
    else:
        slots = list(sums)
    if len(slots) <= width:
        return slots
    # The totals are computed in C (map), not in a Python loop.
    totals = list(map(add, map(sums.__getitem__, slots), map(bonus.__getitem__, slots)))
    threshold = nlargest(width, totals)[-1]
    chosen = list(compress(slots, map(ge, totals, repeat(threshold))))
    if len(chosen) > 2 * width:  # a crowd of ties at the threshold
        chosen = [slot for _, slot in nlargest(width, zip(totals, slots, strict=True))]
    return chosen
