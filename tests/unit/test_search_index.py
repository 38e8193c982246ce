"""Full-text search: sealed segments, the persistent index, the library and the CLI path."""

from __future__ import annotations

import json
import random
import threading
from array import array
from pathlib import Path
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storycircle import vault
from storycircle.errors import StoreError
from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.journal.preferences import Preferences
from storycircle.journal.search_index import (
    MAX_SEGMENTS,
    SearchIndex,
    rebuild,
    search_journal,
)
from storycircle.journal.search_matches import LiveStories
from storycircle.journal.search_segments import (
    Segment,
    SegmentError,
    build,
    index_keys,
    merge,
    open_segment,
    seal_segment,
    words_of,
)
from storycircle.models import JOURNAL_SCOPE, SEARCH_LIMIT
from storycircle.reading.library import Library
from storycircle.store import Store
from tests.support.people import FakeClock, make_member


def _opened(store: Store, member: UnlockedMember) -> SearchIndex:
    index = SearchIndex(member)
    assert index.load(store)
    return index


def _ids(index: SearchIndex, text: str) -> list[str]:
    matches = index.search(text)
    assert matches is not None
    return [story_id for _, story_id, _ in matches.stories()]


def test_words_are_case_folded_and_split_on_punctuation() -> None:
    assert words_of("Slept. Well, finally—REALLY") == {"slept", "well", "finally", "really"}


def test_a_segment_round_trips_and_matches_by_prefix() -> None:
    plain = build([(5, {"river", "rivet"}), (7, {"tea"}), (9, {"river"})])
    assert plain is not None
    segment = Segment("s1", plain)
    assert segment.terms == ["river", "rivet", "tea"]
    assert list(segment.docs) == [5, 7, 9]
    bits, arrays = segment.match("riv")
    found = {segment.base + n for n in range(segment.span) if bits >> n & 1}
    found |= {seq for values in arrays for seq in values}
    assert found == {5, 9}
    assert segment.prefixed("zz") == range(3, 3)


def test_a_sealed_segment_opens_only_for_its_member_and_row(member: UnlockedMember) -> None:
    keys = index_keys(member.journal)
    plain = build([(1, {"river"})])
    assert plain is not None
    sealed = seal_segment(keys, member.id, "a", plain)
    assert b"river" not in sealed
    assert open_segment(keys, member.id, "a", sealed).terms == ["river"]
    with pytest.raises(SegmentError):
        open_segment(keys, member.id, "b", sealed)  # moved to another row
    with pytest.raises(SegmentError):
        open_segment(keys, "someone-else", "a", sealed)
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(SegmentError):
        open_segment(keys, member.id, "a", damaged)


def _matched(segment: Segment, prefix: str) -> set[int]:
    bits, arrays = segment.match(prefix)
    found = {segment.base + n for n in range(segment.span) if bits >> n & 1}
    return found | {seq for values in arrays for seq in values}


@pytest.mark.parametrize(("stride", "array_kind"), [(1, 2), (200, 0)])
def test_prefix_lookup_equals_brute_force_with_stored_prefix_unions(
    stride: int, array_kind: int
) -> None:
    # 600 stories over a skewed vocabulary: common words become bitmaps, rare
    # ones arrays, and prefixes over many rare words get a stored union. Over
    # at most 65,536 seqs the arrays are short (uint16 from the base, kind 2);
    # spread wider (stride 200), full uint32 seqs (kind 0).
    rng = random.Random(5)
    vocabulary = [f"{a}{b}{n}" for a in "sat" for b in "lo" for n in range(40)]
    docs = {
        seq: {rng.choice(vocabulary[: 1 + rng.randrange(len(vocabulary))]) for _ in range(6)}
        for seq in range(10, 10 + 600 * stride, stride)
    }
    plain = build(docs.items())
    assert plain is not None
    segment = Segment("s", plain)
    kinds = {segment._kinds[n] for n in range(len(segment.terms))}
    if stride == 1:
        assert segment._prefixes, "the test needs stored prefix unions"
        assert kinds == {array_kind, 1}, "the test needs both bitmaps and arrays"
    else:
        assert kinds == {array_kind}  # so sparse over so wide a span: arrays only
    prefixes = {term[:n] for term in vocabulary for n in range(1, len(term) + 1)} | {"x", "s9"}
    for prefix in sorted(prefixes):
        expected = {seq for seq, words in docs.items() if any(w.startswith(prefix) for w in words)}
        assert _matched(segment, prefix) == expected, prefix
    gone = set(sorted(docs)[:2] + sorted(docs)[290:291])
    merged = merge([segment], set(docs) - gone)
    assert merged is not None
    again = Segment("m", merged)
    for prefix in ("s", "sl", "so1", "t", "al3"):
        assert _matched(again, prefix) == _matched(segment, prefix) - gone, prefix


