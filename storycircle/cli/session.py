"""Who a command acts for: choosing the member, unlocking, opening the journal."""

from __future__ import annotations

import argparse
import contextlib
import re

from storycircle.cli.terminal import PassphraseSource
from storycircle.errors import DamagedStory, StorycircleError, StoryNotFound
from storycircle.journal.journal import Journal
from storycircle.journal.members import (
    UnlockedMember,
    find_member,
    save_upgrade,
    unlock,
    unlock_with_keys,
)
from storycircle.kiosk.policy import PIN_FILE
from storycircle.models import JOURNAL_SCOPE, MemberRecord
from storycircle.sanitize import sanitize_line
from storycircle.session.installation import Installation

MIN_ID_PREFIX = 4
"""The fewest characters of a story id that ``read``, ``delete``... accept (as git does)."""

_SHOWN_MATCHES = 5


def choose_member(installation: Installation, args: argparse.Namespace) -> MemberRecord:
    """The member named with ``--member``, or the only member.

    Raises:
        StorycircleError: nobody is here yet, or several are and none was named.
    """
    if args.member:
        return find_member(installation.store, args.member)
    members = installation.store.members()
    if not members:
        raise StorycircleError("nobody has an account here yet; start with `storycircle init`")
    if len(members) > 1:
        raise StorycircleError("several members share this installation; choose with --member")
    return members[0]


def unlock_member(
    installation: Installation,
    args: argparse.Namespace,
    source: PassphraseSource,
    *,
    upgrade: bool = True,
    use_session: bool = True,
) -> UnlockedMember:
    """Open the chosen member's keys: from their unlocked session, else by passphrase.

    With ``upgrade`` (not for read-only commands), a hybrid key prepared for a
    member made before hybrid keys is stored, so it is used from now on.
    Without ``use_session`` the passphrase is always asked (``unlock`` itself).
    """
    record = choose_member(installation, args)
    if use_session and source.from_terminal:
        # An explicit --passphrase-fd is read as before, so a script's later
        # lines (a bundle's passphrase) keep their places.
        member = _from_session(installation, record)
        if member is not None:
            return member
    member = unlock(
        record, source.ask(f"Passphrase for {record.pseudonym}: "), prepare_upgrade=upgrade
    )
    return save_upgrade(installation.store, member) if upgrade else member


def _from_session(installation: Installation, record: MemberRecord) -> UnlockedMember | None:
    """The member from a live ``storycircle unlock`` session, or None (then ask)."""
    if (installation.folder / PIN_FILE).exists():
        return None  # a kiosk never uses a session, even one left from before its setup
    from storycircle.cli.agent_client import session_keys

    keys = session_keys(installation.folder, record.id)
    if keys is None:
        return None
    try:
        return unlock_with_keys(record, keys)
    except StorycircleError:
        return None  # keys that do not match the member: ask for the passphrase


def open_journal(installation: Installation, args: argparse.Namespace) -> Journal:
    """Unlock the chosen member and return their journal."""
    member = unlock_member(installation, args, PassphraseSource(args.passphrase_fd))
    journal = Journal(installation.store, member)
    # Stories from before rollback detection are covered from now on; a
    # read-only data folder still reads.
    with contextlib.suppress(StorycircleError):
        journal.versions.start()
    return journal


def find_story_id(installation: Installation, journal: Journal, typed: str) -> str:
    """The id of the journal's one story whose id starts with ``typed`` (git-style).

    Raises:
        StoryNotFound: no story's id starts with it, or it is not hex.
        StorycircleError: several do; the message names them, with titles.
    """
    wanted = typed.strip().lower()
    if not re.fullmatch(rf"[0-9a-f]{{{MIN_ID_PREFIX},}}", wanted):
        raise StoryNotFound(
            f"there is no story {sanitize_line(typed)} in your journal; give its id "
            f"(`storycircle list` shows them), or at least its first {MIN_ID_PREFIX} characters"
        )
    matches = installation.store.story_ids_with_prefix(
        JOURNAL_SCOPE, journal.member.id, wanted, limit=_SHOWN_MATCHES + 1
    )
    if not matches:
        raise StoryNotFound(f"there is no story {wanted} in your journal")
    if len(matches) == 1:
        return matches[0]
    shown = [_described(journal, story_id) for story_id in matches[:_SHOWN_MATCHES]]
    more = ", and more" if len(matches) > _SHOWN_MATCHES else ""
    raise StorycircleError(
        f"{wanted} is the start of several stories' ids: {', '.join(shown)}{more}; "
        "type more of the id"
    )


def _described(journal: Journal, story_id: str) -> str:
    try:
        story = journal.load(story_id)
    except (DamagedStory, StoryNotFound):
        return story_id
    return f'{story_id} "{story.title}" ({story.created[:10]})'
