"""The command-line verbs, each a small function over the services."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from storycircle.cli.session import choose_member, find_story_id, open_journal
from storycircle.cli.terminal import PassphraseSource, confirmed, say, say_line, warn
from storycircle.errors import StorycircleError
from storycircle.journal.members import (
    change_passphrase,
    create_member,
    unlock,
)
from storycircle.models import StorySummary
from storycircle.sealing.passphrase import RULE
from storycircle.session.installation import (
    Installation,
    empty_installation,
    has_data,
    no_data_error,
    open_installation,
)
from storycircle.tagging.tags import parse_tag_list
from storycircle.wording import body_without_title, counted

# Each verb imports what it needs inside its function, so a command pays the
# import time of its own verb only (start-up cost of every command).

MAX_STDIN_BYTES = 512 * 1024


_ELSEWHERE = {
    "import": ("storycircle.cli.transfer", "IO_HANDLERS"),
    "export": ("storycircle.cli.transfer", "IO_HANDLERS"),
    "collections": ("storycircle.cli.transfer", "IO_HANDLERS"),
    "consent": ("storycircle.cli.curate", "CURATE_HANDLERS"),
    "curate": ("storycircle.cli.curate", "CURATE_HANDLERS"),
    "circle": ("storycircle.cli.circle", "run_circle"),
    "unlock": ("storycircle.cli.unlock", "run_unlock"),
    "lock": ("storycircle.cli.unlock", "run_lock"),
}
"""Verbs run by other modules, imported only when one of them runs."""

Handler = Callable[[Installation, argparse.Namespace], int]


def _handler(verb: str) -> Handler:
    """The function that runs ``verb``, importing its module only now."""
    here: dict[str, Handler] = {
        "init": _init,
        "write": _write,
        "list": _list,
        "read": _read,
        "search": _search,
        "tags": _tags,
        "delete": _delete,
        "passwd": _passwd,
        "members": _members,
    }
    if verb in here:
        return here[verb]
    module_name, attribute = _ELSEWHERE[verb]
    found = getattr(importlib.import_module(module_name), attribute)
    handler: Handler = found[verb] if isinstance(found, dict) else found
    return handler


def run(args: argparse.Namespace) -> int:
    """Run the verb named in ``args``; return the exit status."""
    handler = _handler(args.verb)
    if args.verb == "write" and args.suggest:
        return _suggest(args)  # reads the text only: needs no passphrase and no data
    if args.verb != "init" and not has_data():
        # Nothing to read yet: say so, and create neither folder nor database.
        # Only the shipped collections can be listed and exported without data.
        if args.verb not in ("collections", "export") or not _needs_no_member(args):
            raise no_data_error()
        installation = empty_installation()
    else:
        installation = open_installation()
    try:
        return handler(installation, args)
    finally:
        installation.store.close()


def _needs_no_member(args: argparse.Namespace) -> bool:
    """True for ``collections``, and ``export --collection`` other than to one's own key."""
    if args.verb == "collections":
        return True
    return bool(args.collection) and (args.format != "bundle" or args.passphrase_bundle)


def _init(installation: Installation, args: argparse.Namespace) -> int:
    source = PassphraseSource(args.passphrase_fd)
    if args.passphrase_fd is None:
        print(RULE, file=sys.stderr)
    passphrase = source.ask_new("Choose a passphrase: ")
    record = create_member(
        installation.store, args.pseudonym, passphrase, work_factor=installation.config.work_factor
    )
    say_line(f"Welcome, {record.pseudonym}. Your stories are encrypted with your passphrase.")
    return 0


