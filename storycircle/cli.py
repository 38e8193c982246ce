"""The ``storycircle`` command: opens the app, or runs one verb and exits.

The verbs never import Textual; only opening the app does.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

from storycircle import __version__
from storycircle.errors import StorycircleError

DESCRIPTION = """\
storycircle keeps recovery stories encrypted on this machine and helps you meet
the stories of others who have been where you are.

With no command it opens the app. The commands below are for people who live
in a terminal, and for scripts. Passphrases are asked on the terminal, or read
from a file descriptor with --passphrase-fd (never from arguments or the
environment). Data lives in ~/.local/share/storycircle, or in $STORYCIRCLE_HOME.
"""

ID_HELP = "the story's id, or its first 4 or more characters (as `list` shows it)"

EPILOG = """\
examples:
  storycircle init --pseudonym river
  storycircle write "Slept through the night for the first time in weeks" --tag sleep
  echo "# A good day" | storycircle write --tag hope
  storycircle list --tag sleep
  storycircle read 3f2a9c1b0d4e5f60
  storycircle import ~/Notes/journal
  storycircle export bundle ~/backup-2026-03 --armor

storycircle is not a crisis service. If you are in danger, call your local
emergency number; in the US, call or text 988.
"""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``storycircle`` command."""
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

    init = verbs.add_parser(
        "init", parents=[common], help="create a member (pseudonym and passphrase)"
    )
    init.add_argument("--pseudonym", required=True, help="the name others will see")

    write = verbs.add_parser(
        "write", parents=[common], help="save a story: a one-liner, or Markdown from stdin"
    )
    write.add_argument("text", nargs="*", help="the story; read from stdin when omitted")
    write.add_argument("--title", default="", help="title (default: the first line)")
    write.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    write.add_argument("--note", action="append", default=[], help="a content note (repeatable)")
    write.add_argument(
        "--suggest",
        action="store_true",
        help="print the tags the editor would suggest for the story, and save nothing",
    )

    listing = verbs.add_parser(
        "list", parents=[common], help="list stories, newest first (by each story's own date)"
    )
    listing.add_argument("-n", "--limit", type=int, default=20, help="how many (default 20)")
    listing.add_argument("--tag", help="only stories with this tag")

    read = verbs.add_parser("read", parents=[common], help="print one story")
    read.add_argument("story_id", metavar="ID", help=ID_HELP)

    search = verbs.add_parser(
        "search", parents=[common], help="find stories by words in their title, text or tags"
    )
    search.add_argument("words", nargs="+")

    verbs.add_parser("tags", parents=[common], help="list your tags with counts")

    delete = verbs.add_parser("delete", parents=[common], help="delete a story for good")
    delete.add_argument("story_id", metavar="ID", help=ID_HELP)
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    verbs.add_parser("passwd", parents=[common], help="change your passphrase")
    verbs.add_parser("members", help="list the members of this installation")
    doctor = verbs.add_parser(
        "doctor",
        parents=[common],
        help="check the database and that every story, draft and setting still opens",
        description="Check the database file and that everything you may open decrypts "
        "and verifies. Damaged items are listed by id. Nothing is changed unless you "
        "add --repair, which rebuilds damaged listing summaries and tag indexes from "
        "their stories and drops drafts that no longer decrypt; it never deletes a story.",
    )
    doctor.add_argument("--repair", action="store_true", help="repair what can be repaired")
    _add_io_verbs(verbs, common)
    from storycircle.commands_circle import add_circle_verb
    from storycircle.commands_kiosk import add_kiosk_parser

    add_circle_verb(verbs, common)
    add_kiosk_parser(verbs)
    return parser


