"""A member listed before hybrid keys existed lists theirs later, and the circle turns post-quantum.

Only the member may add the hybrid key to their own entry, and only once:
the signing key and the X25519 key never change, and what others' files say
of someone's keys is hearsay, kept out. Machines that see the member's own
file and the host's new epoch in either order agree.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from storycircle import vault
from storycircle.circles.events import EventError
from storycircle.circles.keysets import describe, has_hybrid, split_keys
from storycircle.circles.roster import Roster, merge
from storycircle.store import Store
from tests.circles.helpers import Person, again, before_hybrid_keys, person
from tests.circles.world import circle_of, machine, sync


def _stanza_types(blob: bytes) -> set[str]:
    return set(vault.recipient_types(blob))


def _hybrid_of(someone: Person) -> str:
    assert someone.member.hybrid is not None
    return str(someone.member.hybrid.recipient)


def test_an_old_member_lists_their_hybrid_key_and_the_host_turns_the_circle_post_quantum(
    file_store: Store,
) -> None:
    ash, birch = person(file_store, "ash"), person(file_store, "birch")
    cedar_now = person(file_store, "cedar")
    cedar_then = before_hybrid_keys(file_store, cedar_now)
    circle = ash.circles.create("Tuesday group")
    ash.circles.invite(circle.id, birch.card)
    birch.circles.accept(circle.id, "Willow")
    ash.circles.invite(circle.id, cedar_then.card)
    cedar_then.circles.accept(circle.id, "Cedar")
    ash.sharing.share(ash.write("Before", "Shared while Cedar was classic."), circle.id)
    assert not cedar_then.circles.settle(circle.id)  # an old client has nothing to add
    assert not ash.circles.settle(circle.id)
    # Ash's key (hybrid, made before Cedar joined) reaches Cedar through her classic key.
    assert "but Cedar has only a classic key" in describe(ash.circles.roster(circle.id))

    # Cedar opens the app again with this version: her entry gains her hybrid key.
    cedar = again(file_store, cedar_now)
    assert not cedar.circles.settle(circle.id)  # she is not the host: no new key
    listed = ash.circles.roster(circle.id).member(cedar.member.id)
    assert listed is not None
    assert split_keys(listed.recipient) == (str(cedar.member.identity.recipient), _hybrid_of(cedar))
    assert "the host's app starts a post-quantum circle key at its next refresh" in describe(
        ash.circles.roster(circle.id)
    )

    # The host's next refresh starts a hybrid key and re-encrypts what was shared.
    assert ash.circles.settle(circle.id)
    roster = ash.circles.roster(circle.id)
    assert roster.epoch_recipient.startswith("age1pq1")
    assert {_stanza_types(g) == {"mlkem768x25519"} for g in roster.grants.values()} == {True}
    for row in ash.circles.rows.stories(circle.id):
        assert _stanza_types(row.blob) == {"mlkem768x25519"}
    assert describe(roster) == "Circle key: post-quantum (ML-KEM-768 with X25519) for everyone."
    [summary] = cedar.sharing.summaries(circle.id)
    assert cedar.sharing.load(summary.id).body == "Shared while Cedar was classic."
    assert not ash.circles.settle(circle.id)  # once only


def test_the_upgrade_crosses_a_folder_and_every_machine_agrees(tmp_path: Path) -> None:
    folder = tmp_path / "synced"
    folder.mkdir()
    ash, birch = machine("ash"), machine("birch")
    store = Store.memory()
    cedar_now = person(store, "cedar")
    cedar = before_hybrid_keys(store, cedar_now)
    circle_id = circle_of(ash, "Across town", folder, birch, cedar)
    ash.sharing.share(ash.write("Classic days", "Words from before."), circle_id)
    sync(folder, ash, birch, cedar)
    before = birch.circles.roster(circle_id)
    assert _stanza_types(before.grants[cedar.member.id]) == {"X25519"}

    # The new version: after a refresh (the app's and `circle refresh` settle
    # every circle) her entry lists her hybrid key; the host's refresh then
    # starts a hybrid key.
    cedar = again(store, cedar_now)
    assert not cedar.circles.settle(circle_id)
    reports = sync(folder, ash, birch, cedar)
    assert [r.refused for r in reports] == [[]] * len(reports)
    rosters = [p.circles.roster(circle_id) for p in (ash, birch, cedar)]
    assert {r.epoch_recipient for r in rosters} == {rosters[0].epoch_recipient}
    assert rosters[0].epoch == before.epoch + 1
    assert {_stanza_types(g) == {"mlkem768x25519"} for g in rosters[0].grants.values()} == {True}
    assert {r.members for r in rosters} == {rosters[0].members}
    assert {has_hybrid(m.recipient) for m in rosters[0].members} == {True}
    for someone in (birch, cedar):
        [row] = someone.sharing.summaries(circle_id)
        assert someone.sharing.load(row.id).body == "Words from before."


# -- the rule itself, on rosters -------------------------------------------------------


@pytest.fixture
def circle(file_store: Store) -> tuple[Person, Person, Roster]:
    """A circle of Ash (host) and Cedar, Cedar listed with her X25519 key only."""
    ash = person(file_store, "ash")
    cedar = before_hybrid_keys(file_store, person(file_store, "cedar"))
    circle_id = ash.circles.create("Tuesday group").id
    ash.circles.invite(circle_id, cedar.card)
    cedar.circles.accept(circle_id, "Cedar")
    return ash, cedar, ash.circles.roster(circle_id)


def _listing(roster: Roster, member_id: str, recipient: str, *, epoch: int = 0) -> Roster:
    """``roster`` as a file of the next revision listing ``member_id`` with these keys."""
    entry = roster.member(member_id)
    assert entry is not None
    return replace(
        roster,
        epoch=epoch or roster.epoch,
        revision=roster.revision + 1,
        epoch_recipient=roster.epoch_recipient if not epoch else "age1pq1new",
        members=roster.with_member(replace(entry, recipient=recipient)),
        grants={} if epoch else roster.grants,
    )


def test_the_member_s_own_file_adds_a_hybrid_key_and_the_order_of_files_does_not_matter(
    circle: tuple[Person, Person, Roster],
) -> None:
    ash, cedar, roster = circle
    classic = str(cedar.member.identity.recipient)
    hybrid = str(vault.HybridIdentity.generate().recipient)
    own = _listing(roster, cedar.member.id, f"{classic} {hybrid}")
    host_epoch = _listing(roster, cedar.member.id, f"{classic} {hybrid}", epoch=roster.epoch + 1)
    one = merge(merge(roster, own, cedar.member.id), host_epoch, ash.member.id)
    two = merge(merge(roster, host_epoch, ash.member.id), own, cedar.member.id)
    assert one.members == two.members
    entry = one.member(cedar.member.id)
    assert entry is not None and entry.recipient == f"{classic} {hybrid}"
    # The host's new epoch alone did not give Cedar a key: that is hearsay.
    hearsay = merge(roster, host_epoch, ash.member.id).member(cedar.member.id)
    assert hearsay is not None and hearsay.recipient == classic
    # Two hybrid keys in her own files: the smaller wins, whatever the order.
    other = str(vault.HybridIdentity.generate().recipient)
    second = _listing(own, cedar.member.id, f"{classic} {other}")
    after = [
        merge(merge(roster, a, cedar.member.id), b, cedar.member.id).member(cedar.member.id)
        for a, b in ((own, second), (second, own))
    ]
    assert after[0] == after[1]
    assert after[0] is not None and after[0].recipient == f"{classic} {min(hybrid, other)}"


def test_no_file_swaps_or_invents_a_member_s_keys(
    circle: tuple[Person, Person, Roster],
) -> None:
    ash, cedar, roster = circle
    classic = str(cedar.member.identity.recipient)
    hybrid = str(vault.HybridIdentity.generate().recipient)
    # The host lists a hybrid key for Cedar in the current epoch: left out.
    merged = merge(roster, _listing(roster, cedar.member.id, f"{classic} {hybrid}"), ash.member.id)
    assert merged.member(cedar.member.id) == roster.member(cedar.member.id)
    # Anyone's file with another X25519 key for her, even her own: refused.
    stranger = str(vault.X25519Identity.generate().recipient)
    for signer in (ash.member.id, cedar.member.id):
        with pytest.raises(EventError, match="swaps a member's keys"):
            merge(roster, _listing(roster, cedar.member.id, f"{stranger} {hybrid}"), signer)
    # Her own file with a hybrid key that is not one: refused.
    with pytest.raises(EventError, match="malformed"):
        merge(roster, _listing(roster, cedar.member.id, f"{classic} age1pq1xyz"), cedar.member.id)
    # Her own older file without the hybrid key takes nothing back.
    upgraded = merge(
        roster, _listing(roster, cedar.member.id, f"{classic} {hybrid}"), cedar.member.id
    )
    back = merge(upgraded, _listing(upgraded, cedar.member.id, classic), cedar.member.id)
    entry = back.member(cedar.member.id)
    assert entry is not None and entry.recipient == f"{classic} {hybrid}"