def test_segments_of_the_earlier_format_still_open() -> None:
    # Before short arrays, segments were "SCX1" with kinds 0 and 1: the same
    # layout as a wide segment of today's format.
    plain = build([(1, {"river", "tea"}), (80_000, {"river"})])
    assert plain is not None and plain[:4] == b"SCX2"
    earlier = Segment("old", b"SCX1" + plain[4:])
    assert _matched(earlier, "riv") == {1, 80_000} and _matched(earlier, "te") == {1}
    short = build([(n, {"river"} | ({"tea"} if n == 5 else set())) for n in range(1, 200)])
    assert short is not None
    assert 2 in Segment("new", short)._kinds
    with pytest.raises(SegmentError):
        Segment("bad", b"SCX1" + short[4:])  # a short array in the earlier format


def test_dead_segments_far_apart_are_rewritten_one_at_a_time(member: UnlockedMember) -> None:
    # Merged together they would span more than 65,536 seqs and lose their
    # short (2-byte) posting arrays, so each is rewritten alone.
    index = SearchIndex(member)
    near, far = build([(1, {"a"}), (2, {"b"})]), build([(70_000, {"a"}), (70_001, {"b"})])
    assert near is not None and far is not None
    index._segments = [Segment("near", near), Segment("far", far)]
    index._live.put(1, "x", 1)
    index._live.put(70_000, "y", 1)
    assert [s.id for s in index.merge_plan()] == ["near"]
    index._segments = [index._segments[1]]
    assert [s.id for s in index.merge_plan()] == ["far"]


def test_merge_keeps_live_postings_in_both_forms() -> None:
    # 200 stories: "common" is in all (a bitmap), "rare" in two (an array).
    first = build([(n, {"common"} | ({"rare"} if n == 3 else set())) for n in range(1, 101)])
    second = build([(n, {"common"} | ({"rare"} if n == 150 else set())) for n in range(101, 201)])
    assert first is not None and second is not None
    live = set(range(1, 201)) - {3, 50}
    merged = merge([Segment("a", first), Segment("b", second)], live)
    assert merged is not None
    segment = Segment("m", merged)
    assert set(segment.docs) == live
    common = segment.part(segment.terms.index("common"))
    assert isinstance(common, int) and common.bit_count() == len(live)
    # "rare" is in two stories: its part is an array, not a bitmap.
    rare = cast("array[int]", segment.part(segment.terms.index("rare")))
    assert list(rare) == [150]


def test_the_index_persists_and_follows_saves_edits_and_deletes(file_store: Store) -> None:
    member = make_member(file_store)
    journal = Journal(file_store, member, clock=FakeClock())
    first = journal.save(title="Morning", body="I walked to the river.", tags=["hope"]).story
    second = journal.save(title="Evening", body="Tea with my sister.").story
    index = _opened(file_store, member)
    assert _ids(index, "river") == [first.id]
    assert _ids(index, "sis") == [second.id]  # a prefix
    assert _ids(index, "ho") == [first.id]  # tags are words too
    assert index.search("!!!") is None  # no word to look for
    # A save through the index adds one small segment; an edit replaces the old words.
    third = journal.save(title="Later", body="Back at the river.").story
    index.saved(file_store, third)
    edited = journal.save(
        title="Morning", body="mountains", story_id=first.id, base_version=1
    ).story
    index.saved(file_store, edited)
    assert _ids(index, "river") == [third.id]
    assert _ids(index, "mount") == [first.id]
    journal.delete(second.id)
    index.deleted(second.id)
    assert _ids(index, "tea") == []
    # Reopened (the next unlock): the same answers, from the sealed segments.
    again = _opened(file_store, member)
    for word in ("river", "mount", "tea", "sis", "morning"):
        assert _ids(again, word) == _ids(index, word)


