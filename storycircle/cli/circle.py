"""``storycircle circle …``: circles from the command line.

Every subcommand unlocks the chosen member first (terminal or
``--passphrase-fd``); circle names and pseudonyms are printed sanitized.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from storycircle.circles import CircleError
from storycircle.circles.folder import FolderReport
from storycircle.cli.session import find_story_id, unlock_member
from storycircle.cli.terminal import PassphraseSource, confirmed, say, say_line, warn
from storycircle.cli.transfer import TerminalProgress
from storycircle.errors import StorycircleError
from storycircle.models import Circle
from storycircle.session.installation import Installation
from storycircle.session.session import Session
from storycircle.wording import body_without_title, counted

CARD_FILE_LIMIT = 4096


CIRCLE_HELP = "the circle's name or id"
YES_HELP = "do not ask for confirmation (needed without a terminal)"


def add_circle_verb(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``circle`` and its subcommands to the command line."""
    circle = verbs.add_parser(
        "circle",
        help="share stories with a small circle, here or on other machines",
        description="A circle is a small group who share stories. Its name, your pseudonym "
        "in it and every shared story are encrypted; when someone leaves or is removed the "
        "circle gets a new key. To share with people on other machines, give the circle a "
        "folder that your file sync carries (Syncthing, a network share, git, a USB stick), "
        "or pass a bundle file. What others have already read cannot be recalled.",
    )
    sub = circle.add_subparsers(dest="circle_verb", metavar="ACTION", required=True)
    sub.add_parser("list", parents=[common], help="your circles and invitations")
    sub.add_parser("card", parents=[common], help="print your member card (to be invited)")
    create = sub.add_parser("create", parents=[common], help="start a circle you host")
    create.add_argument("name", help="what the circle is called (kept encrypted)")
    create.add_argument("--as", dest="pseudonym", default="", help="your pseudonym in it")
    create.add_argument("--folder", default="", help="a folder your file sync carries")
    invite = sub.add_parser("invite", parents=[common], help="invite someone")
    invite.add_argument("circle", help=CIRCLE_HELP)
    who = invite.add_mutually_exclusive_group(required=True)
    who.add_argument("--local", metavar="PSEUDONYM", help="a member of this installation")
    who.add_argument("--card", metavar="CARD", help="a member card, or a file holding one")
    accept = sub.add_parser("accept", parents=[common], help="accept an invitation")
    accept.add_argument("circle", help=CIRCLE_HELP)
    accept.add_argument("--as", dest="pseudonym", required=True, help="your pseudonym in it")
    leave = sub.add_parser("leave", parents=[common], help="leave a circle")
    leave.add_argument("circle", help=CIRCLE_HELP)
    leave.add_argument("--yes", action="store_true", help=YES_HELP)
    decline = sub.add_parser("decline", parents=[common], help="decline an invitation")
    decline.add_argument("circle", help=CIRCLE_HELP)
    remove = sub.add_parser("remove", parents=[common], help="remove a member (host only)")
    remove.add_argument("circle", help=CIRCLE_HELP)
    remove.add_argument("pseudonym", help="their pseudonym in the circle")
    remove.add_argument("--yes", action="store_true", help=YES_HELP)
    share = sub.add_parser("share", parents=[common], help="share one of your stories")
    share.add_argument(
        "story_id", metavar="ID", help="a story id from `storycircle list`, or its first 4+"
    )
    share.add_argument("circle", help=CIRCLE_HELP)
    share.add_argument("--yes", action="store_true", help=YES_HELP)
    withdraw = sub.add_parser("withdraw", parents=[common], help="take a story back")
    withdraw.add_argument("story_id", metavar="ID", help="the story id you shared")
    withdraw.add_argument("circle", help=CIRCLE_HELP)
    stories = sub.add_parser("stories", parents=[common], help="list a circle's stories")
    stories.add_argument("circle", help=CIRCLE_HELP)
    read = sub.add_parser("read", parents=[common], help="print a circle's story")
    read.add_argument("story_id", metavar="ID", help="an id from `circle stories`")
    folder = sub.add_parser("folder", parents=[common], help="set a circle's folder")
    folder.add_argument("circle", help=CIRCLE_HELP)
    folder.add_argument("path", help='the folder, or "" for none')
    sub.add_parser("refresh", parents=[common], help="apply new files from circle folders")
    tidy = sub.add_parser(
        "tidy",
        parents=[common],
        help="put a sync engine's conflict copies in order",
        description="Syncthing keeps a conflict copy (NAME.sync-conflict-….age) when one file "
        "changed on two machines. Each such copy, and each circle file whose content no longer "
        "matches its name, is moved under the name of its own content, where the next refresh "
        "checks it like any other file; a copy whose exact bytes are already in the folder is "
        "removed. Nothing that could hold a story is deleted.",
    )
    tidy.add_argument("circle", nargs="?", default="", help=CIRCLE_HELP + " (default: all)")
    tidy.add_argument("--dry-run", action="store_true", help="only say what would be done")
    join = sub.add_parser("open", parents=[common], help="find invitations in a folder")
    join.add_argument("path", help="a circle folder someone shared with you")
    export = sub.add_parser("export", parents=[common], help="write a circle as one file")
    export.add_argument("circle", help=CIRCLE_HELP)
    export.add_argument("file", help="the bundle file to write (every item in it encrypted)")
    bundle = sub.add_parser("import", parents=[common], help="apply a circle bundle file")
    bundle.add_argument("file", help="a bundle written by `circle export`")


