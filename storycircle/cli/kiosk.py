"""``storycircle kiosk``: run the shared kiosk, or set it up (``--setup``).

The setup asks a few plain questions on the terminal: the facilitator's PIN
(typed twice, never shown, never stored, only a slow salted hash of it), how
long the kiosk waits before locking itself, and whether to hide the member
list. With ``--pin-fd`` it reads the PIN from a file descriptor instead, for
scripts; the PIN is never taken from arguments or the environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import replace

from storycircle.cli.terminal import PassphraseSource, say_line, warn
from storycircle.errors import StorycircleError
from storycircle.kiosk.policy import (
    MIN_PIN_LENGTH,
    check_pin,
    load_pin,
    minutes_to_seconds,
    save_pin,
    scrub_environment,
)
from storycircle.session.config import save_config
from storycircle.session.helplines import HelpLine, parse_region, region_name, regions

# The installation and the kiosk app are imported where used: `kiosk --help`
# and the parser must not pay for them (start-up cost).

SETUP_DONE = """\
The kiosk is ready.

  Start it:            storycircle kiosk
  Add members:         on the start screen press F9, type your PIN, then "Add member"
  Quit it:             F9, your PIN, then "Quit storycircle"
  Change these again:  storycircle kiosk --setup

To make this machine start the kiosk by itself, see "Running a kiosk" in the README.
"""


def add_kiosk_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``kiosk`` verb to the command line."""
    kiosk = verbs.add_parser(
        "kiosk",
        help="run storycircle as a shared kiosk (set it up first with --setup)",
        description="Run storycircle on one machine shared by a small group: members "
        "unlock in turn, the screen locks itself when left, and only the facilitator "
        "(with a PIN) can quit, add or remove members, or change settings.",
    )
    kiosk.add_argument(
        "--setup", action="store_true", help="choose the facilitator PIN and the kiosk settings"
    )
    kiosk.add_argument(
        "--pin-fd",
        type=int,
        metavar="FD",
        help="with --setup: read the new PIN from this file descriptor instead of asking",
    )
    kiosk.add_argument(
        "--idle-minutes",
        type=float,
        metavar="N",
        help="with --setup: lock after N minutes without a key press (default 3)",
    )
    kiosk.add_argument(
        "--help-region",
        metavar="REGION",
        help="with --setup: whose help lines Help now (F1) shows first, e.g. GB or en-GB "
        '("system": from the system locale)',
    )
    hide = kiosk.add_mutually_exclusive_group()
    hide.add_argument(
        "--hide-members",
        action="store_true",
        default=None,
        help="with --setup: people type their pseudonym instead of picking it from a list",
    )
    hide.add_argument(
        "--show-members",
        dest="hide_members",
        action="store_false",
        help="with --setup: list the members on the start screen (the default)",
    )


def run_kiosk_verb(args: argparse.Namespace, open_kiosk: Callable[[], int]) -> int:
    """Set the kiosk up, or check it is set up and call ``open_kiosk``; return the status.

    ``open_kiosk`` opens the interface (the command line passes it in, so
    this module never imports the app).
    """
    try:
        return _setup(args) if args.setup else _run(open_kiosk)
    except StorycircleError as error:
        warn(str(error))
        return 1
    except KeyboardInterrupt:
        warn("stopped; nothing was changed")
        return 130


def _run(open_kiosk: Callable[[], int]) -> int:
    from storycircle.session.installation import open_installation

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        warn("the kiosk needs a terminal")
        return 2
    installation = open_installation()
    try:
        has_pin = load_pin(installation.folder) is not None
    finally:
        installation.store.close()
    if not has_pin:
        warn("set the kiosk up first: storycircle kiosk --setup")
        return 1
    # Before Textual is imported: its settings come from the environment.
    scrub_environment(os.environ)
    return open_kiosk()


def _ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        raise StorycircleError("no answer given; nothing was changed") from None


def _ask_minutes(current: int) -> float:
    while True:
        answer = _ask(
            f"Lock the screen after how many minutes without a key press? [{current / 60:g}] "
        )
        if not answer:
            return current / 60
        try:
            return float(answer.replace(",", "."))
        except ValueError:
            say_line("Please type a number of minutes, such as 3.")


def _ask_hide(current: bool) -> bool:
    default = "y" if current else "n"
    while True:
        answer = _ask(
            f"Hide the list of members, so each person types their pseudonym? (yes/no) [{default}] "
        ).lower()
        if not answer:
            return current
        if answer in ("y", "yes", "n", "no"):
            return answer.startswith("y")
        say_line("Please answer yes or no.")


def _ask_region(current: str, pool: list[HelpLine] | None) -> str:
    codes = regions(pool)
    choices = ", ".join(f"{code.rpartition('-')[2]} ({region_name(code)})" for code in codes)
    shown = current.rpartition("-")[2] if current else "system"
    while True:
        answer = _ask(
            f"Which country's help lines should Help now (F1) show first? {choices}, or "
            f"'system' for the system locale. [{shown}] "
        )
        if not answer:
            return current
        try:
            return parse_region(answer, pool)
        except StorycircleError as error:
            say_line(f"{error}.")


def _setup(args: argparse.Namespace) -> int:
    from storycircle.session.installation import open_installation

    interactive = args.pin_fd is None
    if interactive and not sys.stdin.isatty():
        raise StorycircleError("run the setup in a terminal, or give the PIN with --pin-fd")
    installation = open_installation()
    try:
        config = installation.config
        if interactive:
            say_line("Setting up storycircle as a shared kiosk.")
            say_line(
                f"Choose a facilitator PIN of at least {MIN_PIN_LENGTH} characters. You type it "
                "to quit the kiosk, add or remove members, or change settings. Keep it to "
                "yourself: whoever knows it can leave the kiosk."
            )
        pin = PassphraseSource(args.pin_fd).ask_new("Facilitator PIN: ")
        check_pin(pin)
        minutes = args.idle_minutes
        if minutes is None:
            minutes = _ask_minutes(config.kiosk_idle_seconds) if interactive else None
        hide = args.hide_members
        if hide is None:
            hide = _ask_hide(config.kiosk_hide_members) if interactive else None
        region = args.help_region
        pool = list(config.help_lines) or None  # the kiosk's own lines, else the shipped
        if region is not None:
            region = parse_region(region, pool)
        elif interactive:
            region = _ask_region(config.help_locale, pool)
        new = config
        if region is not None:
            new = replace(new, help_locale=region)
        if minutes is not None:
            new = replace(new, kiosk_idle_seconds=minutes_to_seconds(minutes))
        if hide is not None:
            new = replace(new, kiosk_hide_members=hide)
        save_pin(installation.folder, pin, work_factor=config.work_factor)
        if new != config:
            save_config(installation.folder, new)
    finally:
        installation.store.close()
    sys.stdout.write(SETUP_DONE)
    return 0
