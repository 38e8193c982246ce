"""The inverted index: posting lists, removal, compaction, score accumulation."""

from __future__ import annotations

from array import array
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycircle.tagging.tag_index import Postings, SlotTable, TagIndex, best

TAGS = ("a", "b", "c", "d", "e", "f")


def build(docs: dict[str, tuple[str, ...]]) -> TagIndex[str, str]:
    index: TagIndex[str, str] = TagIndex({"n": "i", "x": "d"})
    for number, (key, tags) in enumerate(docs.items()):
        index.add(key, tags, key.upper(), (number, number / 2))
    return index


def keys_with(index: TagIndex[str, str], tag: str) -> set[str]:
    return {k for k in map(index.key, index.postings(tag)) if k is not None}


def test_postings_are_sorted_slots_and_df_counts_them() -> None:
    index = build({"x": ("a", "b"), "y": ("b",), "z": ("a", "b", "c")})
    assert list(index.postings("b")) == [0, 1, 2]
    assert list(index.postings("a")) == [0, 2]
    assert index.df("b") == 3
    assert index.df("missing") == 0
    assert list(index.postings("missing")) == []
    assert dict(index.tag_counts()) == {"a": 2, "b": 3, "c": 1}
    assert len(index) == 3
    assert "y" in index
    assert index.tags_of(index.slot("z") or 0) == ("a", "b", "c")


def test_remove_takes_a_story_out_of_every_list() -> None:
    index = build({"x": ("a", "b"), "y": ("b",), "z": ("c",)})
    assert index.remove("x") == 0
    assert keys_with(index, "b") == {"y"}
    assert index.df("a") == 0
    assert "a" not in dict(index.tag_counts())  # no empty lists left behind
    assert index.remove("x") is None
    assert index.key(0) is None
    assert index.waste == 1
    assert list(index.keys()) == ["y", "z"]


def test_adding_a_key_twice_is_refused() -> None:
    index = build({"x": ("a",)})
    with pytest.raises(KeyError):
        index.add("x", ("b",), "X")


def test_items_and_columns_are_stored_by_slot() -> None:
    index = build({"x": ("a",), "y": ("b",)})
    assert [index.item(0), index.item(1)] == ["X", "Y"]
    assert list(index.column("n")) == [0, 1]
    assert list(index.column("x")) == [0.0, 0.5]
    index.column("n")[1] = 7
    index.remove("x")
    assert index.item(0) is None
    assert list(index.items()) == ["Y"]
    index.compact()
    assert list(index.column("n")) == [7]
    assert index.item(0) == "Y"
    short: TagIndex[str, None] = TagIndex({"n": "i"})
    short.add("k", (), None)  # missing values are zero
    assert list(short.column("n")) == [0]


def test_best_keeps_the_largest_sum_plus_bonus() -> None:
    sums = {slot: float(slot % 5) for slot in range(100)}
    bonus = array("d", [0.0] * 100)
    bonus[3] = 10.0
    chosen = best(sums, bonus, 3, headroom=10.0)
    assert chosen[0] == 3 or 3 in chosen
    assert all(sums[s] + bonus[s] >= 4.0 for s in chosen)
    assert best({1: 1.0, 2: 2.0}, bonus, 5, headroom=0.0) == [1, 2]
    ties = best({slot: 1.0 for slot in range(100)}, array("d", [0.0] * 100), 3, headroom=0.0)
    assert len(ties) == 3


def test_compact_renumbers_and_reports_old_slots() -> None:
    index = build({f"k{n}": ("a", "b") if n % 2 else ("a",) for n in range(6)})
    index.remove("k0")
    index.remove("k3")
    old = index.compact()
    assert list(index.column("n")) == [1, 2, 4, 5]
    assert list(old) == [1, 2, 4, 5]
    assert index.waste == 0
    assert index.slot_count == 4
    assert list(index.postings("a")) == [0, 1, 2, 3]
    assert keys_with(index, "b") == {"k1", "k5"}
    assert index.slot("k4") == 2


def test_postings_keep_order_even_when_a_past_slot_is_added() -> None:
    postings = Postings()
    postings.add(5, ["t"])
    postings.add(2, ["t"])
    postings.add(2, ["t"])  # a duplicate is ignored
    assert list(postings.get("t")) == [2, 5]
    postings.remove(9, ["t", "unknown"])  # absent: nothing happens
    assert postings.df("t") == 2


