"""Post-quantum circles: hybrid epoch keys, the classic fallback, and member cards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storycircle import vault
from storycircle.circles import CardError, MemberCard, parse_card
from storycircle.circles.inbox import refresh
from storycircle.circles.keysets import describe, recipient_groups, split_keys
from storycircle.store import Store
from tests.circles.helpers import Person, before_hybrid_keys, person


def _stanza_types(blob: bytes) -> set[str]:
    return set(vault.recipient_types(blob))


def _classic_card(someone: Person) -> MemberCard:
    """The card of a member as an older version made it: no hybrid key (a v1 card)."""
    record = someone.member.record
    return MemberCard(record.id, record.recipient, record.signing_public, record.pseudonym)


def _story_blobs(someone: Person, circle_id: str) -> list[bytes]:
    return [row.blob for row in someone.circles.rows.stories(circle_id)]


@pytest.fixture
def ash(file_store: Store) -> Person:
    return person(file_store, "ash")


@pytest.fixture
def birch(file_store: Store) -> Person:
    return person(file_store, "birch")


@pytest.fixture
def cedar(file_store: Store) -> Person:
    return person(file_store, "cedar")


def test_a_circle_of_members_with_hybrid_keys_is_post_quantum_throughout(
    ash: Person, birch: Person
) -> None:
    circle = ash.circles.create("Tuesday group")
    ash.circles.invite(circle.id, ash_card := birch.card)
    assert ash_card.hybrid_recipient
    birch.circles.accept(circle.id, "Willow")
    roster = ash.circles.roster(circle.id)
    assert roster.epoch_recipient.startswith("age1pq1")
    assert all(split_keys(m.recipient)[1] for m in roster.members)
    for grant in roster.grants.values():
        assert _stanza_types(grant) == {"mlkem768x25519"}
    ash.sharing.share(ash.write("The night I called", "I called the line."), circle.id)
    [blob] = _story_blobs(ash, circle.id)
    assert _stanza_types(blob) == {"mlkem768x25519"}
    [row] = birch.sharing.summaries(circle.id)
    assert birch.sharing.load(row.id).body == "I called the line."
    assert "post-quantum" in describe(ash.circles.roster(circle.id))
    assert "classic" not in describe(ash.circles.roster(circle.id))


def test_a_classic_only_member_makes_the_next_key_classic_and_is_named(
    file_store: Store, ash: Person, birch: Person, cedar: Person
) -> None:
    circle = ash.circles.create("Tuesday group")
    ash.circles.invite(circle.id, birch.card)
    birch.circles.accept(circle.id, "Willow")
    # Cedar's card and client are from before hybrid keys.
    cedar = before_hybrid_keys(file_store, cedar)
    ash.circles.invite(circle.id, _classic_card(cedar))
    cedar.circles.accept(circle.id, "Cedar")
    note = describe(ash.circles.roster(circle.id))
    assert "Cedar has only a classic key" in note
    roster = ash.circles.roster(circle.id)
    # Each grant is one file to one member: Cedar's is classic, the others hybrid.
    cedar_id = cedar.member.id
    assert _stanza_types(roster.grants[cedar_id]) == {"X25519"}
    assert _stanza_types(roster.grants[birch.member.id]) == {"mlkem768x25519"}
    ash.sharing.share(ash.write("Before", "Written before the change."), circle.id)
    # A re-key (Birch leaves; the host starts the new key) with a classic-only
    # member left: classic for all.
    birch.circles.leave(circle.id)
    assert ash.circles.settle(circle.id)
    roster = ash.circles.roster(circle.id)
    assert roster.epoch_recipient.startswith("age1") and not roster.epoch_recipient.startswith(
        "age1pq1"
    )
    assert "classic X25519 only, because Cedar has only a classic key" in (
        describe(ash.circles.roster(circle.id))
    )
    for blob in _story_blobs(ash, circle.id):
        assert _stanza_types(blob) == {"X25519"}  # never mixed with hybrid stanzas
    ash.sharing.share(ash.write("After", "Written after the change."), circle.id)
    bodies = {cedar.sharing.load(r.id).body for r in cedar.sharing.summaries(circle.id)}
    assert bodies == {"Written before the change.", "Written after the change."}


def test_a_classic_circle_becomes_hybrid_at_the_next_key_once_everyone_has_one(
    file_store: Store, ash: Person, birch: Person, cedar: Person
) -> None:
    circle = ash.circles.create("Tuesday group")
    cedar = before_hybrid_keys(file_store, cedar)
    ash.circles.invite(circle.id, _classic_card(cedar))
    cedar.circles.accept(circle.id, "Cedar")
    ash.circles.invite(circle.id, birch.card)
    birch.circles.accept(circle.id, "Willow")
    ash.sharing.share(ash.write("Old", "Classic times."), circle.id)
    cedar.circles.leave(circle.id)  # a new epoch: now Cedar's classic-only key
    ash.circles.remove(circle.id, birch.member.id)  # is gone; this one is hybrid
    roster = ash.circles.roster(circle.id)
    assert roster.epoch_recipient.startswith("age1pq1")
    [blob] = _story_blobs(ash, circle.id)
    assert _stanza_types(blob) == {"mlkem768x25519"}
    [row] = ash.sharing.summaries(circle.id)
    assert ash.sharing.load(row.id).body == "Classic times."


def test_cards_v2_carry_the_hybrid_key_and_v1_cards_still_parse(ash: Person) -> None:
    card = ash.card
    text = str(card)
    assert text.startswith("storycircle-card:v2:")
    assert parse_card(text) == card
    assert parse_card(text).key_text == f"{card.recipient} {card.hybrid_recipient}"
    old = str(_classic_card(ash))
    assert old.startswith("storycircle-card:v1:")
    assert parse_card(old).hybrid_recipient == ""
    assert parse_card(old).key_text == card.recipient


@pytest.mark.parametrize("slot", ["classic", "hybrid"])
def test_a_card_with_a_key_of_the_wrong_kind_is_refused(ash: Person, slot: str) -> None:
    card = ash.card
    parts = str(card).split(":")
    # parts: prefix, v2, id, age1, age1pq1, signing, name
    if slot == "classic":
        parts[3], parts[4] = parts[4], parts[3]  # the two keys swapped
    else:
        parts[4] = card.recipient
    with pytest.raises(CardError, match="malformed"):
        parse_card(":".join(parts))


def test_recipient_groups_never_mix_kinds() -> None:
    hybrid = vault.HybridIdentity.generate().recipient
    classic = vault.X25519Identity.generate().recipient
    both = f"{classic} {hybrid}"
    classic_only = str(vault.X25519Identity.generate().recipient)
    epoch = str(vault.HybridIdentity.generate().recipient)
    assert recipient_groups([both, both]) == [[hybrid]]
    groups = recipient_groups([both, classic_only, epoch])
    assert [[type(r) for r in g] for g in groups] == [
        [vault.X25519Recipient, vault.X25519Recipient],
        [vault.HybridRecipient],
    ]
    for group in groups:
        vault.encrypt(b"roster", group)  # each group is one valid file


def test_a_mixed_circle_through_a_folder_falls_back_to_classic_and_nothing_is_refused(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "synced"
    folder.mkdir()
    one, two = Store.open(tmp_path / "one.db"), Store.open(tmp_path / "two.db")
    try:
        ash, cedar, birch = person(one, "ash"), person(one, "cedar"), person(two, "birch")
        circle = ash.circles.create("Across town", folder=str(folder))
        ash.circles.invite(circle.id, cedar.card)
        cedar.circles.accept(circle.id, "Cedar")
        # Birch, on another machine, runs a version from before hybrid keys.
        birch = before_hybrid_keys(two, birch)
        ash.circles.invite(circle.id, _classic_card(birch))
        assert refresh(birch.sharing, str(folder)).refused == []
        birch.circles.set_folder(circle.id, str(folder))
        birch.circles.accept(circle.id, "Willow")
        assert refresh(ash.sharing, str(folder)).refused == []
        ash.sharing.share(ash.write("Before", "Hybrid epoch words."), circle.id)
        assert refresh(birch.sharing, str(folder)).refused == []
        # Cedar is removed: the new key is classic, since Birch has no hybrid key.
        before = set(os.listdir(folder))
        ash.circles.remove(circle.id, cedar.member.id)
        rosters = [n for n in set(os.listdir(folder)) - before if n.startswith("roster-")]
        kinds = [_stanza_types((folder / n).read_bytes()) for n in rosters]
        assert len(rosters) == 2
        assert all(len(k) == 1 for k in kinds)  # no roster file mixes kinds
        # The removal went to the classic keys of those who remain, and in a
        # second file to the old (hybrid) epoch key, so Cedar learns of it.
        assert {"X25519"} in kinds and {"mlkem768x25519"} in kinds
        ash.sharing.share(ash.write("After", "Classic epoch words."), circle.id)
        report = refresh(birch.sharing, str(folder))
        assert report.refused == []
        roster = birch.circles.roster(circle.id)
        assert not roster.epoch_recipient.startswith("age1pq1")
        bodies = {birch.sharing.load(r.id).body for r in birch.sharing.summaries(circle.id)}
        assert bodies == {"Hybrid epoch words.", "Classic epoch words."}
    finally:
        one.close()
        two.close()
