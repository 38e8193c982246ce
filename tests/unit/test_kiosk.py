"""Kiosk policy without a terminal: PIN hashes, unlock delays, the idle clock."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from storycircle.errors import StorycircleError
from storycircle.journal.journal import Journal
from storycircle.journal.reactions import Reactions
from storycircle.kiosk.policy import (
    MEMBER_DELAY_CAP,
    PIN_FILE,
    Backoff,
    IdleTimer,
    KioskPolicy,
    check_pin,
    delay_after,
    hash_pin,
    load_pin,
    minutes_to_seconds,
    save_pin,
    scrub_environment,
    verify_pin,
)
from storycircle.models import Draft
from storycircle.session.config import Config, load_config, save_config
from storycircle.session.installation import remove_member
from storycircle.store import Store
from tests.support.people import TEST_WORK_FACTOR, FakeClock, make_member

PIN = "river-246810"


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- the PIN --------------------------------------------------------------------


def test_pin_hash_verifies_only_the_same_pin() -> None:
    stored = hash_pin(PIN, work_factor=TEST_WORK_FACTOR)
    assert verify_pin(PIN, stored)
    assert not verify_pin(PIN + "x", stored)
    assert not verify_pin("river-24681", stored)
    assert PIN not in stored


def test_each_hash_has_its_own_salt() -> None:
    assert hash_pin(PIN, work_factor=TEST_WORK_FACTOR) != hash_pin(
        PIN, work_factor=TEST_WORK_FACTOR
    )


@pytest.mark.parametrize(
    "damaged",
    ["", "scrypt$10$AAAA", "bcrypt$10$AAAA$BBBB", "scrypt$99$AAAA$BBBB", "scrypt$10$!!$??"],
)
def test_a_damaged_hash_never_matches(damaged: str) -> None:
    assert not verify_pin(PIN, damaged)


@pytest.mark.parametrize("pin", ["", "      ", "12345", "x" * 129])
def test_pin_rules(pin: str) -> None:
    with pytest.raises(StorycircleError, match="PIN"):
        check_pin(pin)


def test_saved_pin_is_private_and_holds_no_pin(tmp_path: Path) -> None:
    assert load_pin(tmp_path) is None
    save_pin(tmp_path, PIN, work_factor=TEST_WORK_FACTOR)
    path = tmp_path / PIN_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PIN not in path.read_text()
    policy = KioskPolicy.create(tmp_path, idle_seconds=60, hide_members=False)
    assert policy.check_pin(PIN)
    assert not policy.check_pin("something-else")


def test_no_pin_file_means_no_pin_opens(tmp_path: Path) -> None:
    policy = KioskPolicy.create(tmp_path, idle_seconds=60, hide_members=False)
    assert not policy.check_pin(PIN)


# -- delays after failed unlocks ------------------------------------------------------


def test_delays_double_and_stop_at_the_cap() -> None:
    assert [delay_after(n, 30) for n in range(8)] == [0, 1, 2, 4, 8, 16, 30, 30]
    assert delay_after(10_000, 30) == 30


def test_backoff_grows_per_member_and_never_shuts_anyone_out() -> None:
    ticks = Ticks()
    backoff = Backoff(ticks)
    assert backoff.wait_left("river") == 0
    assert backoff.failed("river") == 1
    assert backoff.wait_left("river") == 1
    assert backoff.wait_left("oak") == 0  # someone else is never slowed down
    ticks.now += 1
    assert backoff.wait_left("river") == 0
    assert backoff.failed("river") == 2
    assert backoff.failed("river") == 4
    for _ in range(50):
        backoff.failed("river")
    assert backoff.wait_left("river") == MEMBER_DELAY_CAP
    ticks.now += MEMBER_DELAY_CAP
    assert backoff.wait_left("river") == 0  # the cap: they can always try again


def test_success_forgets_the_failures() -> None:
    ticks = Ticks()
    backoff = Backoff(ticks)
    for _ in range(4):
        backoff.failed("river")
    backoff.succeeded("river")
    assert backoff.wait_left("river") == 0
    assert backoff.failed("river") == 1


# -- the idle clock ------------------------------------------------------------------


def test_idle_timer_counts_down_and_touch_restarts_it() -> None:
    ticks = Ticks()
    idle = IdleTimer(180, ticks)
    ticks.now += 149
    assert not idle.expired()
    assert idle.countdown_seconds() is None
    ticks.now += 1
    assert idle.countdown_seconds() == 30
    ticks.now += 0.5
    assert idle.countdown_seconds() == 30  # rounded up: never shows 0 before the lock
    ticks.now += 29
    assert idle.countdown_seconds() == 1
    idle.touch()
    assert idle.left() == 180
    ticks.now += 180
    assert idle.expired()
    assert idle.countdown_seconds() is None


def test_a_short_limit_is_not_all_countdown() -> None:
    ticks = Ticks()
    idle = IdleTimer(20, ticks)
    assert idle.countdown == 10
    ticks.now += 9
    assert idle.countdown_seconds() is None
    ticks.now += 2
    assert idle.countdown_seconds() == 9


def test_minutes_to_seconds() -> None:
    assert minutes_to_seconds(3) == 180
    assert minutes_to_seconds(0.5) == 30
    for bad in (0, 0.01, 61, float("nan")):
        with pytest.raises(StorycircleError, match="minutes"):
            minutes_to_seconds(bad)


def test_environment_that_could_drive_or_record_the_kiosk_is_removed() -> None:
    environ = {
        "TEXTUAL_ALLOW_SIGNALS": "1",
        "TEXTUAL_PRESS": "ctrl+q",
        "TEXTUAL_SCREENSHOT": "5",
        "TEXTUAL_LOG": "/tmp/log",
        "TEXTUAL_ANIMATIONS": "none",
        "HOME": "/home/kiosk",
    }
    scrub_environment(environ)
    assert environ == {"TEXTUAL_ANIMATIONS": "none", "HOME": "/home/kiosk"}


# -- settings and removing members ----------------------------------------------------


def test_kiosk_settings_round_trip(tmp_path: Path) -> None:
    assert (Config().kiosk_idle_seconds, Config().kiosk_hide_members) == (180, False)
    config = Config(kiosk_idle_seconds=45, kiosk_hide_members=True)
    save_config(tmp_path, config)
    assert load_config(tmp_path) == config


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kiosk_idle_seconds = 2", "kiosk_idle_seconds must be a whole number from 5"),
        ('kiosk_hide_members = "yes"', "kiosk_hide_members must be true or false"),
    ],
)
def test_bad_kiosk_settings(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(StorycircleError, match=message):
        load_config(tmp_path)


def test_removing_a_member_deletes_their_journal_and_nobody_else_s(
    store: Store, tmp_path: Path
) -> None:
    river = make_member(store, "river")
    oak = make_member(store, "oak")
    river_journal = Journal(store, river, clock=FakeClock())
    oak_journal = Journal(store, oak, clock=FakeClock())
    mine = river_journal.save(title="Mine", body="River's words", tags=["hope"], content_notes=[])
    theirs = oak_journal.save(title="Oak's", body="Oak's words", tags=["hope"], content_notes=[])
    river_journal.save_draft(Draft(id="d1", title="half", body="half a story"))
    Reactions(store, river).toggle(theirs.story.id, "hope")
    Reactions(store, oak).toggle(mine.story.id, "me-too")
    consent = tmp_path / f"consents-{river.id}.age"
    consent.write_bytes(b"sealed ids")

    remove_member(tmp_path, store, river.id)

    assert [m.pseudonym for m in store.members()] == ["oak"]
    assert store.story(mine.story.id) is None
    assert store.drafts(river.id) == []
    # Reactions to river's stories go with them; river's own reaction to oak's
    # story names nobody, so it stays as a count (it cannot be told apart).
    assert store.reacting.of_story(mine.story.id) == []
    assert Reactions(store, oak).summary(theirs.story.id).hope == 1
    assert not consent.exists()
    assert oak_journal.load(theirs.story.id).body == "Oak's words"
    with pytest.raises(StorycircleError, match="no longer here"):
        remove_member(tmp_path, store, river.id)