def test_accumulate_sums_weights_rarest_first() -> None:
    index = build({"x": ("a", "b"), "y": ("b",), "z": ("a", "c")})
    sums, unread = index.accumulate(
        [("c", 3.0), ("a", 2.0), ("b", 1.0)], budget=100, min_per_list=1
    )
    assert unread == 0
    by_key = {index.key(slot): value for slot, value in sums.items()}
    assert by_key == {"x": 3.0, "y": 1.0, "z": 5.0}


def test_accumulate_reads_only_the_newest_part_of_long_lists_past_the_budget() -> None:
    index = build({f"k{n:02d}": ("common",) for n in range(50)})
    sums, unread = index.accumulate([("common", 1.0)], budget=10, min_per_list=5)
    assert unread == 1.0
    assert sorted(index.key(s) or "" for s in sums) == [f"k{n:02d}" for n in range(40, 50)]
    sums, _ = index.accumulate([("common", 1.0)], budget=0, min_per_list=5)
    assert len(sums) == 5


def test_accumulate_stops_when_enough_is_found() -> None:
    docs: dict[str, tuple[str, ...]] = {f"r{n}": ("rare", "common") for n in range(3)}
    docs |= {f"c{n}": ("common",) for n in range(20)}
    index = build(docs)
    sums, unread = index.accumulate(
        [("rare", 5.0), ("common", 1.0)], budget=1000, min_per_list=1, enough=2, headroom=1.0
    )
    # Nothing first met in "common" can reach 1 + 1 < 5: that list is skipped.
    assert len(sums) == 3
    assert unread == 1.0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 15), st.sets(st.sampled_from(TAGS), max_size=4)),
        max_size=60,
    )
)
def test_postings_match_a_brute_force_index(ops: list[tuple[bool, int, set[str]]]) -> None:
    index: TagIndex[str, str] = TagIndex()
    truth: dict[str, tuple[str, ...]] = {}
    for add, number, tags in ops:
        key = f"k{number}"
        index.remove(key)
        truth.pop(key, None)
        if add:
            index.add(key, tuple(sorted(tags)), key)
            truth[key] = tuple(sorted(tags))
        if index.waste > 8:
            index.compact()
    assert len(index) == len(truth)
    for tag in TAGS:
        postings = list(index.postings(tag))
        assert postings == sorted(set(postings))
        assert keys_with(index, tag) == {k for k, tags in truth.items() if tag in tags}
    counts = Counter(tag for tags in truth.values() for tag in tags)
    assert dict(index.tag_counts()) == dict(counts)
    weights = [(tag, float(n + 1)) for n, tag in enumerate(TAGS)]
    sums, unread = index.accumulate(weights, budget=10_000, min_per_list=1)
    assert unread == 0
    expected = {
        key: sum(w for tag, w in weights if tag in tags) for key, tags in truth.items() if tags
    }
    assert {index.key(s): v for s, v in sums.items()} == pytest.approx(expected)


# Ints hash to themselves: multiples of 8 and 64 all start at the same place
# in a small table, so probing past taken and freed places is exercised.
_SLOT_KEYS = st.one_of(
    st.integers(0, 4).map(lambda n: n * 64),
    st.integers(0, 40),
    st.tuples(st.sampled_from(("journal", "circle:x")), st.sampled_from(("a", "b", "c"))),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("add", "drop", "compact")), _SLOT_KEYS), max_size=120))
def test_slot_table_answers_as_a_dict_does(ops: list[tuple[str, object]]) -> None:
    keys: list[object | None] = []
    table: SlotTable[object] = SlotTable(keys)
    truth: dict[object, int] = {}
    for op, key in ops:
        if op == "add" and key not in truth:
            keys.append(key)
            table.put(key, len(keys) - 1)
            truth[key] = len(keys) - 1
        elif op == "drop":
            assert table.pop(key) == truth.pop(key, None)
        elif op == "compact":
            keys = [k for k in keys if k in truth]
            truth = {k: n for n, k in enumerate(keys)}
            table.rebuild(keys)
        for slot, held in enumerate(keys):
            if held not in truth:
                keys[slot] = None  # as TagIndex frees a slot
        assert len(table) == len(truth)
    for key in [*truth, -1, 999, ("journal", "z")]:
        assert table.get(key) == truth.get(key)


def test_tag_index_keeps_no_slot_dict() -> None:
    # 100k stories: the key -> slot table is one array, not a dict and an int per story.
    index: TagIndex[str, None] = TagIndex()
    for number in range(2_000):
        index.add(f"s{number}", ("a",), None)
    assert isinstance(index._slot_of, SlotTable)
    assert index._slot_of._table.itemsize * len(index._slot_of._table) <= 4 * 4 * 2_000
    assert [index.slot(f"s{n}") for n in (0, 1_999)] == [0, 1_999] and index.slot("x") is None
