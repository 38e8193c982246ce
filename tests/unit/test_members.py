"""Members: creation, unlock, passphrase rules and changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import storycircle.journal.members as members_module
from storycircle import vault
from storycircle.errors import StorycircleError, WeakPassphrase, WrongPassphrase
from storycircle.journal.journal import Journal
from storycircle.journal.members import (
    HYBRID_LINE_PREFIX,
    change_passphrase,
    create_member,
    find_member,
    save_upgrade,
    unlock,
)
from storycircle.models import MemberRecord
from storycircle.sealing.passphrase import check_strength
from storycircle.session.config import Config
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.store import Store
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR


def test_create_and_unlock(store: Store) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    member = unlock(record, PASSPHRASE)
    assert member.pseudonym == "river"
    assert str(member.identity.recipient) == record.recipient
    assert find_member(store, "river").id == record.id


def test_the_sealed_identity_is_an_age_identity_file(store: Store) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    text = vault.decrypt(record.identity_sealed, [vault.ScryptIdentity(PASSPHRASE)]).decode()
    assert f"# public key: {record.recipient}" in text
    assert any(line.startswith("AGE-SECRET-KEY-1") for line in text.splitlines())


def test_wrong_passphrase_is_one_clear_line(store: Store) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    with pytest.raises(WrongPassphrase) as caught:
        unlock(record, "kettle orbit maple eighteen")
    assert str(caught.value) == "that passphrase does not unlock this member"
    assert PASSPHRASE not in str(caught.value)


def test_change_passphrase_rewraps_only_the_identity(store: Store) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    member = unlock(record, PASSPHRASE)
    new = "lantern harbour violet ninety"
    change_passphrase(store, member, new, work_factor=TEST_WORK_FACTOR)
    stored = find_member(store, "river")
    assert stored.signing_sealed == record.signing_sealed
    assert stored.recipient == record.recipient
    with pytest.raises(WrongPassphrase):
        unlock(stored, PASSPHRASE)
    assert unlock(stored, new).identity.to_bytes() == member.identity.to_bytes()


@pytest.mark.parametrize(
    ("passphrase", "reason"),
    [
        ("short", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "repeated characters"),
        ("abcdefghijklmnop", "first ones guessed"),
        ("1234567890123", "first ones guessed"),
        ("password1234", "first ones guessed"),
    ],
)
def test_weak_passphrases_are_refused_with_a_reason(passphrase: str, reason: str) -> None:
    with pytest.raises(WeakPassphrase, match=reason):
        check_strength(passphrase)


def test_passphrase_built_on_the_pseudonym_is_refused() -> None:
    with pytest.raises(WeakPassphrase, match="pseudonym"):
        check_strength("riverriver12", pseudonym="river")


def test_a_weak_passphrase_creates_nobody(store: Store) -> None:
    with pytest.raises(WeakPassphrase):
        create_member(store, "river", "tooshort", work_factor=TEST_WORK_FACTOR)
    assert store.members() == []


def test_pseudonym_rules(store: Store) -> None:
    with pytest.raises(StorycircleError, match="choose a pseudonym"):
        create_member(store, "  \x1b[2J ", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    with pytest.raises(StorycircleError, match="at most 40"):
        create_member(store, "x" * 41, PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    with pytest.raises(StorycircleError, match="already taken"):
        create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)


def test_pseudonym_is_sanitized(store: Store) -> None:
    record = create_member(store, "ri\x1b]0;pwned\x07ver", PASSPHRASE, work_factor=10)
    assert record.pseudonym == "river"


def test_repr_shows_no_secret(store: Store) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    member = unlock(record, PASSPHRASE)
    text = repr(member) + repr(member.journal)
    assert "AGE-SECRET-KEY" not in text
    assert member.journal.tag_key.hex() not in text


@pytest.mark.parametrize(
    ("pseudonym", "passphrase", "looks"),
    [
        ("river", "kettle orbit maple seventeen", False),
        ("Quiet one", "", False),
        ("kettle orbit maple seventeen", "", True),
        ("kettle orbit", "kettle orbit", True),
        ("kettle orbit maple sevent", "kettle orbit maple seventeen", True),
        ("Xk9#pL2$qR7v", "", True),
        ("Willow-2", "", False),
        ("", "anything", False),
    ],
)
def test_a_pseudonym_that_looks_like_a_passphrase(
    pseudonym: str, passphrase: str, looks: bool
) -> None:
    from storycircle.sealing.passphrase import looks_like_passphrase

    assert looks_like_passphrase(pseudonym, passphrase) is looks


def _legacy_member(store: Store) -> MemberRecord:
    """A member as made before hybrid keys: the identity file has the X25519 key only."""
    record = create_member(store, "elder", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    member = unlock(record, PASSPHRASE)
    sealed = members_module._seal_identity(member.identity, None, PASSPHRASE, TEST_WORK_FACTOR)
    store.replace_identity(record.id, sealed, "")
    return find_member(store, "elder")


def test_a_new_member_has_a_hybrid_key_sealed_with_the_identity(store: Store) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    member = unlock(record, PASSPHRASE)
    assert member.hybrid is not None and member.upgrade is None and member.has_hybrid
    assert member.own_recipient == member.hybrid.recipient
    assert member.key_text == f"{member.identity.recipient} {member.hybrid.recipient}"
    assert member.identities == [member.hybrid, member.identity]
    text = vault.decrypt(record.identity_sealed, [vault.ScryptIdentity(PASSPHRASE)]).decode()
    assert f"{HYBRID_LINE_PREFIX}{member.hybrid}" in text.splitlines()


def test_an_older_member_gets_a_hybrid_key_at_the_next_unlock(store: Store) -> None:
    record = _legacy_member(store)
    member = unlock(record, PASSPHRASE)
    # Prepared but not stored: nothing may be encrypted to it yet.
    assert member.hybrid is not None and member.upgrade is not None
    assert not member.has_hybrid
    assert member.own_recipient == member.identity.recipient
    assert find_member(store, "elder").identity_sealed == record.identity_sealed
    saved = save_upgrade(store, member)
    assert saved.has_hybrid and saved.own_recipient == member.hybrid.recipient
    again = unlock(find_member(store, "elder"), PASSPHRASE)
    assert again.upgrade is None and again.hybrid is not None
    assert again.hybrid.to_bytes() == member.hybrid.to_bytes()
    assert again.identity.to_bytes() == member.identity.to_bytes()
    # Stored under the same passphrase and the same scrypt cost.
    stored = find_member(store, "elder").identity_sealed
    assert vault.scrypt_work_factor(stored) == TEST_WORK_FACTOR
    assert save_upgrade(store, again) is again


def test_change_passphrase_keeps_the_hybrid_key(store: Store) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    member = unlock(record, PASSPHRASE)
    new = "lantern harbour violet ninety"
    change_passphrase(store, member, new, work_factor=TEST_WORK_FACTOR)
    after = unlock(find_member(store, "river"), new)
    assert after.hybrid is not None and member.hybrid is not None
    assert after.hybrid.to_bytes() == member.hybrid.to_bytes()
    assert after.upgrade is None


def test_a_damaged_hybrid_line_is_refused(store: Store) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    member = unlock(record, PASSPHRASE)
    bad = f"{HYBRID_LINE_PREFIX}AGE-SECRET-KEY-PQ-1QQQ"
    text = f"# public key: {record.recipient}\n{member.identity}\n{bad}\n"
    sealed = vault.encrypt(text.encode(), [vault.ScryptRecipient(PASSPHRASE, TEST_WORK_FACTOR)])
    store.replace_identity(record.id, sealed)
    with pytest.raises(StorycircleError, match="damaged"):
        unlock(find_member(store, "river"), PASSPHRASE)


def test_opening_the_journal_stores_the_upgrade_and_new_stories_use_it(
    store: Store, tmp_path: Path
) -> None:
    record = _legacy_member(store)
    old_member = unlock(record, PASSPHRASE)
    # A story from before the upgrade: classic only (the member had no hybrid key).
    journal = Journal(store, replace(old_member, hybrid=None, upgrade=None))
    before = journal.save(title="Before", body="old words").story
    session = Session(Installation(tmp_path, store, Config(work_factor=TEST_WORK_FACTOR)))
    journal = session.open_journal(unlock(find_member(store, "elder"), PASSPHRASE))
    stored = find_member(store, "elder")
    assert stored.hybrid_recipient.startswith("age1pq1")
    assert journal.member.has_hybrid
    after = journal.save(title="After", body="new words").story
    types = set(vault.recipient_types(_blob(store, after.id)))
    assert types == {"mlkem768x25519"}
    assert set(vault.recipient_types(_blob(store, before.id))) == {"X25519"}
    assert journal.load(before.id).body == "old words"
    assert journal.load(after.id).body == "new words"
    # The next unlock needs no upgrade: the key is kept.
    again = unlock(stored, PASSPHRASE)
    assert again.upgrade is None and again.hybrid is not None
    assert str(again.hybrid.recipient) == stored.hybrid_recipient


def _blob(store: Store, story_id: str) -> bytes:
    record = store.story(story_id)
    assert record is not None
    return record.blob


def test_an_unlock_for_reading_only_prepares_no_key(store: Store) -> None:
    record = _legacy_member(store)
    member = unlock(record, PASSPHRASE, prepare_upgrade=False)
    assert member.hybrid is None and member.upgrade is None
    assert member.own_recipient == member.identity.recipient
    assert member.identities == [member.identity]