def test_stories_saved_without_the_index_are_caught_up(file_store: Store) -> None:
    member = make_member(file_store)
    journal = Journal(file_store, member, clock=FakeClock())
    journal.save(title="one", body="river")
    _opened(file_store, member)
    assert len(list(file_store.search.segments(member.id))) == 1
    late = journal.save(title="two", body="river bank").story  # e.g. `storycircle write`
    index = _opened(file_store, member)
    assert _ids(index, "bank") == [late.id]
    assert len(list(file_store.search.segments(member.id))) == 2


def test_a_damaged_segment_is_replaced_and_rebuild_starts_over(file_store: Store) -> None:
    member = make_member(file_store)
    journal = Journal(file_store, member, clock=FakeClock())
    story = journal.save(title="t", body="river").story
    _opened(file_store, member)
    [(segment_id, _)] = list(file_store.search.segments(member.id))
    file_store._conn.execute("UPDATE search_segments SET blob = x'00' WHERE id = ?", (segment_id,))
    index = _opened(file_store, member)
    assert _ids(index, "river") == [story.id]
    assert [s for s, _ in file_store.search.segments(member.id)] != [segment_id]
    assert _ids(rebuild(file_store, member), "river") == [story.id]
    assert len(list(file_store.search.segments(member.id))) == 1


def test_merging_purges_deleted_words_and_bounds_the_segments(file_store: Store) -> None:
    member = make_member(file_store)
    journal = Journal(file_store, member, clock=FakeClock())
    index = _opened(file_store, member)
    saved = []
    for n in range(MAX_SEGMENTS + 3):
        story = journal.save(title=f"s{n}", body=f"river word{n}").story
        index.saved(file_store, story)
        saved.append(story)
    journal.delete(saved[0].id)
    index.deleted(saved[0].id)
    assert index.segment_count == MAX_SEGMENTS + 3
    while index.merge(file_store):
        pass
    assert index.segment_count <= MAX_SEGMENTS // 2 + 1
    assert index.merge_plan() == []
    keys = index_keys(member.journal)
    terms = set()
    for segment_id, sealed in file_store.search.segments(member.id):
        terms.update(open_segment(keys, member.id, segment_id, sealed).terms)
    assert "word0" not in terms and "word1" in terms
    assert _ids(index, "river") == [s.id for s in reversed(saved[1:])]


def test_concurrent_saves_during_a_load_are_kept(file_store: Store) -> None:
    member = make_member(file_store)
    journal = Journal(file_store, member, clock=FakeClock())
    for n in range(30):
        journal.save(title=f"s{n}", body="river")
    assert file_store.path is not None
    index = SearchIndex(member)
    path = file_store.path

    def load() -> None:
        store = Store.open(path)
        try:
            index.load(store)
        finally:
            store.close()

    worker = threading.Thread(target=load)
    worker.start()
    late = journal.save(title="late", body="river delta").story
    index.saved(file_store, late)
    worker.join()
    assert _ids(index, "delta") == [late.id]
    assert len(_ids(index, "river")) == 31


def test_library_searches_inside_stories_once_the_index_is_open(
    store: Store, member: UnlockedMember, tmp_path: Path
) -> None:
    journal = Journal(store, member, clock=FakeClock())
    story = journal.save(title="Morning", body="I walked to the river.").story
    library = Library(tmp_path, journal, Preferences(), store=store)
    library.summaries(JOURNAL_SCOPE)  # listed, as the screen's worker does
    assert library.find(JOURNAL_SCOPE, "river") == []  # titles and tags only
    index = library.start_text_index()
    assert index is not None and index.load(store)
    assert [s.id for s in library.find(JOURNAL_SCOPE, "river")] == [story.id]
    later = journal.save(title="Later", body="Back at the river.", tags=["hope"]).story
    library.story_saved(later)
    assert [s.id for s in library.find(JOURNAL_SCOPE, "riv")] == [later.id, story.id]
    assert [s.id for s in library.find(JOURNAL_SCOPE, "river", tag="hope")] == [later.id]
    library.story_deleted(story.id)
    assert [s.id for s in library.find(JOURNAL_SCOPE, "river")] == [later.id]
    noted = journal.save(title="Hard", body="river", content_notes=["alcohol"]).story
    library.story_saved(noted)
    library.set_preferences(Preferences(hidden_notes=("alcohol",)))
    assert noted.id not in {s.id for s in library.find(JOURNAL_SCOPE, "river")}
    assert library.text_matches == 2  # matched; one is hidden by the filter


