"""Who a command acts for: choosing the member, unlocking, opening the journal."""

from __future__ import annotations

import argparse

from storycircle.cli_io import PassphraseSource
from storycircle.errors import StorycircleError
from storycircle.installation import Installation
from storycircle.journal import Journal
from storycircle.members import UnlockedMember, find_member, save_upgrade, unlock
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
    installation: Installation,
    args: argparse.Namespace,
    source: PassphraseSource,
    *,
    upgrade: bool = True,
) -> UnlockedMember:
    """Ask for the chosen member's passphrase and open their keys.

    With ``upgrade`` (not for read-only commands), a hybrid key prepared for a
    member made before hybrid keys is stored, so it is used from now on.
    """
    record = choose_member(installation, args)
    member = unlock(
        record, source.ask(f"Passphrase for {record.pseudonym}: "), prepare_upgrade=upgrade
    )
    return save_upgrade(installation.store, member) if upgrade else member


def open_journal(installation: Installation, args: argparse.Namespace) -> Journal:
    """Unlock the chosen member and return their journal."""
    member = unlock_member(installation, args, PassphraseSource(args.passphrase_fd))
    return Journal(installation.store, member)
