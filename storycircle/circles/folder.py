"""Circle folders and bundles: how a circle reaches other machines.

We do not build sync. Every share, withdrawal and change of members is
written to the circle's folder as one age file named after its content
(``story-<hash>.age``, ``roster-<hash>.age``, ``withdraw-<hash>.age``), and
files other members put there are applied on open and on refresh. Whatever
people already use to carry a folder (Syncthing, a network share, git, a USB
stick) carries the circle. A bundle is the same files in one file, for people
without a shared folder.

Applying (:mod:`storycircle.circles.inbox`) is idempotent (files are
remembered by content hash) and refuses, with a one-line reason each, once,
files that are not ours, not signed by a current member for that circle and
epoch, older shares, oversized, addressed to more recipients than such a file
has, or named to leave the folder; the rest still apply. Files are written
0600, or group-readable in a folder shared through a group (:func:`file_mode`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle import vault
from storycircle.circles.errors import CircleError
from storycircle.circles.events import sign_event
from storycircle.circles.keysets import recipient_groups
from storycircle.files import write_atomically
from storycircle.sanitize import sanitize_line
from storycircle.store.circle_store import CircleStore
from storycircle.vault import armor
from storycircle.wording import counted

if TYPE_CHECKING:
    from storycircle.circles.context import CircleContext

KINDS = ("roster", "story", "withdraw")
FILE_NAME = re.compile(r"^(roster|story|withdraw)-[0-9a-f]{32}\.age$")
MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest circle file accepted (a story is at most 512 KiB of text)."""
SYNC_CONFLICT = re.compile(r"\.sync-conflict-\d{8}-\d{6}-[0-9A-Z]{7}")
"""Syncthing's mark in the name of a conflict copy."""
CONFLICT_REASON = (
    "a conflict copy Syncthing made when one file changed on two machines "
    "(`storycircle circle tidy` puts it in order)"
)
BUNDLE_MAGIC = b"storycircle-circle-bundle v1\n"
MAX_BUNDLE_FILES = 200_000
MAX_STANZAS = {"roster": 64 + 2, "story": 4, "withdraw": 2}
"""Most recipients a circle file of each kind can name (a list of members goes to
at most every member; a story to the circle and its author; a withdrawal to the
circle). A file naming more is refused before any key is tried."""
_AGE_MAGIC = b"age-encryption.org/v1\n"
_HEADER_LIMIT = 128 * 1024


def stanza_count(data: bytes) -> int | None:
    """How many recipient stanzas an age file's header names, without any cryptography.

    Returns:
        The count, or None when ``data`` is not a binary age file.
    """
    if armor.looks_armored(data):
        try:
            data = armor.decode(data)  # at most MAX_FILE_BYTES: cheap, no cryptography
        except vault.AgeError:
            return None
    if not data.startswith(_AGE_MAGIC):
        return None
    end = data.find(b"\n--- ", 0, _HEADER_LIMIT)
    if end < 0:
        return None
    return data.count(b"\n-> ", 0, end) + data.startswith(_AGE_MAGIC + b"-> ")


@dataclass
class FolderReport:
    """What applying a folder or bundle did.

    Attributes:
        applied: Files applied now.
        refused: ``(file name, reason)`` of each file refused.
        circles: CircleContext found or changed (ids).
        farewells: Names of circles the member was removed from, learnt now
            (said once: the notice is applied once, and the circle is gone).
    """

    applied: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    circles: set[str] = field(default_factory=set)
    farewells: list[str] = field(default_factory=list)

    def refuse(self, name: str, reason: str) -> None:
        """Record a refused file; the name is cleaned for showing."""
        self.refused.append((sanitize_line(name)[:80], reason))

    def farewell_lines(self) -> list[str]:
        """What a removed member is told, plainly and once."""
        return [
            f"You are no longer in {name}. Stories you wrote stay in your journal."
            for name in self.farewells
        ]

    def summary(self) -> str:
        """One line for a person: how many applied and refused."""
        text = f"{counted(self.applied, 'new file')} applied"
        if self.refused:
            text += f", {len(self.refused)} refused"
        return text


# -- writing -----------------------------------------------------------------------


def file_name(kind: str, data: bytes) -> str:
    """The name of a circle file: its kind and a hash of its content."""
    return f"{kind}-{hashlib.sha256(data).hexdigest()[:32]}.age"


def temporary_name() -> str:
    """A name for a circle file while it is being written, before it is moved into place.

    A sync engine must never carry a half-written file to other machines.
    Syncthing never scans a name of the form ``.syncthing.*.tmp`` (its own
    temporaries) and removes stale ones itself after a day, so a file cut
    short by a crash does not linger either; the leading dot keeps every
    name of this form out of what storycircle reads.
    """
    return f".syncthing.storycircle-{secrets.token_hex(6)}.tmp"


