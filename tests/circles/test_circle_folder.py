"""Two installations sharing one circle folder, and what a folder refuses."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from storycircle import vault
from storycircle.circles.folder import write_bundle
from storycircle.circles.inbox import import_bundle, refresh
from storycircle.circles.stories import seal_circle_story
from storycircle.models import Story
from storycircle.sealing.envelope import seal_story
from storycircle.store import Store
from storycircle.vault import armor
from tests.circles.helpers import Person, again, person

Machines = tuple[Store, Store]
"""The stores of two installations: machine one and machine two."""


@pytest.fixture
def machines(tmp_path: Path) -> Iterator[Machines]:
    one = Store.open(tmp_path / "one.db")
    two = Store.open(tmp_path / "two.db")
    yield one, two
    one.close()
    two.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "synced"
    path.mkdir()
    return path


def _joined(machines: Machines, folder: Path) -> tuple[Person, Person, str]:
    """Ash on machine one hosts a circle with a folder; Birch on machine two joins it."""
    one, two = machines
    ash, birch = person(one, "ash"), person(two, "birch")
    circle = ash.circles.create("Across town", folder=str(folder))
    ash.circles.invite(circle.id, birch.card)
    report = refresh(birch.sharing, str(folder))
    assert report.refused == []
    birch.circles.set_folder(circle.id, str(folder))
    [invited] = birch.circles.circles()
    assert (invited.name, invited.my_status) == ("Across town", "invited")
    birch.circles.accept(circle.id, "Willow")
    refresh(ash.sharing, str(folder))
    assert [m.status for m in ash.circles.circle(circle.id).members] == ["active", "active"]
    return ash, birch, circle.id


def test_a_story_written_on_one_machine_is_read_on_the_other(
    machines: Machines, folder: Path
) -> None:
    ash, birch, circle_id = _joined(machines, folder)
    ash.sharing.share(ash.write("Written at home", "Every word.", ("hope",)), circle_id)
    report = refresh(birch.sharing, str(folder))
    assert (report.applied, report.refused) == (1, [])
    [row] = birch.sharing.summaries(circle_id)
    assert (row.title, row.author_name) == ("Written at home", "ash")
    assert birch.sharing.load(row.id).body == "Every word."
    # Refreshing again applies nothing twice.
    assert refresh(birch.sharing, str(folder)).applied == 0
    assert len(birch.sharing.summaries(circle_id)) == 1


def test_a_withdrawal_travels_too(machines: Machines, folder: Path) -> None:
    ash, birch, circle_id = _joined(machines, folder)
    story = ash.write("Changed my mind")
    ash.sharing.share(story, circle_id)
    refresh(birch.sharing, str(folder))
    ash.sharing.withdraw(story.id, circle_id)
    refresh(birch.sharing, str(folder))
    assert birch.sharing.summaries(circle_id) == []
    assert not any(name.startswith("story-") for name in os.listdir(folder))


def test_a_member_removed_on_one_machine_is_locked_out_on_the_other(
    machines: Machines, folder: Path
) -> None:
    _one, two = machines
    ash, birch, circle_id = _joined(machines, folder)
    ash.sharing.share(ash.write("Before"), circle_id)
    refresh(birch.sharing, str(folder))
    ash.circles.remove(circle_id, birch.member.id)
    ash.sharing.share(ash.write("After the removal"), circle_id)
    refresh(birch.sharing, str(folder))
    birch_again = again(two, birch)
    assert birch_again.circles.circles() == []
    assert two.circles.circle(circle_id) is None  # nothing of it stays on machine two
    after = [name for name in os.listdir(folder) if name.startswith("story-")]
    opened = 0
    for name in after:
        try:
            vault.decrypt((folder / name).read_bytes(), birch.member.identities)
            opened += 1
        except vault.NoIdentityMatch:
            pass
    assert opened == 0


def test_a_later_share_of_the_same_version_replaces_the_earlier_one(
    machines: Machines, folder: Path
) -> None:
    ash, birch, circle_id = _joined(machines, folder)
    story = ash.write("Version one")
    ash.sharing.share(story, circle_id)
    refresh(birch.sharing, str(folder))
    # The same version shared again, differently (say, from a backup): the
    # author's share counter says which is newer, so nothing is kept twice.
    other = dataclasses.replace(story, body="A different edit.")
    _drop(folder, "story", _seal(ash, other, circle_id, seq=2))
    report = refresh(birch.sharing, str(folder))
    assert (report.applied, report.refused) == (1, [])
    [row] = birch.sharing.summaries(circle_id)
    assert birch.sharing.load(row.id).body == "A different edit."


def test_a_file_of_the_old_format_is_refused_with_a_clear_reason(
    machines: Machines, folder: Path
) -> None:
    ash, birch, circle_id = _joined(machines, folder)
    key = ash.circles.current_key(circle_id)
    old = seal_story(
        ash.write("Old"), ash.member.signing_key, [vault.parse_recipient(key.recipient)]
    )
    _drop(folder, "story", old)
    report = refresh(birch.sharing, str(folder))
    [(_name, reason)] = report.refused
    assert "older storycircle (circle file v1" in reason
    assert refresh(birch.sharing, str(folder)).refused == []  # reported once


def test_bad_files_are_refused_each_with_a_reason_and_the_rest_still_apply(
    machines: Machines, folder: Path, tmp_path: Path
) -> None:
    ash, birch, circle_id = _joined(machines, folder)
    key = ash.circles.current_key(circle_id)
    epoch = [vault.parse_recipient(key.recipient)]
    v1 = ash.write("First")
    v2 = ash.journal.save(title="Second", body="b", story_id=v1.id, base_version=1).story
    ash.sharing.share(v2, circle_id)
    refresh(birch.sharing, str(folder))
    # A replayed older share, signed by the author.
    _drop(folder, "story", _seal(ash, v1, circle_id, seq=1, recipients=epoch))
    # A story claiming Ash as author, signed by an outsider's key.
    outsider = person(Store.memory(), "mallory")
    forged = dataclasses.replace(ash.write("Forged"), title="I am ash")
    _drop(folder, "story", _seal(ash, forged, circle_id, signer=outsider))
    # A story by someone not in the circle at all.
    _drop(folder, "story", _seal(outsider, outsider.write("Hello"), circle_id, recipients=epoch))
    # Not ours, oversized, a link out of the folder, a file with a foreign name.
    (folder / ("story-" + "0" * 32 + ".age")).write_bytes(b"plain text, not age")
    (folder / ("story-" + "1" * 32 + ".age")).write_bytes(b"x" * (3 * 1024 * 1024))
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", folder / ("story-" + "2" * 32 + ".age"))
    (folder / "notes.txt").write_text("hello")
    # And one good new story.
    ash.sharing.share(ash.write("Good one"), circle_id)
    report = refresh(birch.sharing, str(folder))
    reasons = sorted(reason for _name, reason in report.refused)
    assert report.applied == 1
    assert len(reasons) == 7, reasons
    joined = " | ".join(reasons)
    for expected in (
        "an older share",
        "signature does not match",
        "from someone not (yet) in the circle",
        "not an age file",
        "larger than any circle file",
        "a link",
        "not a storycircle circle file",
    ):
        assert expected in joined
    assert sorted(s.title for s in birch.sharing.summaries(circle_id)) == ["Good one", "Second"]


def test_a_bundle_carries_a_circle_without_a_shared_folder(
    machines: Machines, tmp_path: Path
) -> None:
    one, two = machines
    ash, birch = person(one, "ash"), person(two, "birch")
    circle = ash.circles.create("By post")
    ash.circles.invite(circle.id, birch.card)
    ash.sharing.share(ash.write("Mailed"), circle.id)
    bundle = tmp_path / "circle.bundle"
    assert write_bundle(ash.circles, circle.id, bundle) == 2
    report = import_bundle(birch.sharing, bundle)
    assert report.refused == []
    birch.circles.accept(circle.id, "Willow")
    assert [s.title for s in birch.sharing.summaries(circle.id)] == ["Mailed"]
    assert import_bundle(birch.sharing, bundle).applied == 0


def test_a_bundle_entry_named_to_leave_the_folder_is_refused(
    machines: Machines, tmp_path: Path
) -> None:
    _one, two = machines
    birch = person(two, "birch")
    bundle = tmp_path / "evil.bundle"
    bundle.write_bytes(b"storycircle-circle-bundle v1\n../../etc/passwd aGVsbG8=\n")
    report = import_bundle(birch.sharing, bundle)
    assert report.refused == [("../../etc/passwd", "a name that tries to leave the folder")]


def _seal(
    author: Person,
    story: Story,
    circle_id: str,
    *,
    seq: int = 1,
    epoch: int | None = None,
    signer: Person | None = None,
    recipients: Sequence[vault.Recipient] | None = None,
) -> bytes:
    """A v2 story file as a (possibly modified) client would write it."""
    key = author.circles.current_key(circle_id) if recipients is None else None
    return seal_circle_story(
        story,
        (signer or author).member.signing_key,
        circle_id,
        epoch or (key.epoch if key else 1),
        seq,
        recipients or [vault.parse_recipient(key.recipient)],  # type: ignore[union-attr]
    )


def _drop(folder: Path, kind: str, data: bytes) -> None:
    (folder / f"{kind}-{hashlib.sha256(data).hexdigest()[:32]}.age").write_bytes(data)


def test_a_file_from_a_removed_member_is_refused(machines: Machines, folder: Path) -> None:
    one, _two = machines
    ash, birch, circle_id = _joined(machines, folder)
    cedar = person(one, "cedar")
    ash.circles.invite(circle_id, cedar.card)
    cedar.circles.accept(circle_id, "Cedar")
    ash.circles.remove(circle_id, cedar.member.id)
    # Even if Cedar had the new key, a story Cedar signs is refused now.
    key = ash.circles.current_key(circle_id)
    late = cedar.write("Still here?")
    _drop(
        folder,
        "story",
        _seal(cedar, late, circle_id, epoch=2, recipients=[vault.parse_recipient(key.recipient)]),
    )
    report = refresh(birch.sharing, str(folder))
    assert [reason for _n, reason in report.refused] == ["from a member who left or was removed"]
    assert birch.sharing.summaries(circle_id) == []


def test_a_story_from_elsewhere_is_cleaned_before_it_is_listed_or_read(
    machines: Machines, folder: Path
) -> None:
    ash, birch, circle_id = _joined(machines, folder)
    key = ash.circles.current_key(circle_id)
    hostile = dataclasses.replace(
        ash.write("Plain"),
        title="Title\x1b]0;pwned\x07 [@click=app.quit]",
        body="Body \x1b[2J\u202eevil",
    )
    _drop(
        folder,
        "story",
        _seal(ash, hostile, circle_id, recipients=[vault.parse_recipient(key.recipient)]),
    )
    report = refresh(birch.sharing, str(folder))
    assert report.refused == []
    [row] = birch.sharing.summaries(circle_id)
    assert "\x1b" not in row.title and "[@click=app.quit]" in row.title
    opened = birch.sharing.load(row.id)
    assert "\x1b" not in opened.body and "\u202e" not in opened.body and "\x1b" not in opened.title


def test_an_armored_file_in_the_folder_imports_like_a_binary_one(
    machines: Machines, folder: Path
) -> None:
    # Someone's sync (git, an e-mail round trip) may carry the armored form.
    ash, birch, circle_id = _joined(machines, folder)
    ash.sharing.share(ash.write("Carried as text", "Every word."), circle_id)
    [binary_path] = [p for p in folder.iterdir() if p.name.startswith("story-")]
    armored = armor.encode(binary_path.read_bytes())
    assert armored.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    binary_path.unlink()
    name = f"story-{hashlib.sha256(armored).hexdigest()[:32]}.age"
    (folder / name).write_bytes(armored)
    report = refresh(birch.sharing, str(folder))
    assert (report.applied, report.refused) == (1, [])
    [row] = birch.sharing.summaries(circle_id)
    assert birch.sharing.load(row.id).body == "Every word."


def test_someone_invited_while_an_acceptance_is_on_its_way_still_learns_of_it(
    tmp_path: Path,
) -> None:
    # The host invites Cedar before Birch's acceptance reached the host's
    # machine: the list Cedar first sees says Birch is only invited, and
    # Birch's acceptance was written for those in the circle then. Birch
    # tells again, once, so Cedar reads Birch's stories like everyone else.
    folder = tmp_path / "synced"
    folder.mkdir()
    ash, birch, cedar = (person(Store.memory(), name) for name in ("ash", "birch", "cedar"))
    circle_id = ash.circles.create("Tuesday group", folder=str(folder)).id
    ash.circles.invite(circle_id, birch.card)
    refresh(birch.sharing, str(folder))
    birch.circles.set_folder(circle_id, str(folder))
    birch.circles.accept(circle_id, "Willow")
    ash.circles.invite(circle_id, cedar.card)  # Birch's acceptance not seen here yet
    refresh(cedar.sharing, str(folder))
    cedar.circles.set_folder(circle_id, str(folder))
    cedar.circles.accept(circle_id, "Cedar")
    birch.sharing.share(birch.write("First night", "I slept."), circle_id)
    for _ in range(3):
        for someone in (ash, birch, cedar):
            assert refresh(someone.sharing, str(folder)).refused == []
    rosters = [p.circles.roster(circle_id) for p in (ash, birch, cedar)]
    assert {r.members for r in rosters} == {rosters[0].members}
    assert {m.status for m in rosters[0].members} == {"active"}
    [row] = cedar.sharing.summaries(circle_id)
    assert cedar.sharing.load(row.id).body == "I slept."
