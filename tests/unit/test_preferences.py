"""Content-note filters: which stories a reader's preferences hide from lists."""

from __future__ import annotations

from storycircle.journal.preferences import Preferences
from storycircle.models import JOURNAL_SCOPE, StorySummary


def _row(story_id: str, *notes: str) -> StorySummary:
    return StorySummary(
        story_id, 1, f"title {story_id}", (), notes, "2026-01-01", "2026-01-01", "me",
        JOURNAL_SCOPE, 10,
    )  # fmt: skip


ROWS = [_row("a"), _row("b", "Mentions Self-Harm"), _row("c", "a hospital stay"), _row("d")]


def test_filters_match_notes_by_substring_ignoring_case() -> None:
    hiding = Preferences(hidden_notes=("self-harm",))
    assert hiding.hides(("mentions self-harm",))
    assert hiding.hides(("a note", "MENTIONS SELF-HARM IN PASSING"))
    assert not hiding.hides(("a hospital stay",))
    assert not hiding.hides(())


def test_visible_keeps_order_and_drops_only_hidden_stories() -> None:
    hiding = Preferences(hidden_notes=("self-harm", "HOSPITAL"))
    assert [s.id for s in hiding.visible(ROWS)] == ["a", "d"]
    assert [s.id for s in Preferences(hidden_notes=("hospital",)).visible(ROWS)] == [
        "a",
        "b",
        "d",
    ]


def test_without_filters_every_story_is_visible() -> None:
    shown = Preferences().visible(iter(ROWS))
    assert shown == ROWS
    assert shown is not ROWS  # a new list: callers may narrow it further
