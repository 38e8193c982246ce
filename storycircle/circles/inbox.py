"""Applying circle files from a folder or a bundle: the circle's inbox.

Rosters are applied first (in revision order, each checked against the one
known here), then stories, then withdrawals. Each file applies on its own:
a refused one gets a one-line reason and the rest still apply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from storycircle import vault
from storycircle.circles.epochs import EpochKey, GrantError, open_grant
from storycircle.circles.events import EventError, read_event, verify_event
from storycircle.circles.folder import KINDS, FolderReport, bundle_files, folder_files
from storycircle.circles.roster import ACTIVE, Roster, roster_from_event
from storycircle.circles.service import CircleError
from storycircle.circles.sharing import Sharing
from storycircle.envelope import open_story_file
from storycircle.errors import DamagedStory, StorycircleError
from storycircle.journal import clean_notes, clean_title
from storycircle.models import Story
from storycircle.tags import canonical_tags


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
                    open_grant(blob, circle_id, epoch, self.circles.member.identities).identity
                )
            except GrantError:
                continue
        return found

    def _open_roster(self, name: str, data: bytes) -> tuple[Roster, dict[str, Any]] | None:
        identities: list[vault.Identity] = list(self.circles.member.identities)
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
                key = open_grant(blob, roster.circle_id, roster.epoch, me.identities)
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
        existing = self.rows.rows_of_story(circle_id, story.id)
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
        # The file keeps the author's signed words; the list row is made
        # from cleaned ones, as if the story had been written here.
        try:
            listed = replace(
                story,
                title=clean_title(story.title, story.body),
                tags=canonical_tags(story.tags),
                content_notes=clean_notes(story.content_notes),
            )
        except StorycircleError as error:
            raise CircleError(f"story {story.id} is malformed ({error})") from None
        self.sharing.store_row(circle_id, row_id, listed, data, key)

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
            rows = self.rows.rows_of_story(record.id, story_id)
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
