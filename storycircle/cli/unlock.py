"""``storycircle unlock`` and ``storycircle lock``: an unlocked session for the command line.

Like ssh-agent: one passphrase, then commands need none until the session
expires or is locked. See :mod:`storycircle.cli.agent` and SECURITY.md.
"""

from __future__ import annotations

import argparse
import time

from storycircle.cli.agent_client import (
    DEFAULT_SECONDS,
    installation_sessions,
    lock_member,
    lock_path,
    parse_duration,
    start_session,
)
from storycircle.cli.session import choose_member, unlock_member
from storycircle.cli.terminal import PassphraseSource, say_line
from storycircle.errors import StorycircleError
from storycircle.journal.members import key_lines
from storycircle.kiosk.policy import load_pin
from storycircle.session.installation import Installation
from storycircle.wording import counted

UNLOCK_DESCRIPTION = """\
Unlock your journal for the command line for a while (default 15m, at most
12h): the passphrase is asked once, then `write`, `list`, `read`, `search` and
the other commands need none until the session ends. Your keys are kept in
memory by a small background process that only your user can reach (a 0600
socket in your runtime folder); never on disk. While it lives, any program
running as you can use it, as with ssh-agent. `storycircle lock` ends it
sooner. A command given --passphrase-fd still reads its passphrase there.
Not available on a kiosk."""

LOCK_DESCRIPTION = """\
End the unlocked sessions of this installation (or only the member's, with
--member): commands ask for the passphrase again."""


def add_unlock_verb(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``unlock`` to the command line."""
    unlock = verbs.add_parser(
        "unlock",
        parents=[common],
        help="unlock for a while, so commands need no passphrase (as ssh-agent)",
        description=UNLOCK_DESCRIPTION,
    )
    unlock.add_argument(
        "--for",
        dest="duration",
        default="15m",
        metavar="DURATION",
        help="how long, like 90s, 15m, 2h or 1h30m (default 15m, at most 12h)",
    )
    unlock.add_argument(
        "--status", action="store_true", help="say which sessions are live and until when"
    )


def add_lock_verb(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``lock`` to the command line."""
    lock = verbs.add_parser(
        "lock", help="end the unlocked session now", description=LOCK_DESCRIPTION
    )
    lock.add_argument("--member", metavar="PSEUDONYM", help="only this member's session")


def _when(until: float) -> str:
    left = max(0, round(until - time.time()))
    remaining = counted(left // 60, "minute") if left >= 120 else counted(left, "second")
    return f"until {time.strftime('%H:%M:%S', time.localtime(until))} ({remaining} left)"


def run_unlock(installation: Installation, args: argparse.Namespace) -> int:
    """``unlock``: start the member's session, or with ``--status`` describe the live ones."""
    if args.status:
        return _status(installation)
    if load_pin(installation.folder) is not None:
        raise StorycircleError(
            "this installation is a kiosk: an unlocked session would let the next person "
            "in, so `unlock` is not available here"
        )
    seconds = parse_duration(args.duration) if args.duration else DEFAULT_SECONDS
    member = unlock_member(
        installation, args, PassphraseSource(args.passphrase_fd), use_session=False
    )
    start_session(installation.folder, member.id, member.pseudonym, key_lines(member), seconds)
    until = time.time() + seconds
    say_line(
        f"Unlocked {member.pseudonym} {_when(until)}: commands need no passphrase until "
        "then. `storycircle lock` ends it sooner."
    )
    return 0


def _status(installation: Installation) -> int:
    sessions = installation_sessions(installation.folder)
    for _path, status in sessions:
        say_line(f"{status.pseudonym}: unlocked {_when(status.until)}")
    if not sessions:
        say_line("No unlocked session: commands ask for the passphrase.")
        return 1
    return 0


def run_lock(installation: Installation, args: argparse.Namespace) -> int:
    """``lock``: end the member's session, or every session of this installation."""
    if args.member:
        ended = 1 if lock_member(installation.folder, choose_member(installation, args).id) else 0
    else:
        ended = sum(lock_path(path) for path, _status in installation_sessions(installation.folder))
    if ended:
        ended_text = counted(ended, "session")
        say_line(f"Locked: {ended_text} ended. Commands ask for the passphrase again.")
    else:
        say_line("No unlocked session was live; nothing to lock.")
    return 0
