"""Members: creation, unlock, passphrase rules and changes."""

from __future__ import annotations

import pytest

from storycircle import vault
from storycircle.errors import StorycircleError, WeakPassphrase, WrongPassphrase
from storycircle.members import change_passphrase, create_member, find_member, unlock
from storycircle.passphrase import check_strength
from storycircle.store import Store
from tests.conftest import PASSPHRASE, TEST_WORK_FACTOR


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
    from storycircle.passphrase import looks_like_passphrase

    assert looks_like_passphrase(pseudonym, passphrase) is looks