def run_circle(installation: Installation, args: argparse.Namespace) -> int:
    """Run ``storycircle circle ACTION``."""
    session = Session(installation)
    session.open_journal(unlock_member(installation, args, PassphraseSource(args.passphrase_fd)))
    handlers: dict[str, Callable[[Session, argparse.Namespace], int]] = {
        "list": _list,
        "card": _card,
        "create": _create,
        "invite": _invite,
        "accept": _accept,
        "leave": _leave,
        "decline": _leave,
        "remove": _remove,
        "share": _share,
        "withdraw": _withdraw,
        "stories": _stories,
        "read": _read,
        "folder": _folder,
        "refresh": _refresh,
        "open": _open,
        "tidy": _tidy,
        "export": _export,
        "import": _import,
    }
    return handlers[args.circle_verb](session, args)


def _find(session: Session, text: str) -> Circle:
    return session.require_sharing().circles.find(text)


def _list(session: Session, args: argparse.Namespace) -> int:
    circles = session.circles()
    if not circles:
        say_line("You are in no circle yet. Start one with `storycircle circle create NAME`.")
    for circle in circles:
        status = "invited (accept with `circle accept`)" if circle.my_status == "invited" else ""
        live = [m for m in circle.members if m.status in ("invited", "active")]
        names = ", ".join(m.pseudonym + (" (host)" if m.is_host else "") for m in live)
        say_line(f"{circle.id}  {circle.name}  #{circle.fingerprint}  {status}".rstrip())
        say_line(f"    members: {names}")
        if circle.my_status == "invited" and not circle.host_known:
            say_line(
                "    from someone in no other circle of yours: check the fingerprint with them"
            )
        if circle.waiting_for:
            gone = ", ".join(circle.waiting_for)
            say_line(f"    waiting for a new key after {gone} left (the host starts it)")
        say_line(f"    {session.circle_key_note(circle.id)}")
        if circle.folder:
            say_line(f"    folder: {circle.folder}")
    return 0


def _card(session: Session, args: argparse.Namespace) -> int:
    say_line(session.my_card())
    if session.my_card().startswith("storycircle-card:v2:"):
        # On stderr, so the card alone can be piped to a file.
        warn(
            "this card is long because it carries your post-quantum key "
            "(age1pq1..., ML-KEM-768 with X25519); copy the whole line"
        )
    return 0


def _create(session: Session, args: argparse.Namespace) -> int:
    circle = session.create_circle(args.name, args.pseudonym, args.folder)
    say_line(f"Started circle {circle.name} ({circle.id}). Invite with `circle invite`.")
    say_line(session.circle_key_note(circle.id))
    return 0


def _invite(session: Session, args: argparse.Namespace) -> int:
    circle = _find(session, args.circle)
    if args.local:
        wanted = args.local.strip().casefold()
        found = [
            m for m in session.invitable_members(circle.id) if m.pseudonym.casefold() == wanted
        ]
        if not found:
            raise CircleError(f"nobody here called {args.local!r} can be invited")
        session.invite(circle.id, found[0])
    else:
        text = args.card
        path = Path(text).expanduser()
        if not text.startswith("storycircle-card:") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")[:CARD_FILE_LIMIT]
        session.invite(circle.id, text)
    say_line(f"Invited to {circle.name}. They accept after unlocking.")
    say_line(session.circle_key_note(circle.id))
    return 0


def _accept(session: Session, args: argparse.Namespace) -> int:
    invited = _find(session, args.circle)
    circle = session.accept_invitation(invited.id, args.pseudonym)
    me = session.require_sharing().circles.member.id
    if not invited.host_known:
        say_line(
            f"Note: the host of {circle.name} (#{circle.fingerprint}) is in no other circle "
            "of yours."
        )
    say_line(f"You are in {circle.name} as {circle.pseudonym_of(me)}.")
    return 0


def _leave(session: Session, args: argparse.Namespace) -> int:
    circle = _find(session, args.circle)
    say_line(
        f"Leaving {circle.name}: you will no longer read its stories here, and the stories "
        "you shared there leave with you."
    )
    if not confirmed(args.yes, "Leave it?", "leave"):
        warn("you are still in the circle")
        return 1
    progress = TerminalProgress("re-keyed")
    session.leave_circle(circle.id, progress)
    progress.finish()
    say_line(f"You left {circle.name}. Its host gives those who remain a new key.")
    return 0