def _add_io_verbs(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    importing = verbs.add_parser(
        "import",
        parents=[common],
        help="import stories: a Markdown folder, a jrnl JSON export, or a storycircle bundle",
        description="Import stories from PATH into your journal: a folder of Markdown files "
        "(Obsidian, Jekyll or Hugo front matter), a jrnl JSON export, or a storycircle bundle "
        "or JSON export. Files that cannot be read are skipped and listed; nothing already in "
        "your journal changes. With --passphrase-fd, a bundle's passphrase is the line after "
        "yours.",
    )
    importing.add_argument("path", metavar="PATH", help="the folder or file to import")

    export = verbs.add_parser(
        "export",
        parents=[common],
        help="export your journal or a collection into a new or empty folder",
        description="Export as FORMAT into DEST, a new or empty folder. A bundle is "
        "encrypted to your own post-quantum (hybrid) key, which age 1.3 or later opens "
        "with `age -d`; or to your classic key (--classic-key), or to a passphrase. "
        "With --passphrase-fd, the bundle passphrase is the line after yours.",
    )
    export.add_argument(
        "format",
        metavar="FORMAT",
        choices=("markdown", "json", "html", "bundle"),
        help="markdown (a folder Obsidian opens), json, html (a booklet to print) or bundle",
    )
    export.add_argument("dest", metavar="DEST", help="a new or empty folder")
    export.add_argument("--armor", action="store_true", help="write the bundle as ASCII text")
    export.add_argument(
        "--passphrase-bundle",
        action="store_true",
        help="encrypt the bundle to a new passphrase instead of your key",
    )
    export.add_argument(
        "--classic-key",
        action="store_true",
        help="encrypt the bundle to your classic X25519 key, for age older than 1.3",
    )
    export.add_argument(
        "--collection", metavar="SLUG", help="export this curated collection instead"
    )

    listed = verbs.add_parser(
        "collections", help="list the curated collections with story counts and signatures"
    )
    listed.add_argument(
        "--accept-key",
        metavar="SLUG",
        help="trust this collection's curator key from now on (after a key change)",
    )
    _add_curate_verbs(verbs, common)


def _add_curate_verbs(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``consent`` and ``curate`` to the command line."""
    consent = verbs.add_parser(
        "consent",
        parents=[common],
        help="let a story be included in collections, or withdraw that",
        description="Mark one of your stories as one that may be included in curated "
        "collections. Withdrawing keeps it out of new collections; copies already "
        "assembled or shared cannot be recalled.",
    )
    consent.add_argument("story_id", metavar="ID", help=ID_HELP)
    consent.add_argument("--withdraw", action="store_true", help="take the consent back")
    curate = verbs.add_parser(
        "curate",
        parents=[common],
        help="assemble a collection from stories whose authors consented",
        description="Assemble a curated collection from your stories marked with "
        "`storycircle consent`. It goes into the data folder's collections (shown in "
        "the app) unless --dest names a new or empty folder.",
    )
    curate.add_argument("--title", required=True, help="the collection's title")
    curate.add_argument("--description", default="", help="a few sentences about it")
    curate.add_argument("--license", default="CC BY-SA 4.0", help="licence of the texts")
    curate.add_argument(
        "--story", action="append", default=[], metavar="ID", help="a story to include"
    )
    curate.add_argument("--dest", help="write here instead of the data folder")
    curate.add_argument("--sign", action="store_true", help="sign it with your key")
    sign = verbs.add_parser(
        "sign-collection",
        help="sign (or re-sign after editing) a collection folder with a curator key file",
        description="Write manifest.json and manifest.sig for a collection folder, signed "
        "with an Ed25519 private key in a PKCS#8 PEM file (keep it outside any repository). "
        "Run it again after every edit: a changed file breaks the signature.",
    )
    sign.add_argument("folder", metavar="FOLDER", help="the collection folder")
    sign.add_argument("--key", required=True, metavar="FILE", help="the curator's PEM key file")
    sign.add_argument("--curator", default="", help="curator name (default: keep the folder's)")
    sign.add_argument(
        "--passphrase-fd", type=int, metavar="FD", help="read the key file's passphrase here"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.verb is None:
        return _open_app()
    if args.verb == "kiosk":
        from storycircle.commands_kiosk import run_kiosk_verb

        return run_kiosk_verb(args, _open_kiosk)
    from storycircle import commands
    from storycircle.cli_io import warn

    try:
        if args.verb == "sign-collection":
            from storycircle.commands_curate import run_sign

            return run_sign(args)
        if args.verb == "doctor":
            from storycircle.commands_doctor import run_doctor

            return run_doctor(args)
        return commands.run(args)
    except StorycircleError as error:
        warn(str(error))
        return 1
    except KeyboardInterrupt:
        warn("stopped; nothing more was saved")
        return 130
    except sqlite3.DatabaseError as error:
        # A file that opened but is damaged inside: say so in one line, with
        # SQLite's reason (never row contents), and change nothing.
        warn(
            f"the database is damaged ({error}); nothing was changed. "
            "`storycircle doctor` lists what can still be read"
        )
        return 1


def _open_app() -> int:
    from storycircle.cli_io import warn

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        warn("the app needs a terminal; see `storycircle --help` for commands that do not")
        return 2
    from storycircle.app import run_app

    try:
        return run_app()
    except StorycircleError as error:
        warn(str(error))
        return 1


def _open_kiosk() -> int:
    from storycircle.app import run_kiosk

    return run_kiosk()
