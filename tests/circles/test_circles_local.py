"""Circles on one machine: create, invite, accept, share, withdraw, leave, remove."""

from __future__ import annotations

import sqlite3

import pytest

from storycircle import vault
from storycircle.circles import CircleError
from storycircle.store import Store
from tests.circles.helpers import Person, again, person

Three = tuple[Person, Person, Person]


@pytest.fixture
def three(file_store: Store) -> Three:
    return (
        person(file_store, "ash"),
        person(file_store, "birch"),
        person(file_store, "cedar"),
    )


def _circle_with(host: Person, *others: Person, name: str = "Tuesday group") -> str:
    circle = host.circles.create(name, "Ash at Tuesdays")
    for other in others:
        host.circles.invite(circle.id, other.card)
        other.circles.accept(circle.id, f"{other.member.pseudonym} here")
    return circle.id


def _all_bytes(store: Store) -> bytes:
    assert store.path is not None
    store.checkpoint()
    return store.path.read_bytes()


def test_the_circle_name_and_pseudonyms_are_never_stored_in_clear(
    three: Three, file_store: Store
) -> None:
    ash, birch, _ = three
    circle_id = _circle_with(ash, birch, name="Lantern-canary-77")
    assert ash.circles.circle(circle_id).name == "Lantern-canary-77"
    data = _all_bytes(file_store)
    assert b"Lantern-canary-77" not in data
    assert b"Ash at Tuesdays" not in data
    assert b"birch here" not in data


def test_an_invited_member_sees_the_invitation_and_accepts_under_a_circle_pseudonym(
    three: Three,
) -> None:
    ash, birch, _ = three
    circle = ash.circles.create("Tuesday group")
    ash.circles.invite(circle.id, birch.card)
    [invited] = birch.circles.circles()
    assert (invited.name, invited.my_status) == ("Tuesday group", "invited")
    birch.circles.accept(circle.id, "Willow")
    seen = ash.circles.circle(circle.id)
    assert [(m.pseudonym, m.status) for m in seen.members] == [
        ("ash", "active"),
        ("Willow", "active"),
    ]


def test_a_shared_story_is_read_by_the_circle_under_the_authors_circle_pseudonym(
    three: Three,
) -> None:
    ash, birch, cedar = three
    circle_id = _circle_with(ash, birch)
    story = ash.write("The night I called", "I picked up the phone.", ("relapse",))
    assert ash.sharing.audience(circle_id) == ["birch here"]
    ash.sharing.share(story, circle_id)
    [row] = birch.sharing.summaries(circle_id)
    assert (row.title, row.author_name, row.tags) == (
        "The night I called",
        "Ash at Tuesdays",
        ("relapse",),
    )
    opened = birch.sharing.load(row.id)
    assert opened.body == "I picked up the phone."
    assert [s.title for s in birch.sharing.with_tag(circle_id, "relapse")] == ["The night I called"]
    # Someone outside the circle holds no key to it.
    with pytest.raises(CircleError):
        cedar.sharing.summaries(circle_id)


def test_withdrawing_removes_the_circle_copy_and_keeps_the_authors_own(
    three: Three, file_store: Store
) -> None:
    ash, birch, _ = three
    circle_id = _circle_with(ash, birch)
    story = ash.write("Not ready yet")
    ash.sharing.share(story, circle_id)
    ash.sharing.withdraw(story.id, circle_id)
    assert birch.sharing.summaries(circle_id) == []
    assert ash.journal.load(story.id).title == "Not ready yet"
    # Nothing in the database is encrypted to the circle's key any more.
    key = ash.circles.current_key(circle_id)
    conn = sqlite3.connect(str(file_store.path))
    blobs = [row[0] for row in conn.execute("SELECT blob FROM stories")]
    for blob in blobs:
        with pytest.raises(vault.NoIdentityMatch):
            vault.decrypt(blob, [key.identity])


def test_editing_a_shared_story_updates_the_circle_copy(three: Three) -> None:
    ash, birch, _ = three
    circle_id = _circle_with(ash, birch)
    story = ash.write("Draft one")
    ash.sharing.share(story, circle_id)
    edited = ash.journal.save(title="Draft two", body="More.", story_id=story.id, base_version=1)
    ash.sharing.story_saved(edited.story)
    [row] = birch.sharing.summaries(circle_id)
    assert (row.title, row.version) == ("Draft two", 2)