def _story_text(args: argparse.Namespace) -> str:
    """The story of ``write``: its arguments, or Markdown on stdin."""
    if args.text:
        return " ".join(args.text)
    if sys.stdin.isatty():
        raise StorycircleError("give the story as an argument, or pipe Markdown into stdin")
    raw = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(raw) > MAX_STDIN_BYTES:
        raise StorycircleError(f"a story can be at most {MAX_STDIN_BYTES // 1024} KiB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StorycircleError("the story on stdin is not UTF-8 text") from None


def _write(installation: Installation, args: argparse.Namespace) -> int:
    body = _story_text(args)
    tags = [tag for raw_tag in args.tag for tag in parse_tag_list(raw_tag)]
    journal = open_journal(installation, args)
    result = journal.save(title=args.title, body=body, tags=tags, content_notes=args.note)
    say_line(f"Saved {result.story.id}: {result.story.title}")
    from storycircle.tagging.suggest import suggest_tags

    found = suggest_tags(body, existing=result.story.tags)
    if found:
        listed = ", ".join("#" + suggestion.tag for suggestion in found)
        warn(
            f"{counted(len(found), 'tag')} could fit a story like this ({listed}): "
            "`storycircle write --suggest` shows them before saving"
        )
    return 0


def _suggest(args: argparse.Namespace) -> int:
    """``write --suggest``: the editor's tag suggestions for the story, one a line."""
    body = _story_text(args)
    tags = [tag for raw_tag in args.tag for tag in parse_tag_list(raw_tag)]
    from storycircle.tagging.suggest import suggest_tags

    found = suggest_tags(body, existing=tags)
    for suggestion in found:
        say_line(f"#{suggestion.tag} ({suggestion.reason})")
    if not found:
        say_line("No tags to suggest.")
    say_line("Nothing was saved: run it again without --suggest, adding --tag for each you want.")
    return 0


def _print_rows(rows: list[StorySummary]) -> None:
    for row in rows:
        tags = " ".join("#" + tag for tag in row.tags)
        notes = f" [note: {', '.join(row.content_notes)}]" if row.content_notes else ""
        say_line(f"{row.id}  {row.created[:10]}  {row.title}  {tags}{notes}")


def _list(installation: Installation, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise StorycircleError("--limit must be at least 1")
    journal = open_journal(installation, args)
    if args.tag:
        rows = journal.with_tag(args.tag, limit=args.limit)
    else:
        rows = list(journal.page(0, args.limit).items)
    _print_rows(rows)
    if not rows and not journal.damaged:
        say_line("No stories yet." if not args.tag else "No stories with that tag.")
    _say_unopened(journal.damaged)
    return 0


def _say_unopened(damaged: set[str]) -> None:
    # A row left out without a word looks like a lost story; doctor names it.
    if damaged:
        count = counted(len(damaged), "story", "stories")
        warn(f"{count} could not be opened: run storycircle doctor")


def _read(installation: Installation, args: argparse.Namespace) -> int:
    journal = open_journal(installation, args)
    story = journal.load(find_story_id(installation, journal, args.story_id))
    say_line(f"# {story.title}")
    meta = f"{story.created[:10]}  " + " ".join("#" + tag for tag in story.tags)
    say_line(meta)
    if story.content_notes:
        say_line("Content notes: " + ", ".join(story.content_notes))
    say()
    say(body_without_title(story.title, story.body))
    return 0


def _search(installation: Installation, args: argparse.Namespace) -> int:
    from storycircle.journal.search_index import search_journal

    journal = open_journal(installation, args)
    rows = search_journal(installation.store, journal.member, " ".join(args.words), journal.damaged)
    _print_rows(rows)
    if not rows:
        say_line("Nothing found.")
    _say_unopened(journal.damaged)
    return 0


def _tags(installation: Installation, args: argparse.Namespace) -> int:
    for tag, count in open_journal(installation, args).tag_counts().items():
        say_line(f"{count:6d}  {tag}")
    return 0


def _delete(installation: Installation, args: argparse.Namespace) -> int:
    journal = open_journal(installation, args)
    story = journal.load(find_story_id(installation, journal, args.story_id))
    if not confirmed(args.yes, f'Delete "{story.title}" for good?', "delete"):
        warn("not deleted")
        return 1
    from storycircle.circles import Circles, Sharing

    # Deleting a story takes it back from every circle it was shared to.
    sharing = Sharing(Circles(installation.store, journal.member))
    for circle_id in sharing.shared_to(story.id):
        sharing.withdraw(story.id, circle_id)
    journal.delete(story.id)
    say_line(f"Deleted {story.id}.")
    return 0


def _passwd(installation: Installation, args: argparse.Namespace) -> int:
    record = choose_member(installation, args)
    source = PassphraseSource(args.passphrase_fd)
    member = unlock(record, source.ask(f"Current passphrase for {record.pseudonym}: "))
    change_passphrase(
        installation.store,
        member,
        source.ask_new("New passphrase: "),
        work_factor=installation.config.work_factor,
    )
    say_line("Passphrase changed. Your stories were not touched.")
    return 0


def _members(installation: Installation, args: argparse.Namespace) -> int:
    members = installation.store.members()
    for member in members:
        say_line(f"{member.pseudonym}  (since {member.created})")
    if not members:
        say_line("Nobody has an account here yet.")
    return 0
