"""Kiosk policy, free of Textual: the facilitator's PIN, unlock delays, the idle clock.

A kiosk is one machine shared by a small group. Its rules live here as plain
Python so they can be tested without a terminal; the screens in
``storycircle/screens/kiosk_*.py`` only show them.

- The facilitator's PIN is kept as a slow salted scrypt hash (never the PIN)
  in a 0600 file in the data folder.
- A failed unlock makes the next try of that member wait 1 s, 2 s, 4 s…, up to
  a cap: slow enough to spoil guessing, never a lock-out someone could use to
  keep a member from their own stories.
- The idle clock reads an injected "now", so tests move time without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle.clock import Monotonic
from storycircle.errors import StorycircleError
from storycircle.files import write_atomically
from storycircle.sealing.secret_hash import hash_secret, secret_matches

if TYPE_CHECKING:
    pass

PIN_FILE = "facilitator-pin"
MIN_PIN_LENGTH = 6
MAX_PIN_LENGTH = 128
MIN_IDLE_SECONDS = 5
MAX_IDLE_SECONDS = 3600
COUNTDOWN_SECONDS = 30
MEMBER_DELAY_CAP = 30.0
PIN_DELAY_CAP = 60.0

# Environment variables that would let a kiosk be driven or recorded from
# outside: signals from the keyboard, automatic screenshots, key presses at
# start, logs and devtools that could carry story text.
UNSAFE_ENVIRONMENT = (
    "TEXTUAL",
    "TEXTUAL_ALLOW_SIGNALS",
    "TEXTUAL_DEBUG",
    "TEXTUAL_DEVTOOLS_HOST",
    "TEXTUAL_DEVTOOLS_PORT",
    "TEXTUAL_DRIVER",
    "TEXTUAL_LOG",
    "TEXTUAL_PRESS",
    "TEXTUAL_SCREENSHOT",
    "TEXTUAL_SCREENSHOT_FILENAME",
    "TEXTUAL_SCREENSHOT_LOCATION",
    "TEXTUAL_SHOW_RETURN",
)


def minutes_to_seconds(minutes: float) -> int:
    """An idle limit given in minutes (3, 0.5) as whole seconds.

    Raises:
        StorycircleError: outside :data:`MIN_IDLE_SECONDS` to :data:`MAX_IDLE_SECONDS`.
    """
    seconds = round(minutes * 60) if minutes == minutes else -1  # NaN is out of range
    if not MIN_IDLE_SECONDS <= seconds <= MAX_IDLE_SECONDS:
        raise StorycircleError(
            f"the idle time must be from {MIN_IDLE_SECONDS} seconds "
            f"to {MAX_IDLE_SECONDS // 60} minutes"
        )
    return seconds


def scrub_environment(environ: MutableMapping[str, str]) -> None:
    """Remove the variables of :data:`UNSAFE_ENVIRONMENT` (call before importing Textual)."""
    for name in UNSAFE_ENVIRONMENT:
        environ.pop(name, None)


# -- the facilitator's PIN ------------------------------------------------------


def check_pin(pin: str) -> None:
    """Refuse a PIN that is too short, too long, or only spaces.

    Raises:
        StorycircleError: with the rule that was broken.
    """
    if not pin.strip():
        raise StorycircleError("the PIN cannot be empty")
    if len(pin) < MIN_PIN_LENGTH:
        raise StorycircleError(f"the PIN needs at least {MIN_PIN_LENGTH} characters")
    if len(pin) > MAX_PIN_LENGTH:
        raise StorycircleError(f"the PIN can have at most {MAX_PIN_LENGTH} characters")


def hash_pin(pin: str, *, work_factor: int) -> str:
    """Return ``scrypt$<log2 N>$<salt>$<hash>`` for ``pin`` with a fresh salt.

    Raises:
        StorycircleError: the PIN breaks a rule of :func:`check_pin`.
    """
    check_pin(pin)
    return hash_secret(pin, work_factor=work_factor)


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches the hash ``stored`` (slow on purpose; use a worker).

    A damaged hash never matches; it does not raise.
    """
    return len(pin) <= MAX_PIN_LENGTH and secret_matches(pin, stored)


def save_pin(folder: Path, pin: str, *, work_factor: int) -> None:
    """Store the hash of a new PIN in ``folder`` (mode 0600, replaced atomically).

    Raises:
        StorycircleError: the PIN breaks a rule, or the file cannot be written.
    """
    text = hash_pin(pin, work_factor=work_factor) + "\n"
    try:
        write_atomically(folder / PIN_FILE, text.encode("ascii"))
    except OSError as error:
        raise StorycircleError(f"the PIN was not saved: {error.strerror}") from None


