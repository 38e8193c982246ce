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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from storycircle import vault
from storycircle.circles.epochs import EpochKey, GrantError, open_grant
from storycircle.circles.events import EventError, read_event, verify_event
from storycircle.circles.roster import ACTIVE, Roster, roster_from_event
from storycircle.circles.service import CircleError, Circles
from storycircle.circles.sharing import Sharing
from storycircle.envelope import open_story_file
from storycircle.errors import DamagedStory, StorycircleError
from storycircle.models import Story
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
    """Encrypt a signed roster event to ``recipients`` and write it to the folder."""
    parsed = [vault.parse_recipient(r) for r in dict.fromkeys(recipients)]
    return write_file(rows, circle_id, folder, "roster", vault.encrypt(event, parsed))


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
    recipients = [vault.parse_recipient(m.recipient) for m in roster.live()]
    files = [("roster", vault.encrypt(event, recipients))]
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


# -- applying ------------------------------------------------------------------------------


class Applier:
    """Applies gathered circle files for one unlocked member."""

    def __init__(self, sharing: Sharing, folder: str = "") -> None:
        """Apply through the member's :class:`Sharing` (and its :class:`Circles`).

        Args:
            sharing: The member's sharing service.
            folder: The folder the files came from, remembered for circles
                first found there ("" for a bundle).
        """
        self.sharing = sharing
        self.circles = sharing.circles
        self.rows = self.circles.rows
        self.folder = folder
        self.report = FolderReport()

    def apply(self, files: Iterable[tuple[str, bytes]]) -> FolderReport:
        """Apply rosters first (in revision order), then stories, then withdrawals."""
        by_kind: dict[str, list[tuple[str, bytes]]] = {kind: [] for kind in KINDS}
        for name, data in files:
            if not self._seen(data):
                by_kind[name.split("-", 1)[0]].append((name, data))
        rosters = []
        for name, data in by_kind["roster"]:
            opened = self._open_roster(name, data)
            if opened is not None:
                rosters.append((name, data, *opened))
        rosters.sort(key=lambda item: item[2].revision)
        for name, data, roster, fields in rosters:
            self._guard(name, data, partial(self._apply_roster, roster, fields))
        with self.circles.store.batch():
            for name, data in by_kind["story"]:
                self._guard(name, data, partial(self._apply_story, data))
            for name, data in by_kind["withdraw"]:
                self._guard(name, data, partial(self._apply_withdraw, data))
        return self.report

    def _guard(self, name: str, data: bytes, step: Callable[[], str]) -> None:
        try:
            circle_id = step()
        except (StorycircleError, EventError) as error:
            self.report.refuse(name, str(error))
            return
        self.report.circles.add(circle_id)
        if self.rows.circle(circle_id) is not None:
            self.rows.mark_file(circle_id, hashlib.sha256(data).digest())
        self.report.applied += 1

    def _seen(self, data: bytes) -> bool:
        digest = hashlib.sha256(data).digest()
        return any(
            self.rows.file_applied(record.id, digest)
            for record, _status in self.rows.circles_of(self.circles.member.id)
        )

    def _epoch_identities(self, circle_id: str) -> list[vault.Identity]:
        found: list[vault.Identity] = []
        for epoch, blob in self.rows.grants_of(circle_id, self.circles.member.id).items():
            try:
                found.append(
                    open_grant(blob, circle_id, epoch, self.circles.member.identity).identity
                )
            except GrantError:
                continue
        return found

    def _open_roster(self, name: str, data: bytes) -> tuple[Roster, dict[str, Any]] | None:
        identities: list[vault.Identity] = [self.circles.member.identity]
        for record, _status in self.rows.circles_of(self.circles.member.id):
            identities += self._epoch_identities(record.id)
        try:
            plaintext = vault.decrypt(data, identities)
        except vault.NoIdentityMatch:
            return None  # a list of members not addressed to this member
        except vault.AgeError:
            self.report.refuse(name, "not an age file, or damaged")
            return None
        try:
            fields = read_event(plaintext)
            if fields["kind"] != "roster":
                raise EventError("not a list of members")
            return roster_from_event(fields), fields
        except EventError as error:
            self.report.refuse(name, str(error))
            return None

    def _apply_roster(self, roster: Roster, fields: dict[str, Any]) -> str:
        signer = str(fields["signer"])
        known = self.rows.circle(roster.circle_id)
        if known is not None and roster.revision <= known.revision:
            if roster.revision == known.revision:
                return roster.circle_id  # the same change, seen before
            raise EventError(
                f"an older list of members (revision {roster.revision}; have {known.revision})"
            )
        source = (
            self.rows.member(roster.circle_id, signer)
            if known is not None
            else roster.member(signer)
        )
        if source is None:
            raise EventError("a list of members signed by someone not in the circle")
        verify_event(fields, Ed25519PublicKey.from_public_bytes(source.signing_public))
        me = self.circles.member
        entry = roster.member(me.id)
        if known is None and (entry is None or not entry.live):
            raise EventError("a circle this member is not in")
        key = None
        if entry is not None and entry.live:
            blob = roster.grants.get(me.id)
            if blob is None:
                raise EventError("a list of members without a key for this member")
            try:
                key = open_grant(blob, roster.circle_id, roster.epoch, me.identity)
            except GrantError as error:
                raise EventError(str(error)) from None
        old_key = self.circles.current_key(roster.circle_id) if known is not None else None
        folder = self.circles.folder_of(roster.circle_id) if known is not None else self.folder
        self.circles.apply_roster(
            roster, key, old_key, folder=folder, signer_id=signer, announce=False
        )
        return roster.circle_id

    def _apply_story(self, data: bytes) -> str:
        if not vault.is_age_file(data):
            raise CircleError("not an age file, so not from a circle")
        for record, status in self.rows.circles_of(self.circles.member.id):
            if status != ACTIVE and status != "invited":
                continue
            key = self.circles.current_key(record.id)
            try:
                story = open_story_file(data, [key.identity], self._author_key(record.id))
            except DamagedStory as error:
                if "cannot be opened" in str(error):
                    continue  # not this circle's: try the next
                raise
            self._store_story(record.id, story, data, key)
            return record.id
        raise CircleError("cannot be opened with your circles' keys (not for you, or an old key)")

    def _author_key(self, circle_id: str) -> Callable[[str], Ed25519PublicKey | None]:
        def lookup(author_id: str) -> Ed25519PublicKey | None:
            row = self.rows.member(circle_id, author_id)
            if row is None:
                return None
            if row.status != ACTIVE:
                raise CircleError("from a member who left or was removed")
            return Ed25519PublicKey.from_public_bytes(row.signing_public)

        return lookup

    def _store_story(self, circle_id: str, story: Story, data: bytes, key: EpochKey) -> None:
        if story.version <= self.rows.withdrawn_version(circle_id, story.id):
            raise CircleError(f"story {story.id} was withdrawn by its author")
        existing = [r for r in self.rows.stories(circle_id) if r.story_id == story.id]
        if any(r.author_id != story.author_id for r in existing):
            raise CircleError(f"story {story.id} claims the id of another member's story")
        newest = max((r.version for r in existing), default=0)
        if story.version < newest:
            raise CircleError(
                f"an older version of story {story.id} ({story.version}; have {newest})"
            )
        digest = hashlib.sha256(data).digest()
        row_id = story.id
        if story.version == newest:
            if any(r.digest == digest for r in existing):
                return
            # Another edit of the same version: keep both, overwrite nothing.
            row_id = f"{story.id}~{digest.hex()[:8]}"
        self.sharing.store_row(circle_id, row_id, story, data, key)

    def _apply_withdraw(self, data: bytes) -> str:
        for record, _status in self.rows.circles_of(self.circles.member.id):
            try:
                plaintext = vault.decrypt(data, [self.circles.current_key(record.id).identity])
            except vault.NoIdentityMatch:
                continue
            except vault.AgeError:
                raise CircleError("not an age file, or damaged") from None
            fields = read_event(plaintext)
            if fields["kind"] != "withdraw" or fields["circle"] != record.id:
                raise EventError("not a withdrawal of this circle")
            signer = self.rows.member(record.id, str(fields["signer"]))
            if signer is None:
                raise EventError("a withdrawal signed by someone not in the circle")
            verify_event(fields, Ed25519PublicKey.from_public_bytes(signer.signing_public))
            story_id, version = str(fields.get("story")), fields.get("version")
            if not isinstance(version, int):
                raise EventError("a withdrawal without a version")
            rows = [r for r in self.rows.stories(record.id) if r.story_id == story_id]
            if any(r.author_id != signer.member_id for r in rows):
                raise EventError("a withdrawal of a story by someone else")
            self.rows.delete_story(record.id, story_id)
            self.rows.set_withdrawn(record.id, story_id, version)
            return record.id
        raise CircleError("cannot be opened with your circles' keys (not for you, or an old key)")


def refresh(sharing: Sharing, folder: str) -> FolderReport:
    """Apply every new file of a circle folder (or find invitations in it)."""
    applier = Applier(sharing, folder)
    report = FolderReport()
    files = list(folder_files(folder, report))
    applier.report = report
    return applier.apply(files)


def import_bundle(sharing: Sharing, path: Path) -> FolderReport:
    """Apply the files of a circle bundle."""
    applier = Applier(sharing)
    files = list(bundle_files(path, applier.report))
    return applier.apply(files)
