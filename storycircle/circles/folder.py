"""Circle folders and bundles: how a circle reaches other machines.

We do not build sync. Every share, withdrawal and change of members is
written to the circle's folder as one age file named after its content
(``story-<hash>.age``, ``roster-<hash>.age``, ``withdraw-<hash>.age``), and
files other members put there are applied on open and on refresh. Whatever
people already use to carry a folder (Syncthing, a network share, git, a USB
stick) carries the circle. A bundle is the same files in one file, for people
without a shared folder.

Applying is idempotent (files are remembered by content hash) and refuses,
with a one-line reason each, files that are not ours, not signed by a member,
from a member who left, older versions, oversized, or named to leave the
folder; the rest still apply.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from storycircle import vault
from storycircle.circles.keysets import recipient_groups
from storycircle.circles.service import CircleError, Circles
from storycircle.sanitize import sanitize_line
from storycircle.store.circle_store import CircleStore

KINDS = ("roster", "story", "withdraw")
FILE_NAME = re.compile(r"^(roster|story|withdraw)-[0-9a-f]{32}\.age$")
MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest circle file accepted (a story is at most 512 KiB of text)."""
BUNDLE_MAGIC = b"storycircle-circle-bundle v1\n"
MAX_BUNDLE_FILES = 200_000


@dataclass
class FolderReport:
    """What applying a folder or bundle did.

    Attributes:
        applied: Files applied now.
        refused: ``(file name, reason)`` of each file refused.
        circles: Circles found or changed (ids).
    """

    applied: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    circles: set[str] = field(default_factory=set)

    def refuse(self, name: str, reason: str) -> None:
        """Record a refused file; the name is cleaned for showing."""
        self.refused.append((sanitize_line(name)[:80], reason))

    def summary(self) -> str:
        """One line for a person: how many applied and refused."""
        text = f"{self.applied} new file{'' if self.applied == 1 else 's'} applied"
        if self.refused:
            text += f", {len(self.refused)} refused"
        return text


# -- writing -----------------------------------------------------------------------


def file_name(kind: str, data: bytes) -> str:
    """The name of a circle file: its kind and a hash of its content."""
    return f"{kind}-{hashlib.sha256(data).hexdigest()[:32]}.age"


def write_file(rows: CircleStore, circle_id: str, folder: str, kind: str, data: bytes) -> str:
    """Write one circle file into the folder atomically; return its name.

    Raises:
        CircleError: the folder cannot be written (the change is kept here).
    """
    target = Path(folder) / file_name(kind, data)
    temporary = Path(folder) / f".storycircle-{secrets.token_hex(6)}.tmp"
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise CircleError(
            f"saved here, but not written to the circle folder ({error.strerror or error})"
        ) from None
    rows.mark_file(circle_id, hashlib.sha256(data).digest())
    return target.name


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
            report.refuse(entry.name, "not a storycircle circle file")
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


def write_bundle(circles: Circles, circle_id: str, path: Path) -> int:
    """Write a circle's current roster and shared stories as one bundle file.

    Returns:
        How many files it holds.

    Raises:
        CircleError: the file cannot be written.
    """
    from storycircle.circles.events import sign_event

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
