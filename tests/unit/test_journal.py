"""The journal: saving, reading, listing, tags, conflicts, tampering, drafts."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycircle import vault
from storycircle.errors import DamagedStory, StorycircleError, StoryNotFound
from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.models import Draft, Story
from storycircle.store import Store
from tests.support.people import FakeClock, make_member


def test_save_and_load_round_trip(journal: Journal) -> None:
    saved = journal.save(
        title="First week",
        body="I slept.\n\nThen I called my sister.",
        tags=["Sleep", "anxious"],
        content_notes=["insomnia"],
    ).story
    loaded = journal.load(saved.id)
    assert loaded == saved
    assert loaded.tags == ("sleep", "anxiety")  # canonical, synonym resolved
    assert loaded.version == 1


def test_title_defaults_to_first_line(journal: Journal) -> None:
    story = journal.save(title="", body="# A good day\nmore words").story
    assert story.title == "A good day"


def test_empty_story_is_refused(journal: Journal) -> None:
    with pytest.raises(StorycircleError, match="needs a title"):
        journal.save(title=" ", body="  \n ")


def test_too_many_tags_is_refused_and_nothing_saved(journal: Journal) -> None:
    from storycircle.tagging.tags import TagError

    with pytest.raises(TagError):
        journal.save(title="t", body="b", tags=[f"tag{n}" for n in range(40)])
    assert journal.count() == 0


def test_list_is_newest_first_and_paged(journal: Journal) -> None:
    ids = [journal.save(title=f"story {n}", body="x").story.id for n in range(7)]
    assert [s.id for s in journal.summaries()] == ids[::-1]
    page = journal.page(offset=2, limit=3)
    assert page.total == 7
    assert [s.id for s in page.items] == ids[::-1][2:5]


def test_edit_makes_a_new_version_and_keeps_created(journal: Journal) -> None:
    first = journal.save(title="draft", body="one").story
    second = journal.save(
        title="final", body="two", story_id=first.id, base_version=first.version
    ).story
    assert second.id == first.id and second.version == 2
    assert second.created == first.created
    assert journal.load(first.id).title == "final"
    assert journal.count() == 1


def test_stale_edit_is_kept_as_a_copy(journal: Journal) -> None:
    first = journal.save(title="mine", body="one").story
    journal.save(title="edit A", body="A", story_id=first.id, base_version=1)
    result = journal.save(title="edit B", body="B", story_id=first.id, base_version=1)
    assert result.kept_as_copy
    assert result.story.id != first.id
    assert journal.load(first.id).title == "edit A"
    assert journal.load(result.story.id).body == "B"


def test_tags_are_found_through_tokens(journal: Journal) -> None:
    a = journal.save(title="a", body="x", tags=["relapse", "sleep"]).story
    journal.save(title="b", body="x", tags=["hope"])
    c = journal.save(title="c", body="x", tags=["relapse"]).story
    assert [s.id for s in journal.with_tag("Relapse")] == [c.id, a.id]
    assert journal.tag_counts()["relapse"] == 2


def test_search_titles_and_tags(journal: Journal) -> None:
    a = journal.save(title="Back at work", body="x", tags=["work"]).story
    journal.save(title="Quiet", body="x", tags=["sleep"])
    assert [s.id for s in journal.search("WORK")] == [a.id]


def test_delete(journal: Journal) -> None:
    story = journal.save(title="gone", body="x").story
    journal.delete(story.id)
    with pytest.raises(StoryNotFound):
        journal.load(story.id)
    with pytest.raises(StoryNotFound):
        journal.delete(story.id)


def test_another_member_cannot_load_my_story(store: Store, journal: Journal) -> None:
    story = journal.save(title="mine", body="x").story
    other = Journal(store, make_member(store, "stone"))
    with pytest.raises(StoryNotFound):
        other.load(story.id)
    assert other.summaries() == []


def _tamper(store: Store, story_id: str, **changes: object) -> None:
    record = store.story(story_id)
    assert record is not None
    store._conn.execute(
        "UPDATE stories SET blob = ?, summary = ? WHERE id = ?",
        (
            changes.get("blob", record.blob),
            changes.get("summary", record.summary),
            story_id,
        ),
    )


def test_blob_swapped_between_rows_is_refused(store: Store, journal: Journal) -> None:
    a = journal.save(title="a", body="first").story
    b = journal.save(title="b", body="second").story
    record_b = store.story(b.id)
    assert record_b is not None
    _tamper(store, a.id, blob=record_b.blob)
    with pytest.raises(DamagedStory, match="another story's data") as caught:
        journal.load(a.id)
    assert "second" not in str(caught.value)
    assert journal.load(b.id).body == "second"  # the other story is untouched


def test_summary_swapped_between_rows_is_skipped(store: Store, journal: Journal) -> None:
    a = journal.save(title="a", body="first").story
    b = journal.save(title="b", body="second").story
    record_b = store.story(b.id)
    assert record_b is not None
    _tamper(store, a.id, summary=record_b.summary)
    assert [s.id for s in journal.summaries()] == [b.id]
    assert journal.damaged == {a.id}


@pytest.mark.parametrize("where", ["header", "payload"])
def test_flipped_byte_is_refused(store: Store, journal: Journal, where: str) -> None:
    story = journal.save(title="t", body="some words " * 50).story
    record = store.story(story.id)
    assert record is not None
    blob = bytearray(record.blob)
    index = 40 if where == "header" else len(blob) - 20
    blob[index] ^= 0x01
    _tamper(store, story.id, blob=bytes(blob))
    with pytest.raises(DamagedStory, match="damaged"):
        journal.load(story.id)


def test_truncated_blob_is_refused(store: Store, journal: Journal) -> None:
    story = journal.save(title="t", body="words").story
    record = store.story(story.id)
    assert record is not None
    for cut in (0, 10, len(record.blob) // 2, len(record.blob) - 1):
        _tamper(store, story.id, blob=record.blob[:cut])
        with pytest.raises(DamagedStory):
            journal.load(story.id)


def test_unknown_envelope_version_is_refused(
    store: Store, journal: Journal, member: UnlockedMember
) -> None:
    story = journal.save(title="t", body="words").story
    envelope = {"v": 9, "id": story.id, "version": 1, "author": member.id}
    blob = vault.encrypt(json.dumps(envelope).encode(), [member.own_recipient])
    _tamper(store, story.id, blob=blob)
    with pytest.raises(DamagedStory, match="newer storycircle"):
        journal.load(story.id)


def test_forged_signature_is_refused(
    store: Store, journal: Journal, member: UnlockedMember
) -> None:
    story = journal.save(title="t", body="words").story
    record = store.story(story.id)
    assert record is not None
    fields = json.loads(vault.decrypt(record.blob, member.identities))
    fields["body"] = "words I never wrote"
    forged = vault.encrypt(json.dumps(fields).encode(), [member.own_recipient])
    _tamper(store, story.id, blob=forged)
    with pytest.raises(DamagedStory, match="signature"):
        journal.load(story.id)


def test_story_signed_by_someone_else_is_refused(store: Store, journal: Journal) -> None:
    from storycircle.sealing.envelope import seal_story

    story = journal.save(title="t", body="words").story
    intruder = make_member(store, "intruder")
    forged = seal_story(
        dataclasses.replace(story, body="not mine"),
        intruder.signing_key,
        [journal.member.identity.recipient],
    )
    _tamper(store, story.id, blob=forged)
    with pytest.raises(DamagedStory, match="signature"):
        journal.load(story.id)


def test_not_an_age_file_is_refused(store: Store, journal: Journal) -> None:
    story = journal.save(title="t", body="words").story
    _tamper(store, story.id, blob=b"just some bytes")
    with pytest.raises(DamagedStory, match="damaged"):
        journal.load(story.id)


def test_drafts_round_trip_and_discard(journal: Journal) -> None:
    draft = Draft(id="d1", title="half", body="written so far", tags=("sleep",))
    journal.save_draft(draft)
    [back] = journal.drafts()
    assert (back.id, back.title, back.body, back.tags) == (
        "d1",
        "half",
        "written so far",
        ("sleep",),
    )
    journal.discard_draft("d1")
    assert journal.drafts() == []


def test_clock_sets_dates(store: Store, member: UnlockedMember) -> None:
    clock = FakeClock()
    story = Journal(store, member, clock=clock).save(title="t", body="b").story
    assert story.created.startswith("2026-03-01T09:01")


_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@given(title=_TEXT, body=_TEXT, tags=st.lists(_TEXT, max_size=3), notes=st.lists(_TEXT, max_size=2))
@settings(max_examples=150, deadline=None)
def test_the_envelope_is_the_same_bytes_as_encoding_every_field_at_once(
    title: str, body: str, tags: list[str], notes: list[str]
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from storycircle.sealing.envelope import (
        _SIGNATURE_DOMAIN,
        _canonical,
        _fields,
        signed_story,
        verify_signed_story,
    )

    story = Story("0123456789abcdef", 3, title, body, tuple(tags), tuple(notes), "a" * 16, "c", "u")
    key = Ed25519PrivateKey.generate()
    fields = _fields(story)
    signature = key.sign(_SIGNATURE_DOMAIN + _canonical(fields))
    fields["sig"] = base64.b64encode(signature).decode("ascii")  # Ed25519 is deterministic

    assert signed_story(story, key) == _canonical(fields)
    assert verify_signed_story(signed_story(story, key), key.public_key()) == story
