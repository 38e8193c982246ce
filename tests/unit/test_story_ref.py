"""Story references: one parse of the ids lists and the reader carry."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storycircle.models import JOURNAL_SCOPE, StoryRef

NAMES = st.text(st.characters(blacklist_characters="/"), min_size=1, max_size=12)


def test_a_journal_id_is_a_journal_story() -> None:
    ref = StoryRef.parse("3f2a9c1b0d4e5f60")
    assert (ref.is_circle, ref.collection, ref.scope) == (False, "", JOURNAL_SCOPE)


def test_a_collection_story_names_its_collection() -> None:
    ref = StoryRef.parse("coming-back/after-the-winter")
    assert ref.collection == "coming-back"
    assert ref.scope == "collection:coming-back"
    assert not ref.is_circle


def test_a_circle_story_names_its_circle_and_row() -> None:
    ref = StoryRef.parse("circle:c1/r2")
    assert (ref.circle_id, ref.row_id, ref.scope) == ("c1", "r2", "circle:c1")
    assert ref.is_circle


def test_a_circle_prefix_without_a_row_is_no_circle_story() -> None:
    for story_id in ("circle:", "circle:c1", "circle:c1/", "circle:/r2"):
        assert not StoryRef.parse(story_id).is_circle


@given(NAMES, NAMES)
def test_a_circle_reference_reads_back_as_itself(circle_id: str, row_id: str) -> None:
    made = StoryRef.in_circle(circle_id, row_id)
    assert StoryRef.parse(made.id) == made