def test_library_search_lists_an_edited_story_as_it_is_now(
    store: Store, member: UnlockedMember, tmp_path: Path
) -> None:
    # Rows come from the journal's listing cache, and for stories saved since
    # from what was saved: never an older version's row.
    journal = Journal(store, member, clock=FakeClock())
    story = journal.save(title="Morning", body="I walked to the river.").story
    library = Library(tmp_path, journal, Preferences(), store=store)
    library.summaries(JOURNAL_SCOPE)
    index = library.start_text_index()
    assert index is not None and index.load(store)
    edited = journal.save(
        title="Evening", body="Back from the river.", story_id=story.id, base_version=1
    ).story
    library.story_saved(edited)
    assert [(s.title, s.version) for s in library.find(JOURNAL_SCOPE, "river")] == [("Evening", 2)]
    library.summaries(JOURNAL_SCOPE)  # listed again, as the screen does on return
    assert [(s.title, s.version) for s in library.find(JOURNAL_SCOPE, "back")] == [("Evening", 2)]


def test_library_lists_at_most_the_newest_matches(
    store: Store, member: UnlockedMember, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storycircle.reading.library.SEARCH_LIMIT", 3)
    journal = Journal(store, member, clock=FakeClock())
    ids = [journal.save(title=f"s{n}", body="tea").story.id for n in range(5)]
    library = Library(tmp_path, journal, Preferences(), store=store)
    library.summaries(JOURNAL_SCOPE)
    index = library.start_text_index()
    assert index is not None and index.load(store)
    assert [s.id for s in library.find(JOURNAL_SCOPE, "tea")] == ids[::-1][:3]
    assert library.text_matches == 5
    assert SEARCH_LIMIT >= 100


def test_search_journal_lists_newest_first_and_refuses_no_words(
    store: Store, member: UnlockedMember
) -> None:
    journal = Journal(store, member, clock=FakeClock())
    inside = journal.save(title="Morning", body="I walked to the RIVER.").story
    titled = journal.save(title="River days", body="nothing").story
    tagged = journal.save(title="t", body="x", tags=["river-walks"]).story
    journal.save(title="Other", body="tea")
    found = search_journal(store, member, "river")
    assert [s.id for s in found] == [tagged.id, titled.id, inside.id]
    assert found[0].tags == ("river-walks",)
    assert search_journal(store, member, "kettle") == []
    with pytest.raises(Exception, match="at least one word"):
        search_journal(store, member, "?!")


# -- the property: the persistent index answers as a brute-force search does --------

WORDS = ["river", "rivet", "riverbank", "sleep", "slept", "tea", "teal", "a", "ab"]
QUERIES = ["r", "riv", "river", "rivers", "sle", "slept", "t", "tea", "a", "ab", "zz", "riv tea"]
_TEXT = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("save"), _TEXT),
        st.tuples(st.just("edit"), st.integers(0, 50), _TEXT),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("import"), st.lists(_TEXT, min_size=1, max_size=4)),
        st.tuples(st.just("merge")),
        st.tuples(st.just("reopen")),
    ),
    max_size=12,
)


def _expected(store: Store, member: UnlockedMember, texts: dict[str, str], query: str) -> list[str]:
    newest = [row[1] for row in sorted(store.search.journal_rows(member.id), reverse=True)]
    wanted = words_of(query)
    return [
        story_id
        for story_id in newest
        if all(any(w.startswith(q) for w in words_of(texts[story_id])) for q in wanted)
    ]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS)
