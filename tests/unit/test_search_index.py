"""Full-text search: the in-memory word index, its build, and the journal's search."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from storycircle import vault
from storycircle.journal import Journal
from storycircle.library import Library
from storycircle.members import UnlockedMember
from storycircle.models import JOURNAL_SCOPE, StorySummary
from storycircle.preferences import Preferences
from storycircle.related import summary_of
from storycircle.search_index import SearchIndex, build, words_of
from storycircle.store import Store
from tests.conftest import FakeClock, make_member


def _row(story_id: str, version: int = 1, tags: tuple[str, ...] = ()) -> StorySummary:
    return StorySummary(
        story_id, version, f"title {story_id}", tags, (), "2026-01-01", "2026-01-01", "me",
        JOURNAL_SCOPE, 10,
    )  # fmt: skip


def _ready(*stories: tuple[str, str]) -> SearchIndex:
    index = SearchIndex()
    for story_id, text in stories:
        index.add(_row(story_id), text, background=True)
    index.finish()
    return index


def test_words_are_case_folded_and_split_on_punctuation() -> None:
    assert words_of("Slept. Well, finally—REALLY") == {"slept", "well", "finally", "really"}


def test_not_ready_until_finished() -> None:
    index = SearchIndex()
    index.add(_row("a"), "river walk", background=True)
    assert index.search("river") is None
    index.finish()
    assert [s.id for s in index.search("river") or []] == ["a"]


def test_every_query_word_must_occur_inside_some_word() -> None:
    index = _ready(("a", "a walk by the river"), ("b", "the river was high"), ("c", "walking"))
    assert {s.id for s in index.search("river") or []} == {"a", "b"}
    assert {s.id for s in index.search("walk") or []} == {"a", "c"}  # inside "walking"
    assert [s.id for s in index.search("river WALK") or []] == ["a"]
    assert index.search("kettle") == []


def test_tags_are_searched_too() -> None:
    index = SearchIndex()
    index.add(_row("a", tags=("panic-attacks",)), "nothing else", background=True)
    index.finish()
    assert [s.id for s in index.search("panic") or []] == ["a"]


def test_order_is_newest_first_with_later_saves_in_front() -> None:
    # The build adds the journal newest first; stories saved afterwards are newer still.
    index = _ready(("new", "tea"), ("mid", "tea"), ("old", "tea"))
    index.add(_row("saved1"), "tea")
    index.add(_row("saved2"), "tea")
    assert [s.id for s in index.search("tea") or []] == ["saved2", "saved1", "new", "mid", "old"]
    assert [s.id for s in index.search("") or []] == ["saved2", "saved1", "new", "mid", "old"]


def test_a_new_version_replaces_the_old_and_an_older_one_is_ignored() -> None:
    index = _ready(("a", "river"))
    index.add(_row("a", version=2), "mountain")
    assert index.search("river") == []
    assert [s.version for s in index.search("mountain") or []] == [2]
    index.add(_row("a", version=1), "river", background=True)  # a late, stale copy
    assert index.search("river") == []
    assert len(index) == 1


def test_a_story_deleted_during_the_build_is_not_added_back() -> None:
    index = SearchIndex()
    index.remove("a")
    index.add(_row("a"), "river", background=True)
    index.add(_row("b"), "river", background=True)
    index.finish()
    assert [s.id for s in index.search("river") or []] == ["b"]


def test_concurrent_adds_lose_nothing() -> None:
    index = SearchIndex()

    def fill(prefix: str) -> None:
        for n in range(300):
            index.add(_row(f"{prefix}{n}"), f"river {prefix}", background=prefix == "bg")

    threads = [threading.Thread(target=fill, args=(p,)) for p in ("bg", "ui")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    index.finish()
    assert len(index.search("river") or []) == 600


def test_build_reads_the_database_from_its_own_connection(file_store: Store) -> None:
    member = make_member(file_store)
    journal = Journal(file_store, member, clock=FakeClock())
    first = journal.save(title="Morning", body="I walked to the river.", tags=["hope"]).story
    second = journal.save(title="Evening", body="Tea with my sister.").story
    assert file_store.path is not None
    index = SearchIndex()
    done: list[bool] = []
    worker = threading.Thread(target=lambda: done.append(build(index, file_store.path, member)))
    worker.start()
    worker.join()
    assert done == [True]
    assert [s.id for s in index.search("river") or []] == [first.id]
    assert [s.id for s in index.search("sister") or []] == [second.id]
    assert [s.id for s in index.search("") or []] == [second.id, first.id]


def test_build_stops_when_cancelled(file_store: Store) -> None:
    member = make_member(file_store)
    Journal(file_store, member).save(title="t", body="river")
    assert file_store.path is not None
    index = SearchIndex()
    assert build(index, file_store.path, member, cancelled=lambda: True) is False
    assert index.search("river") is None


def test_library_searches_inside_stories_once_the_index_is_ready(
    store: Store, member: UnlockedMember, tmp_path: Path
) -> None:
    journal = Journal(store, member, clock=FakeClock())
    story = journal.save(title="Morning", body="I walked to the river.").story
    library = Library(tmp_path, journal, Preferences())
    assert library.find(JOURNAL_SCOPE, "river") == []  # titles and tags only
    index = library.start_text_index()
    for summary, text in journal.texts():
        index.add(summary, text, background=True)
    index.finish()
    assert [s.id for s in library.find(JOURNAL_SCOPE, "river")] == [story.id]
    # Saves and deletes reach the index.
    later = journal.save(title="Later", body="Back at the river.").story
    library.story_saved(later)
    assert [s.id for s in library.find(JOURNAL_SCOPE, "river")] == [later.id, story.id]
    library.story_deleted(story.id)
    assert [s.id for s in library.find(JOURNAL_SCOPE, "river")] == [later.id]
    # Content-note filters still apply.
    noted = journal.save(title="Hard", body="river", content_notes=["alcohol"]).story
    library.story_saved(noted)
    library.set_preferences(Preferences(hidden_notes=("alcohol",)))
    assert noted.id not in {s.id for s in library.find(JOURNAL_SCOPE, "river")}
    assert summary_of(noted).id == noted.id


# -- the journal's own full-text search (the `search` command) ---------------------------


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