def _remove(session: Session, args: argparse.Namespace) -> int:
    circle = _find(session, args.circle)
    wanted = args.pseudonym.strip().casefold()
    found = [
        m
        for m in circle.members
        if m.pseudonym.casefold() == wanted and m.status in ("invited", "active")
    ]
    if not found:
        raise CircleError(f"nobody in {circle.name} is called {args.pseudonym!r}")
    say_line(
        f"Removing {found[0].pseudonym} from {circle.name}: the circle gets a new key;"
        " what they already read cannot be recalled."
    )
    if not confirmed(args.yes, "Remove them?", "remove someone"):
        warn("nobody was removed")
        return 1
    progress = TerminalProgress("re-keyed")
    session.remove_from_circle(circle.id, found[0].id, progress)
    progress.finish()
    say_line(f"Removed {found[0].pseudonym}. Their key opens nothing of the circle here any more.")
    say_line(session.circle_key_note(circle.id))
    return 0


def _share(session: Session, args: argparse.Namespace) -> int:
    circle = _find(session, args.circle)
    story_id = find_story_id(session.installation, session.require_journal(), args.story_id)
    story = session.load_story(story_id)
    readers = session.audience(circle.id)
    say_line(f'Sharing "{story.title}" to {circle.name}.')
    say_line("Who will be able to read it: " + (", ".join(readers) or "nobody else yet"))
    say_line("What they read cannot be recalled; you can withdraw it from the circle later.")
    if not confirmed(args.yes, "Share it?", "share"):
        warn("not shared")
        return 1
    if session.share_story(story.id, circle.id):
        say_line("Shared.")
    else:
        say_line("Already shared: this version is in the circle.")
    return 0


def _withdraw(session: Session, args: argparse.Namespace) -> int:
    circle = _find(session, args.circle)
    session.withdraw_story(args.story_id, circle.id)
    say_line(f"Withdrawn from {circle.name}. Copies others already read cannot be recalled.")
    return 0


def _stories(session: Session, args: argparse.Namespace) -> int:
    circle = _find(session, args.circle)
    rows = session.find_stories(section=circle.scope)
    for row in rows:
        say_line(f"{row.id}  {row.updated[:10]}  {row.title}  — {row.author_name}")
    if not rows:
        say_line("No stories shared here yet.")
    return 0


def _read(session: Session, args: argparse.Namespace) -> int:
    story = session.load_story(args.story_id)
    say_line(f"# {story.title}")
    say_line(
        f"by {session.author_name(story)}  {story.created[:10]}  "
        + " ".join("#" + t for t in story.tags)
    )
    if story.content_notes:
        say_line("Content notes: " + ", ".join(story.content_notes))
    say_line("")
    say(body_without_title(story.title, story.body))
    return 0


def _folder(session: Session, args: argparse.Namespace) -> int:
    circle = session.set_circle_folder(_find(session, args.circle).id, args.path)
    say_line(
        f"{circle.name} now travels through {circle.folder}."
        if circle.folder
        else f"{circle.name} has no folder now."
    )
    return 0


def _print_report(report: FolderReport, label: str) -> int:
    for farewell in report.farewell_lines():
        say_line(farewell)
    say_line(f"{label}: {report.summary()}")
    for name, reason in report.refused:
        warn(f"refused {name}: {reason}")
    return 0


def _refresh(session: Session, args: argparse.Namespace) -> int:
    results = session.refresh_circles()
    if not results and not session.circles():
        say_line("You are in no circle now. Start one with `storycircle circle create NAME`.")
    elif not results:
        say_line("None of your circles has a folder. Set one with `circle folder`.")
    for circle, report in results:
        _print_report(report, circle.name if circle else "folder")
    return 0


def _tidy(session: Session, args: argparse.Namespace) -> int:
    circle_id = _find(session, args.circle).id if args.circle else ""
    results = session.tidy_circle_folders(circle_id, dry_run=args.dry_run)
    if not results:
        say_line("None of these circles has a folder to tidy.")
    prefix = "Would do: " if args.dry_run else ""
    for circle, report in results:
        say_line(f"{circle.name}: {prefix}{report.summary()}")
        for name in report.removed:
            say_line(f"    {'would remove' if args.dry_run else 'removed'} {name} (a duplicate)")
        for old, new in report.renamed:
            say_line(f"    {'would keep' if args.dry_run else 'kept'} {old} as {new}")
        for name, reason in report.left:
            warn(f"left {name}: {reason}")
    return 0


def _open(session: Session, args: argparse.Namespace) -> int:
    return _print_report(session.open_circle_folder(args.path), "folder")


def _export(session: Session, args: argparse.Namespace) -> int:
    circle = _find(session, args.circle)
    path = Path(args.file).expanduser()
    if path.exists():
        raise StorycircleError(f"{path} exists already; choose a new file name")
    count = session.export_circle_bundle(circle.id, path)
    files = counted(count, "file")
    say_line(f"Wrote {files} of {circle.name} to {path}. Only its members can open them.")
    return 0


def _import(session: Session, args: argparse.Namespace) -> int:
    return _print_report(session.import_circle_bundle(Path(args.file).expanduser()), "bundle")