def load_pin(folder: Path) -> str | None:
    """The stored PIN hash, or None when no PIN was set.

    Raises:
        StorycircleError: the file exists but cannot be read.
    """
    try:
        return (folder / PIN_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise StorycircleError(f"cannot read the facilitator PIN file: {error}") from None


# -- delays after failed tries ----------------------------------------------------


def delay_after(failures: int, cap: float) -> float:
    """Seconds to wait after ``failures`` failed tries in a row: 0, 1, 2, 4, 8… up to ``cap``."""
    if failures <= 0:
        return 0.0
    # The exponent is bounded so a long run of failures cannot overflow.
    return float(min(2 ** min(failures - 1, 30), cap))


class Backoff:
    """Growing waits after failed tries, kept apart per key (a member, the PIN).

    Only the key that failed waits: someone guessing at one member never slows
    anyone else down, and the cap means nobody is ever shut out for good.
    """

    def __init__(self, clock: Monotonic = time.monotonic, *, cap: float = MEMBER_DELAY_CAP):
        """Count failures on ``clock``; no wait is longer than ``cap`` seconds."""
        self._clock = clock
        self.cap = cap
        self._failures: dict[str, int] = {}
        self._until: dict[str, float] = {}

    def wait_left(self, key: str) -> float:
        """Seconds before ``key`` may try again (0 when it may try now)."""
        return max(0.0, self._until.get(key, 0.0) - self._clock())

    def failed(self, key: str) -> float:
        """Record a failed try of ``key``; return the seconds it must now wait."""
        count = self._failures.get(key, 0) + 1
        self._failures[key] = count
        delay = delay_after(count, self.cap)
        self._until[key] = self._clock() + delay
        return delay

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key`` (it got in)."""
        self._failures.pop(key, None)
        self._until.pop(key, None)


# -- the idle clock -------------------------------------------------------------------


class IdleTimer:
    """How long the kiosk has been left alone, on an injected clock."""

    def __init__(
        self,
        limit: float,
        clock: Monotonic = time.monotonic,
        *,
        countdown: float = COUNTDOWN_SECONDS,
    ) -> None:
        """Lock after ``limit`` idle seconds; warn during the last ``countdown``
        (at most half the limit, so a short limit is not all countdown)."""
        self.limit = limit
        self._countdown = countdown
        self._clock = clock
        self._last = clock()

    @property
    def countdown(self) -> float:
        """Seconds before the lock during which the warning shows."""
        return min(self._countdown, self.limit / 2)

    def touch(self) -> None:
        """Someone pressed a key or used the mouse: start counting again."""
        self._last = self._clock()

    def left(self) -> float:
        """Seconds until the lock (0 or less: lock now)."""
        return self.limit - (self._clock() - self._last)

    def expired(self) -> bool:
        """True when the idle limit has passed."""
        return self.left() <= 0

    def countdown_seconds(self) -> int | None:
        """Whole seconds to show in the warning, or None outside its window."""
        left = self.left()
        if left <= 0 or left > self.countdown:
            return None
        whole = int(left)
        return whole if whole == left else whole + 1


# -- the policy a kiosk app is given ------------------------------------------------------


@dataclass
class KioskPolicy:
    """Everything a kiosk app needs to enforce its rules.

    Attributes:
        folder: The installation's data folder (where the PIN hash lives).
        idle: The idle clock.
        hide_members: Ask people to type their pseudonym instead of listing members.
        clock: The monotonic clock shared by the idle timer and the delays.
        unlock_delays: Waits after failed member unlocks, per member.
        pin_delays: Waits after wrong facilitator PINs.
    """

    folder: Path
    idle: IdleTimer
    hide_members: bool = False
    clock: Monotonic = time.monotonic
    unlock_delays: Backoff = field(init=False)
    pin_delays: Backoff = field(init=False)

    def __post_init__(self) -> None:
        """Make the two delay counters on the policy's clock."""
        self.unlock_delays = Backoff(self.clock, cap=MEMBER_DELAY_CAP)
        self.pin_delays = Backoff(self.clock, cap=PIN_DELAY_CAP)

    @classmethod
    def create(
        cls,
        folder: Path,
        *,
        idle_seconds: int,
        hide_members: bool,
        clock: Monotonic = time.monotonic,
    ) -> KioskPolicy:
        """A policy for ``folder`` with its idle limit and member-list setting."""
        return cls(folder, IdleTimer(idle_seconds, clock), hide_members, clock)

    def check_pin(self, pin: str) -> bool:
        """True when ``pin`` is the facilitator's (slow; call from a worker thread)."""
        stored = load_pin(self.folder)
        return stored is not None and verify_pin(pin, stored)


def spend_like_unlock(work_factor: int) -> None:
    """Spend about as long as an unlock would, for a pseudonym nobody has.

    When members type their pseudonym, a quick "no" would tell a passer-by
    which names exist; one throwaway scrypt of the same cost hides that.
    """
    hash_secret("not a member", work_factor=work_factor)


def wait_text(seconds: float) -> str:
    """ "You can try again in 4 s." (rounded up, never "0 s")."""
    whole = max(1, int(seconds) + (0 if seconds == int(seconds) else 1))
    return f"You can try again in {whole} s."