def test_persistent_index_equals_brute_force_after_any_operations(
    ops: list[tuple[object, ...]],
) -> None:
    store = Store.memory()
    member = make_member(store)
    journal = Journal(store, member, clock=FakeClock())
    index = _opened(store, member)
    texts: dict[str, str] = {}
    versions: dict[str, int] = {}
    for op in ops:
        kind = op[0]
        if kind == "save":
            story = journal.save(title="t", body=" ".join(op[1])).story  # type: ignore[arg-type]
            index.saved(store, story)
        elif kind == "edit" and versions:
            story_id = sorted(versions)[op[1] % len(versions)]  # type: ignore[operator]
            story = journal.save(
                title="t", body="x " + " ".join(op[2]), story_id=story_id,  # type: ignore[arg-type]
                base_version=versions[story_id],
            ).story  # fmt: skip
            index.saved(store, story)
        elif kind == "delete" and versions:
            story_id = sorted(versions)[op[1] % len(versions)]  # type: ignore[operator]
            journal.delete(story_id)
            index.deleted(story_id)
            del versions[story_id], texts[story_id]
            continue
        elif kind == "import":
            with journal.batch():  # saved without telling the index, like an import
                for words in op[1]:  # type: ignore[attr-defined]
                    story = journal.save(title="t", body=" ".join(words)).story
                    texts[story.id] = "t " + story.body
                    versions[story.id] = story.version
            continue
        elif kind == "merge":
            index.merge(store)
            continue
        elif kind == "reopen":
            index = _opened(store, member)
            continue
        else:
            continue
        texts[story.id] = "t " + story.body
        versions[story.id] = story.version
    fresh = _opened(store, member)
    for query in QUERIES:
        expected = _expected(store, member, texts, query)
        assert _ids(fresh, query) == expected, query
        # The long-lived index missed the imports until it is opened again.
        assert set(_ids(index, query)) <= set(expected), query
    store.close()


# Ids that run into each other when written one after another ("a" + "ab"
# holds "aa", "aab" and "ba"): a match counts only on an id's own bounds.
_LIVE_IDS = ["a", "aa", "ab", "b", "ba", "aab", "bab", "s1", "s11", "1s"]
_LIVE_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("put"),
            st.integers(0, 40),
            st.sampled_from(_LIVE_IDS),
            st.integers(1, 5),
        ),
        st.tuples(st.just("remove"), st.sampled_from(_LIVE_IDS)),
        st.tuples(
            st.just("extend"),
            st.lists(st.tuples(st.integers(0, 80), st.sampled_from(_LIVE_IDS)), max_size=4),
        ),
    ),
    max_size=40,
)


def _put(live: LiveStories, model: dict[int, tuple[str, int]], seq: int, story: str) -> None:
    # As the index does: a story is live under one seq.
    for old in [k for k, v in model.items() if v[0] == story]:
        del model[old]
    live.remove(story)
    model[seq] = (story, seq % 7)


@settings(max_examples=300, deadline=None)
@given(ops=_LIVE_OPS)
def test_live_stories_answer_as_a_dict_of_seqs_does(ops: list[tuple[object, ...]]) -> None:
    # The compact arrays must say what the dict they replace said.
    live = LiveStories()
    model: dict[int, tuple[str, int]] = {}
    for op in ops:
        if op[0] == "put":
            seq, story, version = op[1], op[2], op[3]
            assert isinstance(seq, int) and isinstance(story, str) and isinstance(version, int)
            _put(live, model, seq, story)
            model[seq] = (story, version)
            live.put(seq, story, version)
        elif op[0] == "extend":
            rows = dict(op[1])  # type: ignore[call-overload]
            fresh: dict[int, str] = {}
            for seq, story in rows.items():  # distinct seqs and stories, as a load has
                if story not in fresh.values() and story not in {v[0] for v in model.values()}:
                    fresh[seq] = story
            fresh = {seq: story for seq, story in fresh.items() if seq not in model}
            live.extend((seq, story, seq % 7) for seq, story in fresh.items())
            model.update({seq: (story, seq % 7) for seq, story in fresh.items()})
        else:
            story = op[1]
            assert isinstance(story, str)
            gone = [k for k, v in model.items() if v[0] == story]
            assert live.remove(story) == (gone[0] if gone else None)
            for old in gone:
                del model[old]
    assert list(live.seqs()) == sorted(model)
    assert len(live) == len(model)
    assert live.ids() == [model[seq][0] for seq in sorted(model)]
    for seq in range(-1, 82):
        assert live.get(seq) == model.get(seq)
        assert (seq in live) == (seq in model)
    wanted = range(81, -2, -2)  # descending, as matches are read
    assert list(live.newest(wanted)) == [(q, *model[q]) for q in wanted if q in model]
    for story in [*_LIVE_IDS, "", "c", "aaa"]:
        found = [k for k, v in model.items() if v[0] == story]
        assert live.seq_of(story) == (found[0] if found else None)
    assert live.last() == max(model, default=-1)


