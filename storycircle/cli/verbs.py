"""The arguments of each verb, registered only for the verb a command runs.

:data:`VERBS` names every verb with its one-line help, so ``storycircle
--help`` lists them all without importing a single command module; the full
parser of a verb (and whatever module defines it) is built only when that verb
is the one being run. Verbs whose parsers live with their commands (``circle``,
``kiosk``, ``unlock``, ``lock``) are imported from there at that moment.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeAlias

# Verbs whose parsers live with their commands are imported when registered,
# and only the verb being run is registered (start-up cost).

# Strings: argparse's action class cannot be subscripted at run time.
Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Register: TypeAlias = "Callable[[Verbs, argparse.ArgumentParser, str], None]"

ID_HELP = "the story's id, or its first 4 or more characters (as `list` shows it)"


def _init(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    init = verbs.add_parser("init", parents=[common], help=help_text)
    init.add_argument("--pseudonym", required=True, help="the name others will see")


def _write(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    write = verbs.add_parser("write", parents=[common], help=help_text)
    write.add_argument("text", nargs="*", help="the story; read from stdin when omitted")
    write.add_argument("--title", default="", help="title (default: the first line)")
    write.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    write.add_argument("--note", action="append", default=[], help="a content note (repeatable)")
    write.add_argument(
        "--suggest",
        action="store_true",
        help="print the tags the editor would suggest for the story, and save nothing",
    )


def _list(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    listing = verbs.add_parser("list", parents=[common], help=help_text)
    listing.add_argument("-n", "--limit", type=int, default=20, help="how many (default 20)")
    listing.add_argument("--tag", help="only stories with this tag")


def _read(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    read = verbs.add_parser("read", parents=[common], help=help_text)
    read.add_argument("story_id", metavar="ID", help=ID_HELP)


def _search(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    search = verbs.add_parser("search", parents=[common], help=help_text)
    search.add_argument("words", nargs="+")


def _tags(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    verbs.add_parser("tags", parents=[common], help=help_text)


def _delete(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    delete = verbs.add_parser("delete", parents=[common], help=help_text)
    delete.add_argument("story_id", metavar="ID", help=ID_HELP)
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _passwd(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    verbs.add_parser("passwd", parents=[common], help=help_text)


def _members(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    verbs.add_parser("members", help=help_text)


def _doctor(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    doctor = verbs.add_parser(
        "doctor",
        parents=[common],
        help=help_text,
        description="Check the database file and that everything you may open decrypts "
        "and verifies. Damaged items are listed by id. Nothing is changed unless you "
        "add --repair, which rebuilds damaged listing summaries and tag indexes from "
        "their stories and drops drafts that no longer decrypt; it never deletes a story.",
    )
    doctor.add_argument("--repair", action="store_true", help="repair what can be repaired")


def _import(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    importing = verbs.add_parser(
        "import",
        parents=[common],
        help=help_text,
        description="Import stories from PATH into your journal: a folder of Markdown files "
        "(Obsidian, Jekyll or Hugo front matter), a jrnl JSON export, or a storycircle bundle "
        "or JSON export. Files that cannot be read are skipped and listed; nothing already in "
        "your journal changes. With --passphrase-fd, a bundle's passphrase is the line after "
        "yours.",
    )
    importing.add_argument("path", metavar="PATH", help="the folder or file to import")


def _export(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    export = verbs.add_parser(
        "export",
        parents=[common],
        help=help_text,
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


def _collections(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    listed = verbs.add_parser("collections", help=help_text)
    listed.add_argument(
        "--accept-key",
        metavar="SLUG",
        help="trust this collection's curator key from now on (after a key change)",
    )


def _consent(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    consent = verbs.add_parser(
        "consent",
        parents=[common],
        help=help_text,
        description="Mark one of your stories as one that may be included in curated "
        "collections. Withdrawing keeps it out of new collections; copies already "
        "assembled or shared cannot be recalled.",
    )
    consent.add_argument("story_id", metavar="ID", help=ID_HELP)
    consent.add_argument("--withdraw", action="store_true", help="take the consent back")


def _curate(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    curate = verbs.add_parser(
        "curate",
        parents=[common],
        help=help_text,
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


def _sign_collection(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    sign = verbs.add_parser(
        "sign-collection",
        help=help_text,
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


def _circle(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    from storycircle.cli.circle import add_circle_verb

    add_circle_verb(verbs, common)


def _kiosk(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    from storycircle.cli.kiosk import add_kiosk_parser

    add_kiosk_parser(verbs)


def _unlock(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    from storycircle.cli.unlock import add_unlock_verb

    add_unlock_verb(verbs, common)


def _lock(verbs: Verbs, common: argparse.ArgumentParser, help_text: str) -> None:
    from storycircle.cli.unlock import add_lock_verb

    add_lock_verb(verbs)


VERBS: dict[str, tuple[str, Register]] = {
    "init": ("create a member (pseudonym and passphrase)", _init),
    "write": ("save a story: a one-liner, or Markdown from stdin", _write),
    "list": ("list stories, newest first (by each story's own date)", _list),
    "read": ("print one story", _read),
    "search": ("find stories by words in their title, text or tags", _search),
    "tags": ("list your tags with counts", _tags),
    "delete": ("delete a story for good", _delete),
    "passwd": ("change your passphrase", _passwd),
    "unlock": ("unlock for a while, so commands need no passphrase (as ssh-agent)", _unlock),
    "lock": ("end the unlocked session now", _lock),
    "members": ("list the members of this installation", _members),
    "doctor": (
        "check the database and that every story, draft and setting still opens",
        _doctor,
    ),
    "import": (
        "import stories: a Markdown folder, a jrnl JSON export, or a storycircle bundle",
        _import,
    ),
    "export": ("export your journal or a collection into a new or empty folder", _export),
    "collections": (
        "list the curated collections with story counts and signatures",
        _collections,
    ),
    "consent": ("let a story be included in collections, or withdraw that", _consent),
    "curate": ("assemble a collection from stories whose authors consented", _curate),
    "sign-collection": (
        "sign (or re-sign after editing) a collection folder with a curator key file",
        _sign_collection,
    ),
    "circle": ("share stories with a small circle, here or on other machines", _circle),
    "kiosk": ("run storycircle as a shared kiosk (set it up first with --setup)", _kiosk),
}
"""Every verb: its line in ``storycircle --help``, and what adds its full parser."""


def add_verb(verbs: Verbs, common: argparse.ArgumentParser, chosen: str | None) -> None:
    """Add every verb to ``verbs``: ``chosen`` with all its arguments, the others by name."""
    for name, (help_text, register) in VERBS.items():
        if name == chosen:
            register(verbs, common, help_text)
        else:
            # A name and its help line: enough for the list and for "invalid choice".
            verbs.add_parser(name, help=help_text, add_help=False)
