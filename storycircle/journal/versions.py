"""Rollback detection: a member's sealed, signed record of their newest versions.

Every story row is signed and encrypted, so nobody can forge one; but someone
with write access to the database could put back an *older* row (a copy of
the file from last week, ``sqlite3``), and the older story would open and
verify as well as the newest. The record closes that gap: for each story of a
member's journal it holds the newest version saved here, signed with the
member's Ed25519 key and sealed (ChaCha20-Poly1305) under a key derived from
their identity, so only the member can write or read it. It is updated in the
same transaction as each save and delete, and checked when a story is opened
and by ``storycircle doctor``.

Limits (also in SECURITY.md): a rollback of the *whole* database, record
included, to an earlier consistent copy cannot be told from that copy; and a
record that is deleted is started again, from the rows present, at the next
unlock (``doctor`` reports a missing record until then).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from storycircle.journal.members import UnlockedMember, signing_public_key
from storycircle.models import JOURNAL_SCOPE
from storycircle.sealing.keys import SealError
from storycircle.sealing.signing import sign, verify
from storycircle.store import Store

__all__ = ["RollbackCheck", "VersionRecord"]

_FORMAT = "storycircle-versions/v1"
_SIGNATURE_BYTES = 64


def _context(member_id: str) -> bytes:
    return f"storycircle/versions\x00{member_id}".encode()


@dataclass(frozen=True, slots=True)
class RollbackCheck:
    """What the record says about the rows as they are now.

    Attributes:
        older: Ids of stories whose row is older than the version recorded.
        missing: Ids of recorded stories whose row is gone.
    """

    older: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


class VersionRecord:
    """The version record of one unlocked member."""

    def __init__(self, store: Store, member: UnlockedMember) -> None:
        """Bind to the store and the member (whose keys seal and sign the record)."""
        self._store = store
        self._member = member
        self._cache: tuple[bytes, dict[str, int]] | None = None

    def exists(self) -> bool:
        """True when the member has a record."""
        return self._store.versions.get(self._member.id) is not None

    def read(self) -> dict[str, int] | None:
        """``{story id: newest version}``, or None when there is no record.

        Raises:
            SealError: the record does not open or its signature does not hold.
        """
        blob = self._store.versions.get(self._member.id)
        if blob is None:
            return None
        if self._cache is not None and self._cache[0] == blob:
            return dict(self._cache[1])
        opened = self._member.journal.open(blob, _context(self._member.id))
        signature, payload = opened[:_SIGNATURE_BYTES], opened[_SIGNATURE_BYTES:]
        author = self._store.member(self._member.id)
        if author is None:
            raise SealError("the version record names a member who is not here")
        try:
            verify(signing_public_key(author), signature, payload)
            document = json.loads(payload)
            if document.get("format") != _FORMAT or document.get("member") != self._member.id:
                raise ValueError("not this member's version record")
            versions = {str(k): int(v) for k, v in document["stories"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SealError("the version record does not verify") from None
        self._cache = (blob, versions)
        return dict(versions)

    def write(self, versions: dict[str, int]) -> None:
        """Sign, seal and store ``versions`` (inside the caller's batch, if any)."""
        payload = json.dumps(
            {"format": _FORMAT, "member": self._member.id, "stories": versions},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        signature = sign(self._member.signing_key, payload)
        blob = self._member.journal.seal(signature + payload, _context(self._member.id))
        self._store.versions.put(self._member.id, blob)
        self._cache = (blob, dict(versions))

    def current(self) -> dict[str, int]:
        """The recorded versions, or the rows present when there is no usable record."""
        # A record that does not open is replaced only by a save, which
        # starts again from the rows present (doctor will have said so).
        try:
            versions = self.read()
        except SealError:
            versions = None
        if versions is None:
            return self._store.versions.journal_versions(JOURNAL_SCOPE, self._member.id)
        return versions

    def saved(self, story_id: str, version: int) -> None:
        """Note a save; call inside the save's transaction."""
        versions = self.current()
        versions[story_id] = version
        self.write(versions)

    def deleted(self, story_id: str) -> None:
        """Note a delete; call inside the delete's transaction."""
        versions = self.current()
        versions.pop(story_id, None)
        self.write(versions)

    def start(self) -> bool:
        """Start a record from the rows present, if there is none and there are stories.

        Returns:
            True when a record was written.
        """
        if self.exists():
            return False
        rows = self._store.versions.journal_versions(JOURNAL_SCOPE, self._member.id)
        if not rows:
            return False
        self.write(rows)
        return True

    def recorded(self, story_id: str) -> int | None:
        """The newest version recorded for a story (None when unknown or no record)."""
        try:
            versions = self.read()
        except SealError:
            return None
        return None if versions is None else versions.get(story_id)

    def check(self) -> RollbackCheck:
        """Compare the record with the rows as they are now.

        A row *newer* than the record is not a rollback (the record can only
        lag if a write failed half-way, which the transaction prevents).

        Raises:
            SealError: the record does not open or verify.
        """
        versions = self.read()
        if versions is None:
            return RollbackCheck()
        rows = self._store.versions.journal_versions(JOURNAL_SCOPE, self._member.id)
        older = tuple(sorted(i for i, v in versions.items() if i in rows and rows[i] < v))
        missing = tuple(sorted(i for i in versions if i not in rows))
        return RollbackCheck(older, missing)
