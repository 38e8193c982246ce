"""Related stories: ranking, reasons, filters, counts, the tag browser, upkeep."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from storycircle.journal.preferences import Preferences
from storycircle.models import JOURNAL_SCOPE, CollectionStory, Story, StorySummary
from storycircle.reading.related import (
    OTHER_TAGS,
    Key,
    RelatedIndex,
    normalization_line,
    summary_of,
)
from storycircle.reading.related_stories import key_of
from storycircle.tagging.vocabulary import Vocabulary

TODAY = date(2026, 6, 1)
STORIES = Path(__file__).resolve().parents[2] / "stories"


def story(
    story_id: str,
    *tags: str,
    notes: tuple[str, ...] = (),
    created: str = "2026-01-01",
    scope: str = JOURNAL_SCOPE,
) -> StorySummary:
    return StorySummary(
        id=story_id,
        version=1,
        title=story_id.title(),
        tags=tags,
        content_notes=notes,
        created=created,
        updated=created,
        author_id="",
        scope=scope,
        words=10,
    )


def index_of(*stories: StorySummary, **options: object) -> RelatedIndex:
    return RelatedIndex.build(stories, today=TODAY, **options)  # type: ignore[arg-type]


def ranked_ids(index: RelatedIndex, reading: StorySummary, **options: object) -> list[str]:
    return [r.summary.id for r in index.rank(key_of(reading), reading.tags, **options)]  # type: ignore[arg-type]


# -- reasons --------------------------------------------------------------------


def test_reason_names_shared_tags_rarest_first_and_hope() -> None:
    reading = story("reading", "shame", "relapse")
    index = index_of(
        reading,
        story("back", "relapse", "shame", "sober"),
        story("x1", "shame"),
        story("x2", "shame"),
    )
    (first, *_) = index.rank(key_of(reading), reading.tags)
    assert first.summary.id == "back"
    assert first.shared == ("relapse", "shame")  # relapse is the rarer one
    assert first.reason == "shares: relapse, shame · a story of hope"
    assert first.hopeful


def test_reason_uses_labels_mid_sentence_and_keeps_acronyms_and_free_tags() -> None:
    reading = story("reading", "peer-group", "ocd", "night-shifts")
    index = index_of(reading, story("other", "peer-group", "ocd", "night-shifts"))
    (only,) = index.rank(key_of(reading), reading.tags)
    assert only.reason.startswith("shares: ")
    assert set(only.reason.removeprefix("shares: ").split(", ")) == {
        "peer group",
        "OCD",
        "night-shifts",
    }


def test_reason_shortens_long_lists_and_counts_hope_reactions() -> None:
    tags = ("sleep", "anxiety", "work", "music", "art")
    reading = story("reading", *tags)
    index = index_of(reading, story("other", *tags), hope_counts={"other": 1})
    (only,) = index.rank(key_of(reading), reading.tags)
    assert "and 2 more" in only.reason
    assert only.reason.endswith("gave 1 person hope")
    assert only.hope_reactions == 1
    index.set_hope_count(key_of(only.summary), 4)
    assert index.rank(key_of(reading), reading.tags)[0].reason.endswith("gave 4 people hope")


def test_theme_only_hope_story_is_offered_with_the_theme() -> None:
    reading = story("reading", "relapse")
    index = index_of(reading, story("keys", "sober", "gratitude"), story("drink", "alcohol"))
    results = index.rank(key_of(reading), reading.tags)
    assert [r.summary.id for r in results] == ["keys"]
    assert results[0].reason == "also about addiction and substance use · a story of hope"
    assert results[0].shared == ()


# -- scoring --------------------------------------------------------------------


def test_hope_bridge_lifts_a_hope_story_above_an_equal_non_hope_one() -> None:
    reading = story("reading", "relapse", "cravings")
    plain = story("plain", "relapse", "cooking")
    hopeful = story("hopeful", "relapse", "first-week")
    index = index_of(reading, plain, hopeful, story("z", "cooking"), story("y", "first-week"))
    assert ranked_ids(index, reading)[:2] == ["hopeful", "plain"]
    bridged = index.score(key_of(reading), reading.tags, key_of(hopeful))
    unbridged = index.score(key_of(reading), reading.tags, key_of(plain))
    assert bridged is not None and unbridged is not None
    assert bridged > unbridged


def test_no_hope_bridge_without_a_struggle() -> None:
    reading = story("reading", "music", "family")
    plain = story("plain", "family", "cooking")
    hopeful = story("hopeful", "family", "first-week")
    index = index_of(reading, plain, hopeful, story("z", "cooking"), story("y", "first-week"))
    key = key_of(reading)
    assert index.score(key, reading.tags, key_of(hopeful)) == pytest.approx(
        index.score(key, reading.tags, key_of(plain))
    )
    assert not any(r.hopeful for r in index.rank(key, reading.tags))


def test_idf_prefers_a_rare_shared_tag() -> None:
    reading = story("reading", "gambling", "anxiety")
    common = [story(f"c{n}", "anxiety", "work") for n in range(10)]
    index = index_of(reading, story("rare", "gambling"), *common)
    assert ranked_ids(index, reading)[0] == "rare"


def test_hope_reactions_lift_with_diminishing_returns() -> None:
    reading = story("reading", "music")
    index = index_of(
        reading,
        story("none", "music"),
        story("some", "music"),
        story("many", "music"),
        story("lots", "music"),
        hope_counts={"some": 3, "many": 30, "lots": 300},
    )
    assert ranked_ids(index, reading) == ["lots", "many", "some", "none"]

    def score(key: str) -> float:
        found = index.score(key_of(reading), reading.tags, (JOURNAL_SCOPE, key))
        assert found is not None
        return found

    assert score("many") - score("some") < score("some") - score("none") + 0.5
    assert score("lots") - score("many") < score("many") - score("some")


def test_recency_breaks_ties_toward_newer_stories() -> None:
    reading = story("reading", "music")
    index = index_of(
        reading,
        story("old", "music", created="2019-05-01"),
        story("new", "music", created="2026-05-01T10:00:00+00:00"),
        story("odd", "music", created="not a date"),
    )
    assert ranked_ids(index, reading) == ["new", "old", "odd"]


def test_never_itself_and_limit_respected() -> None:
    reading = story("reading", "music")
    index = index_of(reading, *(story(f"s{n}", "music") for n in range(20)))
    found = ranked_ids(index, reading, limit=5)
    assert len(found) == 5
    assert "reading" not in found
    assert index.rank(key_of(reading), reading.tags, limit=0) == []
    assert RelatedIndex(today=TODAY).rank(("journal", "x"), ("music",)) == []


# -- filters -------------------------------------------------------------------------


def test_hidden_stories_never_appear_nor_count() -> None:
    reading = story("reading", "relapse", "alcohol")
    hidden = story("hidden", "relapse", "alcohol", "sober", notes=("Alcohol use",))
    shown = story("shown", "relapse")
    index = index_of(reading, hidden, shown, hidden=Preferences(("alcohol",)))
    assert ranked_ids(index, reading) == ["shown"]
    assert index.count_with_tag("relapse") == 2
    assert index.count_with_tag("sober") == 0
    assert [s.id for s in index.stories_with_tag("relapse")] == ["shown", "reading"]
    assert "sober" not in [tag for _, rows in index.themes_with_tags() for tag, _, _ in rows]
    assert key_of(hidden) not in index
    assert len(index) == 2

    index.set_hidden(None)
    assert ranked_ids(index, reading)[0] == "hidden"
    assert index.count_with_tag("sober") == 1
    index.set_hidden(lambda notes: any("alcohol" in n.casefold() for n in notes))
    assert ranked_ids(index, reading) == ["shown"]


def test_a_query_can_hide_more() -> None:
    reading = story("reading", "grief")
    index = index_of(reading, story("a", "grief", notes=("bereavement",)), story("b", "grief"))
    assert ranked_ids(index, reading, hidden=Preferences(("bereave",))) == ["b"]
    assert ranked_ids(index, reading, hidden=lambda notes: bool(notes)) == ["b"]
    assert sorted(ranked_ids(index, reading)) == ["a", "b"]


def test_held_back_story_keeps_its_reactions_and_can_be_removed() -> None:
    hidden = story("hidden", "music", notes=("grief",))
    index = index_of(hidden, hidden=Preferences(("grief",)), hope_counts={"hidden": 2})
    index.set_hope_count(key_of(hidden), 5)
    index.set_hidden(None)
    reading = story("reading", "music")
    index.add(reading)
    assert index.rank(key_of(reading), reading.tags)[0].hope_reactions == 5
    index.set_hidden(Preferences(("grief",)))
    assert index.remove(key_of(hidden))
    assert not index.remove(key_of(hidden))


# -- normalization, counts and browsing --------------------------------------------


def test_normalization_line() -> None:
    assert (
        normalization_line("relapse", 14)
        == "14 stories in your journal and the collections mention relapse"
    )
    assert normalization_line("peer-group", 2, "your circles") == (
        "2 stories in your circles mention peer group"
    )
    assert normalization_line("night-shifts", 3, "") == "3 stories mention night-shifts"
    assert normalization_line("relapse", 1) is None
    assert normalization_line("relapse", 0) is None


def test_count_with_tag_canonicalises_and_can_exclude_the_story_read() -> None:
    reading = story("reading", "anxiety", "sleep")
    index = index_of(reading, story("a", "anxiety"), story("b", "anxiety", "sleep"))
    assert index.count_with_tag("#Anxiety") == 3
    assert index.count_with_tag("anxious") == 3  # a synonym counts as its term
    assert index.count_with_tag("anxiety", excluding=key_of(reading)) == 2
    assert index.count_with_tag("music", excluding=key_of(reading)) == 0
    assert index.count_with_tag("🌱") == 0  # not a valid tag
    assert index.normalization("sleep") == (
        "2 stories in your journal and the collections mention sleep"
    )
    assert index.normalization("music") is None


def test_stories_with_tag_newest_first() -> None:
    index = index_of(
        story("b", "sleep", created="2025-02-01"),
        story("a", "sleep", created="2025-03-01"),
        story("c", "sleep", created="2024-12-01"),
        story("d", "music"),
    )
    assert [s.id for s in index.stories_with_tag("Sleep")] == ["a", "b", "c"]
    assert [s.id for s in index.stories_with_tag("sleep", limit=1)] == ["a"]
    assert index.stories_with_tag("🌱") == []


def test_themes_with_tags_groups_in_vocabulary_order_then_other_tags() -> None:
    index = index_of(
        story("a", "sleep", "hope", "night-shifts"),
        story("b", "hope", "routine", "night-shifts", "zines"),
        story("c", "relapse", "night-shifts"),
    )
    groups = index.themes_with_tags()
    theme_order = [theme.label for theme in Vocabulary.load().themes]
    labels = [label for label, _ in groups]
    assert labels[-1] == OTHER_TAGS
    assert labels[:-1] == [label for label in theme_order if label in labels]
    by_label = dict(groups)
    assert by_label["Hope and optimism"] == [("hope", "Hope", 2)]
    assert by_label["Body and daily life"] == [("routine", "Routine", 1), ("sleep", "Sleep", 1)]
    assert by_label[OTHER_TAGS] == [("night-shifts", "night-shifts", 3), ("zines", "zines", 1)]


# -- upkeep -----------------------------------------------------------------------


def test_add_replace_and_remove_without_rebuilding() -> None:
    reading = story("reading", "grief")
    index = index_of(reading, story("a", "grief"))
    assert index.add(story("b", "grief"), hope=1)
    assert sorted(ranked_ids(index, reading)) == ["a", "b"]
    index.add(story("b", "music"))  # a new version with other tags
    assert ranked_ids(index, reading) == ["a"]
    assert index.count_with_tag("grief") == 2
    assert index.remove(key_of(story("a")))
    assert not index.remove(("journal", "nope"))
    assert ranked_ids(index, reading) == []
    index.set_hope_count(("journal", "nope"), 3)  # unknown: ignored


def test_the_same_id_in_the_journal_and_a_collection_are_two_stories() -> None:
    # The journal's stories are keyed by id alone inside the index; a story of
    # another scope with the same id stays a story of its own, and ties
    # between them still rank in a fixed order.
    reading = story("reading", "grief")
    mine = story("same", "grief")
    theirs = story("same", "grief", scope="collection:c")
    index = index_of(reading, mine, theirs)
    assert len(index) == 3
    assert key_of(mine) in index and key_of(theirs) in index
    ranked = index.rank(key_of(reading), reading.tags)
    assert [key_of(r.summary) for r in ranked] == [key_of(theirs), key_of(mine)]
    assert index.remove(key_of(mine))
    assert key_of(theirs) in index and key_of(mine) not in index
    assert [key_of(r.summary) for r in index.rank(key_of(reading), reading.tags)] == [
        key_of(theirs)
    ]
    assert ("journal",) not in index  # not a key at all


def test_many_removals_compact_and_keep_results() -> None:
    reading = story("reading", "grief", "sleep")
    others = [story(f"s{n:04d}", "grief" if n % 3 else "sleep") for n in range(3000)]
    index = index_of(reading, *others)
    for other in others[:2500]:
        index.remove(key_of(other))
    fresh = index_of(reading, *others[2500:])
    assert [r.score for r in index.rank(key_of(reading), reading.tags)] == pytest.approx(
        [r.score for r in fresh.rank(key_of(reading), reading.tags)]
    )
    assert index.count_with_tag("sleep") == fresh.count_with_tag("sleep")


def test_summary_of_a_saved_story() -> None:
    saved = Story("id1", 2, "Title", "two words", ("sleep",), ("n",), "me", "2026-01-02", "x")
    summary = summary_of(saved)
    assert (summary.id, summary.version, summary.tags, summary.words) == ("id1", 2, ("sleep",), 2)
    assert summary.scope == JOURNAL_SCOPE
    found = RelatedIndex.build([summary, story("other", "sleep")]).rank(
        key_of(summary), summary.tags
    )
    assert [r.summary.id for r in found] == ["other"]


def test_related_module_imports_neither_textual_nor_sqlite_utils() -> None:
    code = (
        "import sys, storycircle.reading.related, storycircle.tagging.tag_index; "
        "bad = {'textual', 'sqlite_utils'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_large_index_still_obeys_its_promises() -> None:
    # Big enough that long posting lists are cut: results stay valid and exact-scored.
    tags = ["anxiety", "hope", "sleep", "relapse", "sober", "work"] + [f"t{n}" for n in range(40)]
    stories = [
        story(f"s{n:05d}", *{tags[n % 7], tags[n % 11], tags[(n * 7) % 46]}) for n in range(12_000)
    ]
    index = index_of(*stories)
    for reading in stories[::1_500]:
        results = index.rank(key_of(reading), reading.tags)
        assert len(results) == 8
        assert key_of(reading) not in [key_of(r.summary) for r in results]
        scores = [r.score for r in results]
        assert scores == sorted(scores, reverse=True)
        for r in results:
            assert r.score == index.score(key_of(reading), reading.tags, key_of(r.summary))


# -- the shipped collections ---------------------------------------------------------


def shipped() -> list[StorySummary]:
    found = []
    for path in sorted(STORIES.glob("*/*.md")):
        front = yaml.safe_load(path.read_text("utf-8").split("---")[1])
        found.append(
            CollectionStory(
                id=f"{path.parent.name}/{path.stem}",
                collection=path.parent.name,
                title=front["title"],
                body="",
                tags=tuple(front["tags"]),
                content_notes=tuple(front.get("content_notes") or ()),
                author=front.get("author", ""),
                date=str(front["date"]),
            ).as_summary()
        )
    return found


def test_shipped_relapse_story_meets_a_story_of_hope() -> None:
    stories = shipped()
    assert len(stories) >= 30
    vocabulary = Vocabulary.load()
    index = RelatedIndex.build(stories, today=TODAY)
    (tuesday,) = [s for s in stories if s.title == "The Tuesday it happened"]
    assert "relapse" in tuesday.tags
    top = index.rank(key_of(tuesday), tuesday.tags, limit=3)
    assert len(top) == 3
    assert any(any(vocabulary.is_hope(tag) for tag in r.summary.tags) for r in top)
    assert all(r.reason for r in top)
    line = index.normalization("relapse")
    assert line is not None and line.startswith(f"{index.count_with_tag('relapse')} stories")


# -- properties ---------------------------------------------------------------------

TAG_POOL = (
    "relapse", "alcohol", "shame", "sleep", "anxiety",  # struggles
    "hope", "sober", "milestone", "belonging",  # hope markers
    "peer-group", "family", "therapy",  # support
    "cooking", "zines", "night-shifts",  # free tags
)  # fmt: skip
NOTE_POOL = ("alcohol", "self-harm", "grief")
DAYS = ("2023-01-01", "2025-06-30", "2026-05-31", "2026-07-01")


@st.composite
def corpora(draw: st.DrawFn) -> tuple[list[StorySummary], dict[str, int]]:
    size = draw(st.integers(1, 25))
    stories = [
        story(
            f"s{n}",
            *draw(st.lists(st.sampled_from(TAG_POOL), max_size=5, unique=True)),
            notes=tuple(draw(st.lists(st.sampled_from(NOTE_POOL), max_size=2, unique=True))),
            created=draw(st.sampled_from(DAYS)),
            scope=draw(st.sampled_from((JOURNAL_SCOPE, "circle1", "collection:c"))),
        )
        for n in range(size)
    ]
    hope = {s.id: draw(st.integers(0, 80)) for s in stories if draw(st.booleans())}
    return stories, hope


query_tags = st.lists(st.sampled_from(TAG_POOL), min_size=1, max_size=5, unique=True)
filters = st.lists(st.sampled_from(NOTE_POOL), max_size=2, unique=True)


def eligible(vocabulary: Vocabulary, reading: tuple[str, ...], tags: tuple[str, ...]) -> bool:
    if set(reading) & set(tags):
        return True
    themes = {vocabulary.term(t).theme for t in reading if vocabulary.is_struggle(t)}  # type: ignore[union-attr]
    hopeful = any(vocabulary.is_hope(t) for t in tags)
    return hopeful and any((term := vocabulary.term(t)) and term.theme in themes for t in tags)


@settings(max_examples=200, deadline=None)
@given(corpora(), st.integers(0, 30), query_tags, filters, st.integers(1, 10))
def test_rank_properties(
    corpus: tuple[list[StorySummary], dict[str, int]],
    pick: int,
    tags: list[str],
    hidden: list[str],
    limit: int,
) -> None:
    stories, hope = corpus
    index = RelatedIndex.build(
        stories, hope_counts=hope, hidden=Preferences(tuple(hidden)), today=TODAY
    )
    visible = {key_of(s) for s in stories if not Preferences(tuple(hidden)).hides(s.content_notes)}
    # The story read may be one of the corpus or one from elsewhere.
    reading: Key = key_of(stories[pick]) if pick < len(stories) else ("circle9", "elsewhere")
    results = index.rank(reading, tags, limit=limit)

    keys = [key_of(r.summary) for r in results]
    assert reading not in keys
    assert set(keys) <= visible
    assert len(keys) == len(set(keys)) <= limit
    assert not any(set(hidden) & set(r.summary.content_notes) for r in results)
    scores = [r.score for r in results]
    assert all(math.isfinite(s) for s in scores)
    assert scores == sorted(scores, reverse=True)
    for r in results:
        assert r.score == index.score(reading, tags, key_of(r.summary))
        assert r.reason

    # Small indexes are ranked exactly: the best of every eligible story.
    vocabulary = Vocabulary.load()
    brute = sorted(
        (
            score
            for s in stories
            if key_of(s) in visible
            and key_of(s) != reading
            and eligible(vocabulary, tuple(tags), s.tags)
            and (score := index.score(reading, tags, key_of(s))) is not None
        ),
        reverse=True,
    )
    assert scores == pytest.approx(brute[:limit])


@settings(max_examples=200, deadline=None)
@given(corpora(), st.integers(0, 30), query_tags, st.data())
def test_adding_a_shared_tag_never_lowers_a_score(
    corpus: tuple[list[StorySummary], dict[str, int]],
    pick: int,
    tags: list[str],
    data: st.DataObject,
) -> None:
    stories, hope = corpus
    assume(len(stories) >= 2)
    reading = stories[pick % len(stories)]
    candidate = data.draw(st.sampled_from([s for s in stories if s is not reading]))
    missing = [t for t in tags if t not in candidate.tags]
    assume(missing)
    extra = data.draw(st.sampled_from(missing))
    index = RelatedIndex.build(stories, hope_counts=hope, today=TODAY)
    before = index.score(key_of(reading), tags, key_of(candidate))
    richer = story(
        candidate.id,
        *candidate.tags,
        extra,
        notes=candidate.content_notes,
        created=candidate.created,
        scope=candidate.scope,
    )
    index.add(richer)  # incremental: replaces the candidate
    after = index.score(key_of(reading), tags, key_of(candidate))
    assert before is not None and after is not None
    assert after >= before
    rebuilt = RelatedIndex.build(
        [richer if s is candidate else s for s in stories], hope_counts=hope, today=TODAY
    )
    assert rebuilt.score(key_of(reading), tags, key_of(candidate)) == pytest.approx(after)


@settings(max_examples=100, deadline=None)
@given(corpora(), corpora(), st.lists(st.integers(0, 24), max_size=10), query_tags)
def test_incremental_upkeep_matches_a_rebuild(
    first: tuple[list[StorySummary], dict[str, int]],
    second: tuple[list[StorySummary], dict[str, int]],
    removed: list[int],
    tags: list[str],
) -> None:
    stories, hope = first
    index = RelatedIndex.build(stories, hope_counts=hope, today=TODAY)
    later = [
        story(f"new{s.id}", *s.tags, notes=s.content_notes, created=s.created) for s in second[0]
    ]
    for s in later:
        index.add(s, hope=1)
    gone = {key_of(stories[n]) for n in removed if n < len(stories)}
    for key in gone:
        index.remove(key)
    remaining = [s for s in stories if key_of(s) not in gone] + later
    counts = hope | {s.id: 1 for s in later}
    rebuilt = RelatedIndex.build(remaining, hope_counts=counts, today=TODAY)
    reading: Key = ("elsewhere", "x")
    for s in remaining:
        assert index.score(reading, tags, key_of(s)) == pytest.approx(
            rebuilt.score(reading, tags, key_of(s))
        )
    assert [r.score for r in index.rank(reading, tags)] == pytest.approx(
        [r.score for r in rebuilt.rank(reading, tags)]
    )
    assert index.themes_with_tags() == rebuilt.themes_with_tags()
