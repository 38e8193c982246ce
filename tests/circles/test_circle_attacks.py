"""Attacks on circles by their own members and by whoever can write to the folder.

Each test numbers the case of the issue it covers. An attacker with a
modified client is played by calling the lower layers directly, with only
what that attacker holds: their own keys and every file they ever received.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from storycircle import vault
from storycircle.circles import CircleError
from storycircle.circles.epochs import EpochKey, new_epoch_key
from storycircle.circles.events import read_event, sign_event
from storycircle.circles.inbox import refresh
from storycircle.circles.roster import roster_from_event
from tests.circles.helpers import Person
from tests.circles.world import circle_of, drop, files, machine, opens, sync


@pytest.fixture
def z_folder(tmp_path: Path) -> Path:
    path = tmp_path / "z"
    path.mkdir()
    return path


@pytest.fixture
def q_folder(tmp_path: Path) -> Path:
    path = tmp_path / "q"
    path.mkdir()
    return path


def test_1_a_member_cannot_move_a_story_into_another_circle(z_folder: Path, q_folder: Path) -> None:
    ash, birch, cedar = machine("ash"), machine("birch"), machine("cedar")
    z = circle_of(ash, "Z", z_folder, birch)
    q = circle_of(cedar, "Q", q_folder, ash, birch)
    story = ash.write("Only for Z", "Words for Z.")
    ash.sharing.share(story, z)
    sync(z_folder, birch)
    # Birch (in Z and Q) opens Ash's file with Z's key and encrypts the same
    # signed plaintext to Q's key, then drops it into Q's folder.
    [(_name, data)] = files(z_folder, "story").items()
    plaintext = opens(data, [birch.circles.current_key(z).identity])
    assert plaintext is not None
    q_key = birch.circles.current_key(q)
    drop(q_folder, "story", vault.encrypt(plaintext, [vault.parse_recipient(q_key.recipient)]))
    report = refresh(ash.sharing, str(q_folder))
    assert [r for _n, r in report.refused] == ["a story shared to another circle, copied here"]
    assert refresh(cedar.sharing, str(q_folder)).applied == 0
    assert cedar.sharing.summaries(q) == []
    # Ash edits the story: the edit goes to Z only, as Ash's machine recorded.
    before = set(files(q_folder, "story"))
    edited = ash.journal.save(
        title="Only for Z", body="Edited.", story_id=story.id, base_version=1
    ).story
    ash.sharing.story_saved(edited)
    assert set(files(q_folder, "story")) == before
    assert ash.sharing.shared_to(story.id) == [z]
    assert ash.circles.rows.rows_of_story(q, story.id) == []


def test_1_a_story_with_anothers_id_draws_no_edits_to_its_circle(
    z_folder: Path, q_folder: Path
) -> None:
    ash, birch = machine("ash"), machine("birch")
    z = circle_of(ash, "Z", z_folder, birch)
    q = circle_of(birch, "Q", q_folder, ash)
    story = ash.write("Mine")
    ash.sharing.share(story, z)
    sync(z_folder, birch)
    # Birch shares a story of their own under the id of Ash's story, to Q.
    fake = birch.write("Decoy")
    from dataclasses import replace

    birch.sharing.share(replace(fake, id=story.id), q)
    sync(q_folder, ash)
    ash.sharing.story_saved(story)
    assert ash.sharing.shared_to(story.id) == [z]


def test_2_two_members_accepting_at_once_both_end_up_in(z_folder: Path) -> None:
    ash, birch, cedar = machine("ash"), machine("birch"), machine("cedar")
    circle = ash.circles.create("Z", folder=str(z_folder)).id
    ash.circles.invite(circle, birch.card)
    ash.circles.invite(circle, cedar.card)
    for guest in (birch, cedar):
        refresh(guest.sharing, str(z_folder))
        guest.circles.set_folder(circle, str(z_folder))
    # Both accept before either sees the other's acceptance (same revision).
    birch.circles.accept(circle, "Birch")
    cedar.circles.accept(circle, "Cedar")
    reports = sync(z_folder, ash, birch, cedar)
    assert all(not any("older" in r for _n, r in rep.refused) for rep in reports)
    for someone in (ash, birch, cedar):
        statuses = [m.status for m in someone.circles.circle(circle).members]
        assert statuses == ["active", "active", "active"], someone.member.pseudonym
    # And what Cedar shares, everyone takes.
    cedar.sharing.share(cedar.write("Hello"), circle)
    sync(z_folder, ash, birch)
    assert [s.title for s in birch.sharing.summaries(circle)] == ["Hello"]
    assert [s.title for s in ash.sharing.summaries(circle)] == ["Hello"]


def _removed(z_folder: Path) -> tuple[Person, Person, Person, str]:
    ash, birch, rowan = machine("ash"), machine("birch"), machine("rowan")
    circle = circle_of(ash, "Z", z_folder, birch, rowan)
    return ash, birch, rowan, circle


def test_3_a_removed_member_cannot_withdraw_anything(z_folder: Path) -> None:
    ash, birch, rowan, circle = _removed(z_folder)
    story = ash.write("Mine")
    ash.circles.remove(circle, rowan.member.id)
    sync(z_folder, birch, rowan)
    # Rowan, removed, signs withdrawals: of Ash's story id before it is
    # shared (at version 10**9), encrypted to the circle's new key (which
    # Rowan could only have from someone else: it is public).
    recipient = vault.parse_recipient(ash.circles.current_key(circle).recipient)
    for fields in (
        {"story": story.id, "seq": 10**9, "version": 10**9},
        {"story": story.id, "seq": 1, "version": 1},
    ):
        event = sign_event(
            {"kind": "withdraw", "circle": circle, "epoch": 2, "signer": rowan.member.id, **fields},
            rowan.member.signing_key,
        )
        drop(z_folder, "withdraw", vault.encrypt(event, [recipient]))
    report = refresh(birch.sharing, str(z_folder))
    assert any("no longer in the circle" in r for _n, r in report.refused)
    assert birch.circles.rows.withdrawn_version(circle, story.id) == 0
    # Ash shares the story afterwards: it is not blocked.
    ash.sharing.share(story, circle)
    refresh(birch.sharing, str(z_folder))
    assert [s.title for s in birch.sharing.summaries(circle)] == ["Mine"]


def test_3_a_member_cannot_withdraw_a_share_never_made(z_folder: Path) -> None:
    ash, birch, _rowan, circle = _removed(z_folder)
    story = birch.write("Mine")
    birch.sharing.share(story, circle)
    sync(z_folder, ash)
    key = birch.circles.current_key(circle)
    event = sign_event(
        {
            "kind": "withdraw",
            "circle": circle,
            "epoch": key.epoch,
            "signer": birch.member.id,
            "story": story.id,
            "seq": 10**9,
        },
        birch.member.signing_key,
    )
    drop(z_folder, "withdraw", vault.encrypt(event, [vault.parse_recipient(key.recipient)]))
    report = refresh(ash.sharing, str(z_folder))
    assert [r for _n, r in report.refused] == ["a withdrawal of a share newer than any made"]
    assert [s.title for s in ash.sharing.summaries(circle)] == ["Mine"]


def test_4_a_removed_member_cannot_add_copies_of_others_stories(z_folder: Path) -> None:
    ash, birch, rowan, circle = _removed(z_folder)
    ash.sharing.share(ash.write("Ash's words"), circle)
    sync(z_folder, birch, rowan)
    old_key = rowan.circles.current_key(circle)
    old_files = files(z_folder, "story")
    ash.circles.remove(circle, rowan.member.id)
    sync(z_folder, birch, rowan)
    # Rowan re-encrypts every file they ever received to the new key.
    recipient = vault.parse_recipient(ash.circles.current_key(circle).recipient)
    for data in old_files.values():
        plaintext = opens(data, [old_key.identity])
        assert plaintext is not None
        drop(z_folder, "story", vault.encrypt(plaintext, [recipient]))
    refresh(birch.sharing, str(z_folder))
    assert [s.title for s in birch.sharing.summaries(circle)] == ["Ash's words"]


def test_5_a_look_alike_invitation_is_told_apart(z_folder: Path) -> None:
    ash, birch = machine("ash"), machine("birch")
    real = circle_of(ash, "Across town", z_folder, birch)
    # A stranger holding Birch's public card makes a circle with the same
    # name, going by Ash's pseudonym, and invites Birch through the real folder.
    stranger = machine("ash")
    fake = stranger.circles.create("Across town", "Ash", folder=str(z_folder)).id
    stranger.circles.invite(fake, birch.card)
    refresh(birch.sharing, str(z_folder))
    listed = {c.id: c for c in birch.circles.circles()}
    assert set(listed) == {real, fake}
    assert listed[real].fingerprint != listed[fake].fingerprint
    assert listed[fake].host_known is False and listed[real].host_known is True
    # The name still means the circle Birch is in; the look-alike has its own.
    assert birch.circles.find("Across town").id == real
    assert birch.circles.find(f"Across town#{listed[fake].fingerprint}").id == fake


def test_6_a_removed_member_reopening_the_old_folder_gets_nothing_back(z_folder: Path) -> None:
    ash, _birch, rowan, circle = _removed(z_folder)
    ash.circles.remove(circle, rowan.member.id)
    refresh(rowan.sharing, str(z_folder))
    assert rowan.circles.circles() == []
    for _ in range(3):  # `circle open` on the old folder, again and again
        report = refresh(rowan.sharing, str(z_folder))
        assert rowan.circles.circles() == []
        assert rowan.circles.rows.circle(circle) is None
        assert report.applied == 0
    with pytest.raises(CircleError):
        rowan.sharing.share(rowan.write("Hello?"), circle)


def test_6_the_removal_notice_tells_only_that(z_folder: Path) -> None:
    ash, birch, rowan, circle = _removed(z_folder)
    known = set(files(z_folder, "roster"))
    ash.circles.remove(circle, rowan.member.id)
    new_key = ash.circles.current_key(circle)
    told = [
        read_event(plaintext)
        for name, data in files(z_folder, "roster").items()
        if name not in known and (plaintext := opens(data, rowan.member.identities))
    ]
    assert [t["kind"] for t in told] == ["removed"]
    assert new_key.recipient not in str(told) and birch.member.id not in str(told)


def test_7_a_re_share_after_withdrawal_reaches_the_others(z_folder: Path) -> None:
    ash, birch, _rowan, circle = _removed(z_folder)
    story = ash.write("Back again")
    ash.sharing.share(story, circle)
    sync(z_folder, birch)
    ash.sharing.withdraw(story.id, circle)
    sync(z_folder, birch)
    assert birch.sharing.summaries(circle) == []
    ash.sharing.share(story, circle)
    report = refresh(birch.sharing, str(z_folder))
    assert report.refused == []
    assert [s.title for s in birch.sharing.summaries(circle)] == ["Back again"]
    # Sharing an unchanged story that is still shared writes nothing new.
    before = set(files(z_folder, "story"))
    assert ash.sharing.share(story, circle) is False
    assert set(files(z_folder, "story")) == before
    refresh(birch.sharing, str(z_folder))
    assert [s.title for s in birch.sharing.summaries(circle)] == ["Back again"]


def test_8_junk_files_are_refused_once_each_without_trying_keys(
    z_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ash, birch = machine("ash"), machine("birch")
    circle = circle_of(ash, "Z", z_folder, birch)
    # A folder writer drops 300 roster-named files, each to 256 recipients.
    strangers = [vault.X25519Identity.generate().recipient for _ in range(256)]
    junk = vault.encrypt(b"junk", strangers)
    for n in range(300):
        drop(z_folder, "roster", junk + n.to_bytes(2, "big"))
    tried: list[bytes] = []
    real_decrypt = vault.decrypt

    def recording_decrypt(data: bytes, identities: Sequence[vault.Identity]) -> bytes:
        tried.append(data)
        return real_decrypt(data, identities)

    monkeypatch.setattr(vault, "decrypt", recording_decrypt)
    report = refresh(birch.sharing, str(z_folder))
    reasons = [r for _n, r in report.refused]
    assert len(reasons) == 300
    assert set(reasons) == {"addressed to more recipients than a roster file has"}
    assert not any(d.startswith(junk) for d in tried)
    assert refresh(birch.sharing, str(z_folder)).refused == []  # each reported once
    ash.sharing.share(ash.write("Still works"), circle)
    assert refresh(birch.sharing, str(z_folder)).applied == 1


def test_9_the_leaver_never_holds_the_next_key(
    z_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ash, birch, sky = machine("ash"), machine("birch"), machine("sky")
    circle = circle_of(ash, "Z", z_folder, birch, sky)
    sky_old_key = sky.circles.current_key(circle)
    # Sky's client is modified: it keeps every key its machine makes.
    made: list[EpochKey] = []
    import storycircle.circles.service as service

    def keeping(circle_id: str, epoch: int) -> EpochKey:
        key = new_epoch_key(circle_id, epoch)
        made.append(key)
        return key

    import storycircle.circles.applying as applying

    monkeypatch.setattr(service, "new_epoch_key", keeping)
    monkeypatch.setattr(applying, "new_epoch_key", keeping, raising=False)
    sky.circles.leave(circle)
    monkeypatch.undo()
    assert made == []
    refresh(birch.sharing, str(z_folder))
    waiting = birch.circles.circle(circle)
    assert waiting.waiting_for == ("Sky",)
    with pytest.raises(CircleError, match="waiting for a new key after Sky left"):
        birch.sharing.share(birch.write("Not yet"), circle)
    sync(z_folder, ash, birch)  # the host starts the new key
    assert ash.circles.circle(circle).epoch == 2
    assert birch.circles.circle(circle).waiting_for == ()
    birch.sharing.share(birch.write("After Sky left"), circle)
    # Nothing Sky holds opens the new key or what was shared after.
    sky_keys: list[vault.Identity] = [sky.member.identity, sky_old_key.identity]
    for data in files(z_folder, "roster").values():
        plaintext = opens(data, sky_keys)
        if plaintext is not None and b'"roster"' in plaintext:
            assert roster_from_event(read_event(plaintext)).epoch == 1
    new_recipient = ash.circles.current_key(circle).recipient
    assert all(str(k.recipient) != new_recipient for k in made)
    latest = [d for d in files(z_folder, "story").values() if opens(d, sky_keys) is None]
    assert latest, "the story shared after Sky left is in the folder"
    assert all(opens(d, sky_keys) is None for d in latest)


def test_10_a_member_cannot_change_the_key_or_grants_within_an_epoch(z_folder: Path) -> None:
    ash, birch, _rowan, circle = _removed(z_folder)
    roster = birch.circles.roster(circle)
    mine = new_epoch_key(circle, roster.epoch)
    newer = new_epoch_key(circle, roster.epoch + 1)
    for changed, expected in (
        # The same epoch under a key Birch made, granted to everyone.
        (
            {
                "epoch_recipient": mine.recipient,
                "grants": {m.id: mine.grant_to(m.recipient) for m in roster.live()},
            },
            "without a new epoch",
        ),
        # The same key, but Ash's grant replaced.
        (
            {"grants": {**roster.grants, ash.member.id: mine.grant_to(ash.card.recipient)}},
            "without a new epoch",
        ),
        # A new epoch, which only the host may start.
        (
            {
                "epoch": newer.epoch,
                "epoch_recipient": newer.recipient,
                "grants": {m.id: newer.grant_to(m.recipient) for m in roster.live()},
            },
            "someone other than the host",
        ),
    ):
        from dataclasses import replace

        forged = replace(roster, revision=roster.revision + 1, **changed)
        event = sign_event(
            {**forged.to_event(), "signer": birch.member.id}, birch.member.signing_key
        )
        drop(z_folder, "roster", vault.encrypt(event, [vault.parse_recipient(ash.card.recipient)]))
        report = refresh(ash.sharing, str(z_folder))
        [(_n, reason)] = report.refused
        assert expected in reason
    assert ash.circles.current_key(circle).recipient == roster.epoch_recipient
    assert ash.circles.circle(circle).epoch == roster.epoch


def test_files_are_written_for_their_owner_only(z_folder: Path, tmp_path: Path) -> None:
    ash, birch = machine("ash"), machine("birch")
    circle = circle_of(ash, "Z", z_folder, birch)
    ash.sharing.share(ash.write("Private"), circle)
    modes = {p.name: p.stat().st_mode & 0o777 for p in z_folder.iterdir()}
    assert modes and set(modes.values()) == {0o600}, modes
    # A folder shared through a group keeps its files readable by that group.
    group = tmp_path / "group"
    group.mkdir()
    os.chmod(group, 0o2770)
    ash.circles.set_folder(circle, str(group))
    ash.sharing.share(ash.write("For the group"), circle)
    [written] = list(group.iterdir())
    assert written.stat().st_mode & 0o777 == 0o660


def test_8_story_files_for_nobody_here_are_not_tried_again_and_again(
    z_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ash, birch = machine("ash"), machine("birch")
    circle = circle_of(ash, "Z", z_folder, birch)
    # A folder writer drops story-named files addressed to a stranger's key.
    stranger = vault.X25519Identity.generate().recipient
    for n in range(50):
        drop(z_folder, "story", vault.encrypt(n.to_bytes(2, "big"), [stranger]))
    first = refresh(birch.sharing, str(z_folder))
    assert len(first.refused) == 50
    assert all("cannot be opened with your circles' keys" in r for _n, r in first.refused)
    tried: list[bytes] = []
    real_decrypt = vault.decrypt

    def recording_decrypt(data: bytes, identities: Sequence[vault.Identity]) -> bytes:
        tried.append(data)
        return real_decrypt(data, identities)

    monkeypatch.setattr(vault, "decrypt", recording_decrypt)
    assert refresh(birch.sharing, str(z_folder)).refused == []
    assert tried == []  # nothing changed here: no key is tried on them again
    # A new share still arrives; the waiting files are tried again only when
    # what this machine knows of its circles has changed.
    ash.sharing.share(ash.write("Still works"), circle)
    assert refresh(birch.sharing, str(z_folder)).applied == 1