def write_file(rows: CircleStore, circle_id: str, folder: str, kind: str, data: bytes) -> str:
    """Write one circle file into the folder atomically; return its name.

    Raises:
        CircleError: the folder cannot be written (the change is kept here).
    """
    target = Path(folder) / file_name(kind, data)
    try:
        write_atomically(target, data, mode=file_mode(folder), temporary_name=temporary_name())
    except OSError as error:
        raise CircleError(
            f"saved here, but not written to the circle folder ({error.strerror or error})"
        ) from None
    digest = hashlib.sha256(data).digest()
    rows.mark_file(circle_id, digest)
    rows.set_seen(digest, "applied")
    return target.name


def file_mode(folder: str) -> int:
    """The mode of a new circle file: 0600, or group-readable in a group-shared folder.

    A folder shared through a group (setgid, or group-writable) gets files its
    group can read (and write, when the folder is group-writable); any other
    folder gets files only their owner can read. Nothing is ever
    world-readable: the files are encrypted, but their names, sizes and times
    are visible to whoever can list the folder.
    """
    try:
        folder_mode = os.stat(folder).st_mode
    except OSError:
        return 0o600
    if folder_mode & (stat.S_ISGID | stat.S_IWGRP):
        return 0o600 | (folder_mode & stat.S_IRGRP) | (folder_mode & stat.S_IWGRP)
    return 0o600


def write_roster(
    rows: CircleStore, circle_id: str, folder: str, event: bytes, recipients: Iterable[str]
) -> str:
    """Encrypt a signed roster event to ``recipients`` (key texts) and write it to the folder.

    Hybrid and classic keys never share a file: when they cannot all be
    hybrid, a second file carries the event to the keys that are hybrid only
    (a hybrid epoch key); applying the same roster twice changes nothing.
    """
    names = [
        write_file(rows, circle_id, folder, "roster", vault.encrypt(event, group))
        for group in recipient_groups(list(recipients))
    ]
    return names[0]


def forget_files(folder: str, kind: str, digests: Iterable[bytes]) -> None:
    """Remove this machine's own files of a withdrawn story from the folder."""
    for digest in digests:
        (Path(folder) / f"{kind}-{digest.hex()[:32]}.age").unlink(missing_ok=True)


# -- gathering ---------------------------------------------------------------------------


def folder_files(folder: str, report: FolderReport) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` of the circle files in a folder; refuse the rest."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        raise CircleError(f"the circle folder cannot be read ({error.strerror or error})") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue  # sync tools' own files, and our half-written ones
        if entry.is_symlink():
            report.refuse(entry.name, "a link, which could lead outside the folder")
            continue
        if not entry.is_file(follow_symlinks=False):
            report.refuse(entry.name, "not a file")
            continue
        if not FILE_NAME.match(entry.name):
            conflict = SYNC_CONFLICT.search(entry.name) is not None
            report.refuse(
                entry.name, CONFLICT_REASON if conflict else "not a storycircle circle file"
            )
            continue
        if entry.stat(follow_symlinks=False).st_size > MAX_FILE_BYTES:
            report.refuse(entry.name, "larger than any circle file can be")
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            report.refuse(entry.name, "could not be read")
            continue
        yield entry.name, data


def bundle_files(path: Path, report: FolderReport) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` of the files in a circle bundle; refuse bad entries.

    Raises:
        CircleError: the file is not a circle bundle.
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as error:
        raise CircleError(f"cannot read {sanitize_line(str(path))}: {error.strerror}") from None
    with handle:
        if handle.readline() != BUNDLE_MAGIC:
            raise CircleError(f"{sanitize_line(str(path))} is not a storycircle circle bundle")
        for count, raw in enumerate(handle):
            if count >= MAX_BUNDLE_FILES:
                report.refuse("(rest of bundle)", "more files than a bundle may hold")
                return
            name_bytes, _, encoded = raw.rstrip(b"\n").partition(b" ")
            name = name_bytes.decode("utf-8", "replace")
            if "/" in name or "\\" in name or ".." in name:
                report.refuse(name, "a name that tries to leave the folder")
                continue
            if not FILE_NAME.match(name):
                report.refuse(name, "not a storycircle circle file")
                continue
            if len(encoded) > MAX_FILE_BYTES * 4 // 3 + 4:
                report.refuse(name, "larger than any circle file can be")
                continue
            try:
                yield name, base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                report.refuse(name, "damaged in the bundle")


def write_bundle(circles: CircleContext, circle_id: str, path: Path) -> int:
    """Write a circle's current roster and shared stories as one bundle file.

    Returns:
        How many files it holds.

    Raises:
        CircleError: the file cannot be written.
    """
    roster = circles.roster(circle_id)
    event = sign_event(
        {**roster.to_event(), "signer": circles.member.id}, circles.member.signing_key
    )
    groups = recipient_groups([m.recipient for m in roster.live()])
    files = [("roster", vault.encrypt(event, group)) for group in groups]
    files += [("story", row.blob) for row in circles.rows.stories(circle_id)]
    lines = [BUNDLE_MAGIC]
    for kind, data in files:
        lines.append(f"{file_name(kind, data)} ".encode() + base64.b64encode(data) + b"\n")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(lines)
    except OSError as error:
        raise CircleError(f"cannot write {sanitize_line(str(path))}: {error.strerror}") from None
    return len(files)
