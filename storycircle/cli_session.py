"""Who a command acts for: choosing the member, unlocking, opening the journal."""

from __future__ import annotations

import argparse
import contextlib

from storycircle.cli_io import PassphraseSource
from storycircle.errors import StorycircleError
from storycircle.installation import Installation
from storycircle.journal import Journal
from storycircle.members import UnlockedMember, find_member, unlock
from storycircle.models import MemberRecord


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
    installation: Installation, args: argparse.Namespace, source: PassphraseSource
) -> UnlockedMember:
    """Ask for the chosen member's passphrase and open their keys."""
    record = choose_member(installation, args)
    return unlock(record, source.ask(f"Passphrase for {record.pseudonym}: "))


def open_journal(installation: Installation, args: argparse.Namespace) -> Journal:
    """Unlock the chosen member and return their journal."""
    member = unlock_member(installation, args, PassphraseSource(args.passphrase_fd))
    journal = Journal(installation.store, member)
    # Stories from before rollback detection are covered from now on; a
    # read-only data folder still reads.
    with contextlib.suppress(StorycircleError):
        journal.versions.start()
    return journal
