"""Curating from the command line: consent per story, assemble and sign a collection."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from storycircle.cli.session import find_story_id, open_journal
from storycircle.cli.terminal import PassphraseSource, say_line
from storycircle.curated.collections import (
    CollectionMeta,
    assemble_collection,
    set_collection_consent,
    sign_collection,
)
from storycircle.curated.curators import (
    fingerprint,
    is_encrypted_key,
    read_signing_key,
    signature_note,
)
from storycircle.session.installation import Installation
from storycircle.transfer.exporting import slugify
from storycircle.wording import counted

DEFAULT_CONSENT = (
    "Each author chose, story by story, that it may be included in a collection, "
    "and may withdraw that choice for future copies. Copies already shared cannot be recalled."
)


def _consent(installation: Installation, args: argparse.Namespace) -> int:
    journal = open_journal(installation, args)
    story = journal.load(find_story_id(installation, journal, args.story_id))
    set_collection_consent(installation.folder, journal.member, story.id, not args.withdraw)
    if args.withdraw:
        say_line(
            f'"{story.title}" will not be put in new collections. Collections already '
            "assembled or shared keep their copy: that cannot be recalled."
        )
    else:
        say_line(f'"{story.title}" may now be included in collections (withdraw with --withdraw).')
    return 0


def _curate(installation: Installation, args: argparse.Namespace) -> int:
    journal = open_journal(installation, args)
    slug = slugify(args.title)
    folder = Path(args.dest) if args.dest else installation.folder / "collections" / slug
    if not args.dest:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    meta = CollectionMeta(
        title=args.title,
        curator=journal.member.pseudonym,
        description=args.description,
        license=args.license,
        consent=DEFAULT_CONSENT,
    )
    collection = assemble_collection(
        journal, list(args.story), meta, folder, data_folder=installation.folder
    )
    if args.sign:
        collection = sign_collection(folder, journal.member.signing_key, journal.member.pseudonym)
    state = {True: "signed and verified", False: "signature does not match", None: "unsigned"}
    stories = counted(len(collection.stories), "story")
    say_line(
        f"Assembled {collection.title} with {stories} in {folder} ({state[collection.signature]})."
    )
    return 0


def run_sign(args: argparse.Namespace) -> int:
    """``storycircle sign-collection FOLDER --key FILE``: (re-)sign a collection folder.

    Needs no account or data folder: the key file is the curator's, kept
    outside any repository; its passphrase, if it has one, is asked on the
    terminal or read from ``--passphrase-fd``.
    """
    key_path = Path(args.key)
    passphrase = None
    if is_encrypted_key(key_path):
        passphrase = PassphraseSource(args.passphrase_fd).ask("Passphrase of the key file: ")
    signing_key = read_signing_key(key_path, passphrase)
    collection = sign_collection(Path(args.folder), signing_key, args.curator or "")
    say_line(
        f"Signed {collection.title} ({counted(len(collection.stories), 'story')}) "
        f"in {args.folder}: "
        f"{signature_note(collection)}. Key fingerprint: {fingerprint(collection.curator_key)}."
    )
    return 0 if collection.signature else 1


CURATE_HANDLERS: dict[str, Callable[[Installation, argparse.Namespace], int]] = {
    "consent": _consent,
    "curate": _curate,
}

__all__ = ["CURATE_HANDLERS", "run_sign"]