def test_opening_stops_when_cancelled_and_the_next_open_goes_on(file_store: Store) -> None:
    member = make_member(file_store)
    journal = Journal(file_store, member, clock=FakeClock())
    story = journal.save(title="t", body="river").story
    index = SearchIndex(member)
    assert index.load(file_store, cancelled=lambda: True) is False
    assert not index.ready and index.search("river") is None
    assert _ids(_opened(file_store, member), "river") == [story.id]


def test_a_segment_that_cannot_be_written_does_not_fail_the_save(
    file_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = make_member(file_store)
    journal = Journal(file_store, member, clock=FakeClock())
    index = _opened(file_store, member)
    story = journal.save(title="t", body="river").story

    def full(*args: object, **kwargs: object) -> bool:
        raise StoreError("not saved: the disk is full")

    monkeypatch.setattr(file_store.search, "put_segment", full)
    index.saved(file_store, story)  # no error: the story itself is saved
    assert _ids(index, "river") == [story.id]  # searchable from memory
    monkeypatch.undo()
    assert list(file_store.search.segments(member.id)) == []
    assert _ids(_opened(file_store, member), "river") == [story.id]  # caught up


# -- Journal.search: decrypting every story (kept for callers without an index) -----------


def test_journal_search_looks_inside_stories(journal: Journal) -> None:
    inside = journal.save(title="Morning", body="I walked to the RIVER.").story
    titled = journal.save(title="River days", body="nothing").story
    tagged = journal.save(title="t", body="x", tags=["river-walks"]).story
    journal.save(title="Other", body="tea")
    assert [s.id for s in journal.search("river")] == [tagged.id, titled.id, inside.id]
    assert journal.search("kettle") == []


def test_journal_search_skips_a_story_whose_signature_does_not_hold(
    store: Store, journal: Journal, member: UnlockedMember
) -> None:
    story = journal.save(title="t", body="words").story
    record = store.story(story.id)
    assert record is not None
    fields = json.loads(vault.decrypt(record.blob, member.identities))
    fields["body"] = "planted words"
    forged = vault.encrypt(json.dumps(fields).encode(), [member.own_recipient])
    store._conn.execute("UPDATE stories SET blob = ? WHERE id = ?", (forged, story.id))
    assert journal.search("planted") == []
    assert story.id in journal.damaged


def test_journal_search_refuses_a_blob_moved_between_rows(store: Store, journal: Journal) -> None:
    a = journal.save(title="a", body="first").story
    b = journal.save(title="b", body="second").story
    record_b = store.story(b.id)
    assert record_b is not None
    store._conn.execute("UPDATE stories SET blob = ? WHERE id = ?", (record_b.blob, a.id))
    assert [s.id for s in journal.search("second")] == [b.id]
    assert a.id in journal.damaged


@pytest.mark.parametrize("limit", [1, 2, None])
def test_with_tag_returns_the_newest_up_to_the_limit(journal: Journal, limit: int | None) -> None:
    ids = [journal.save(title=f"s{n}", body="x", tags=["hope"]).story.id for n in range(3)]
    journal.save(title="other", body="x", tags=["sleep"])
    newest_first = list(reversed(ids))
    assert [s.id for s in journal.with_tag("hope", limit=limit)] == newest_first[:limit]