def test_after_a_removal_the_removed_members_key_opens_nothing_of_the_circle(
    three: Three, file_store: Store
) -> None:
    ash, birch, cedar = three
    circle_id = _circle_with(ash, birch, cedar)
    before = ash.write("Before", tags=("hope",))
    ash.sharing.share(before, circle_id)
    cedars = cedar.write("Cedar's own")
    cedar.sharing.share(cedars, circle_id)
    old_epoch = ash.circles.record(circle_id).epoch
    seen: list[tuple[int, int]] = []
    ash.circles.remove(circle_id, birch.member.id, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (2, 2)
    assert ash.circles.record(circle_id).epoch == old_epoch + 1
    after = ash.write("After")
    ash.sharing.share(after, circle_id)
    # Birch's own identity opens no grant, no story, nothing of the circle.
    conn = sqlite3.connect(str(file_store.path))
    for (blob,) in conn.execute(
        "SELECT blob FROM circle_grants UNION ALL SELECT blob FROM circle_stories"
    ):
        with pytest.raises(vault.NoIdentityMatch):
            vault.decrypt(blob, birch.member.identities)
    assert conn.execute(
        "SELECT count(*) FROM circle_grants WHERE member_id = ?", (birch.member.id,)
    ).fetchone() == (0,)
    fresh_birch = again(file_store, birch)
    assert fresh_birch.circles.circles() == []
    with pytest.raises(CircleError):
        fresh_birch.sharing.summaries(circle_id)
    # Those who remain read everything, old and new, and tag tokens were recomputed.
    titles = sorted(s.title for s in cedar.sharing.summaries(circle_id))
    assert titles == ["After", "Before", "Cedar's own"]
    assert [s.title for s in cedar.sharing.with_tag(circle_id, "hope")] == ["Before"]


def test_leaving_starts_a_new_epoch_for_those_who_remain(three: Three, file_store: Store) -> None:
    ash, birch, _ = three
    circle_id = _circle_with(ash, birch)
    ash.sharing.share(ash.write("Shared"), circle_id)
    birch.circles.leave(circle_id)
    assert [c.id for c in again(file_store, birch).circles.circles()] == []
    # The host, not the leaver, starts the new key; until then the circle waits.
    assert ash.circles.circle(circle_id).waiting_for == ("birch here",)
    assert ash.circles.circle(circle_id).epoch == 1
    assert ash.circles.settle(circle_id)
    assert ash.circles.circle(circle_id).waiting_for == ()
    assert ash.circles.circle(circle_id).epoch == 2
    assert [m.status for m in ash.circles.circle(circle_id).members] == ["active", "left"]
    assert [s.title for s in again(file_store, ash).sharing.summaries(circle_id)] == ["Shared"]


def test_only_the_host_removes_and_the_host_cannot_walk_out_on_others(three: Three) -> None:
    ash, birch, cedar = three
    circle_id = _circle_with(ash, birch, cedar)
    with pytest.raises(CircleError, match="only the host"):
        birch.circles.remove(circle_id, cedar.member.id)
    with pytest.raises(CircleError, match="you host this circle"):
        ash.circles.leave(circle_id)


def test_sharing_needs_an_accepted_invitation_and_ones_own_story(three: Three) -> None:
    ash, birch, _ = three
    circle = ash.circles.create("Tuesday group")
    ash.circles.invite(circle.id, birch.card)
    with pytest.raises(CircleError, match="accept the invitation"):
        birch.sharing.share(birch.write("Mine"), circle.id)
    birch.circles.accept(circle.id, "Willow")
    with pytest.raises(CircleError, match="only your own"):
        birch.sharing.share(ash.write("Ash's"), circle.id)


def test_inviting_twice_or_a_removed_member_is_refused(three: Three) -> None:
    ash, birch, _ = three
    circle_id = _circle_with(ash, birch)
    with pytest.raises(CircleError, match="already in this circle"):
        ash.circles.invite(circle_id, birch.card)
    ash.circles.remove(circle_id, birch.member.id)
    with pytest.raises(CircleError, match="cannot be invited again"):
        ash.circles.invite(circle_id, birch.card)


def test_deleting_a_member_from_the_installation_takes_them_out_of_their_circles(
    three: Three, file_store: Store
) -> None:
    ash, birch, cedar = three
    circle_id = _circle_with(ash, birch, cedar)
    ash.sharing.share(ash.write("Ash's"), circle_id)
    birch.sharing.share(birch.write("Birch's"), circle_id)
    assert file_store.delete_member(birch.member.id)
    statuses = {
        m.pseudonym: m.status for m in again(file_store, ash).circles.circle(circle_id).members
    }
    assert statuses["birch here"] == "removed"
    assert [s.title for s in again(file_store, cedar).sharing.summaries(circle_id)] == ["Ash's"]
    assert file_store.circles.grants_of(circle_id, birch.member.id) == {}
