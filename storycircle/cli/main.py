"""The ``storycircle`` command: opens the app, or runs one verb and exits.

The verbs never import Textual; only opening the app does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from storycircle import __version__
from storycircle.cli.verbs import add_verb
from storycircle.errors import StorycircleError

# Verbs, the app and the kiosk app are imported where they run: `storycircle
# list` must not load Textual, nor `storycircle` the verbs (start-up cost).

DESCRIPTION = """\
storycircle keeps recovery stories encrypted on this machine and helps you meet
the stories of others who have been where you are.

With no command it opens the app. The commands below are for people who live
in a terminal, and for scripts. Passphrases are asked on the terminal, or read
from a file descriptor with --passphrase-fd (never from arguments or the
environment). Data lives in ~/.local/share/storycircle, or in $STORYCIRCLE_HOME.
"""

EPILOG = """\
examples:
  storycircle init --pseudonym river
  storycircle write "Slept through the night for the first time in weeks" --tag sleep
  storycircle unlock --for 30m     # no passphrase for the next commands; `lock` ends it
  echo "# A good day" | storycircle write --tag hope
  storycircle list --tag sleep
  storycircle read 3f2a9c1b0d4e5f60
  storycircle import ~/Notes/journal
  storycircle export bundle ~/backup-2026-03 --armor

storycircle is not a crisis service. If you are in danger, call your local
emergency number; in the US, call or text 988.
"""


def chosen_verb(argv: Sequence[str]) -> str | None:
    """The verb ``argv`` runs: its first word that is not an option (the top level has
    only ``--help`` and ``--version``, which take no value), or None."""
    return next((word for word in argv if not word.startswith("-")), None)


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser of the ``storycircle`` command.

    Only ``verb`` gets its full arguments (importing the module that defines
    them); the other verbs are listed by name and help line, so a command
    loads only what it runs.
    """
    parser = argparse.ArgumentParser(
        prog="storycircle",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"storycircle {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--member", metavar="PSEUDONYM", help="whose journal to use (default: the only member)"
    )
    common.add_argument(
        "--passphrase-fd",
        type=int,
        metavar="FD",
        help="read the passphrase from this file descriptor, one per line",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND")
    add_verb(verbs, common, verb)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(chosen_verb(words)).parse_args(words)
    if args.verb is None:
        return _open_app()
    if args.verb == "kiosk":
        from storycircle.cli.kiosk import run_kiosk_verb

        return run_kiosk_verb(args, _open_kiosk)
    from storycircle.cli import commands
    from storycircle.cli.terminal import warn

    try:
        if args.verb == "sign-collection":
            from storycircle.cli.curate import run_sign

            return run_sign(args)
        if args.verb == "doctor":
            from storycircle.cli.doctor import run_doctor

            return run_doctor(args)
        return commands.run(args)
    except StorycircleError as error:
        warn(str(error))
        return 1
    except KeyboardInterrupt:
        warn("stopped; nothing more was saved")
        return 130
    except Exception as error:
        # Imported only once a command has failed: the store package costs
        # every command ~30 ms of start-up, `--help` and `lock` included.
        from storycircle.store import DatabaseError

        if not isinstance(error, DatabaseError):
            raise
        # A file that opened but is damaged inside: say so in one line, with
        # SQLite's reason (never row contents), and change nothing.
        warn(
            f"the database is damaged ({error}); nothing was changed. "
            "`storycircle doctor` lists what can still be read"
        )
        return 1


def _open_app() -> int:
    from storycircle.cli.terminal import warn

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        warn("the app needs a terminal; see `storycircle --help` for commands that do not")
        return 2
    from storycircle.tui.run import run_app

    try:
        return run_app()
    except StorycircleError as error:
        warn(str(error))
        return 1


def _open_kiosk() -> int:
    from storycircle.tui.kiosk_app import run_kiosk

    return run_kiosk()
