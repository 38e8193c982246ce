"""The roster of a circle: who is in it, who hosts it, and the keys they hold.

Every change of members is a new roster with a higher revision, signed by
the member who made it. The same rules apply whether a change is made on
this machine or arrives from a circle folder (:func:`check_change`):

* anyone live in the circle may invite;
* a member may accept their own invitation, change their own circle
  pseudonym, or leave;
* only the host may remove someone else, and the host never changes;
* a member who leaves or is removed starts a new epoch.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from typing import Any

from storycircle.circles.events import EventError

INVITED, ACTIVE, LEFT, REMOVED = "invited", "active", "left", "removed"
LIVE = (INVITED, ACTIVE)
STATUSES = (INVITED, ACTIVE, LEFT, REMOVED)
MAX_MEMBERS = 64
MAX_NAME_LENGTH = 80


@dataclass(frozen=True, slots=True)
class RosterMember:
    """One member as the roster lists them.

    Attributes:
        id: Member id.
        recipient: Their age recipient.
        signing_public: Their Ed25519 public key (raw).
        status: One of :data:`STATUSES`.
        pseudonym: Their pseudonym in this circle.
    """

    id: str
    recipient: str
    signing_public: bytes
    status: str
    pseudonym: str

    @property
    def live(self) -> bool:
        """True while invited or active (holding the current epoch's key)."""
        return self.status in LIVE


@dataclass(frozen=True, slots=True)
class Roster:
    """A circle's name, host, epoch and members at one revision.

    Attributes:
        circle_id: The circle.
        name: Its name.
        host_id: Who may remove others.
        epoch: The current key epoch.
        revision: Grows with every change.
        epoch_recipient: The age recipient of the epoch's key.
        members: Everyone who ever joined, with their status.
        grants: The epoch's key encrypted to each live member, by id.
    """

    circle_id: str
    name: str
    host_id: str
    epoch: int
    revision: int
    epoch_recipient: str
    members: tuple[RosterMember, ...]
    grants: dict[str, bytes] = field(default_factory=dict)

    def member(self, member_id: str) -> RosterMember | None:
        """The entry of a member, or None."""
        return next((m for m in self.members if m.id == member_id), None)

    def live(self) -> list[RosterMember]:
        """Members holding the current key."""
        return [m for m in self.members if m.live]

    def with_member(self, updated: RosterMember) -> tuple[RosterMember, ...]:
        """The member list with one entry added or replaced."""
        others = [m for m in self.members if m.id != updated.id]
        position = next((i for i, m in enumerate(self.members) if m.id == updated.id), None)
        if position is None:
            return (*self.members, updated)
        others.insert(position, updated)
        return tuple(others)

    def to_event(self) -> dict[str, Any]:
        """The roster as the fields of a signed ``roster`` event (signer added by the caller)."""
        return {
            "kind": "roster",
            "circle": self.circle_id,
            "name": self.name,
            "host": self.host_id,
            "epoch": self.epoch,
            "revision": self.revision,
            "epoch_recipient": self.epoch_recipient,
            "members": [
                {
                    "id": m.id,
                    "recipient": m.recipient,
                    "signing_public": base64.b64encode(m.signing_public).decode("ascii"),
                    "status": m.status,
                    "pseudonym": m.pseudonym,
                }
                for m in self.members
            ],
            "grants": {
                member_id: base64.b64encode(blob).decode("ascii")
                for member_id, blob in self.grants.items()
            },
        }


def roster_from_event(fields: dict[str, Any]) -> Roster:
    """Read the roster of a verified-format ``roster`` event.

    Raises:
        EventError: a field is missing or malformed.
    """
    try:
        members = tuple(
            RosterMember(
                id=str(m["id"]),
                recipient=str(m["recipient"]),
                signing_public=base64.b64decode(m["signing_public"], validate=True),
                status=str(m["status"]),
                pseudonym=str(m["pseudonym"]),
            )
            for m in fields["members"]
        )
        grants = {
            str(k): base64.b64decode(v, validate=True) for k, v in dict(fields["grants"]).items()
        }
        roster = Roster(
            circle_id=str(fields["circle"]),
            name=str(fields["name"]),
            host_id=str(fields["host"]),
            epoch=int(fields["epoch"]),
            revision=int(fields["revision"]),
            epoch_recipient=str(fields["epoch_recipient"]),
            members=members,
            grants=grants,
        )
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise EventError("a roster with missing or malformed fields") from None
    if not members or len(members) > MAX_MEMBERS or len(roster.name) > MAX_NAME_LENGTH:
        raise EventError("a roster of an impossible size")
    if any(m.status not in STATUSES or len(m.signing_public) != 32 for m in members):
        raise EventError("a roster with a malformed member")
    if len({m.id for m in members}) != len(members):
        raise EventError("a roster that lists a member twice")
    return roster


def check_change(old: Roster | None, new: Roster, signer_id: str) -> None:
    """Refuse a roster change the signer may not make.

    Args:
        old: The roster known here, or None for a circle first seen.
        new: The proposed roster.
        signer_id: Who signed it (their signature is already verified).

    Raises:
        EventError: with the reason, in words for a person.
    """
    signer_new = new.member(signer_id)
    if old is None:
        # First sight of a circle (created here, or an invitation found in a
        # folder): the signer must be live in it and the host listed. The
        # member still decides whether to accept.
        if signer_new is None or not signer_new.live or new.member(new.host_id) is None:
            raise EventError("a circle announced by someone who is not in it")
        return
    if new.circle_id != old.circle_id:
        raise EventError("a roster of another circle")
    if new.revision <= old.revision:
        raise EventError(f"an older list of members (revision {new.revision}; have {old.revision})")
    if new.host_id != old.host_id:
        raise EventError("a change of host, which is not allowed")
    signer_old = old.member(signer_id)
    if signer_old is None or not signer_old.live:
        raise EventError("a change signed by someone who is not in the circle")
    lost = False
    for before in old.members:
        after = new.member(before.id)
        if after is None:
            raise EventError("a change that drops a member from the record")
        if (after.recipient, after.signing_public) != (before.recipient, before.signing_public):
            raise EventError("a change that swaps a member's keys")
        if after.status == before.status and after.pseudonym == before.pseudonym:
            continue
        if before.status in (LEFT, REMOVED):
            raise EventError("a change that brings back someone who left or was removed")
        if after.status in (LEFT, REMOVED):
            lost = True
        own = before.id == signer_id
        allowed = (own and after.status in (ACTIVE, LEFT, before.status)) or (
            signer_id == new.host_id and after.status in (REMOVED, before.status)
        )
        if not allowed:
            raise EventError("a change to another member that only they or the host may make")
    for added in new.members:
        if old.member(added.id) is None and added.status != INVITED:
            raise EventError("a new member who was not invited first")
    expected_epoch = old.epoch + 1 if lost else old.epoch
    if new.epoch != expected_epoch:
        raise EventError("a change of members with the wrong key epoch")
    if lost and new.epoch_recipient == old.epoch_recipient:
        raise EventError("a member left but the circle key did not change")


def updated(roster: Roster, **changes: Any) -> Roster:
    """A copy of ``roster`` with the next revision and the given changes."""
    return replace(roster, revision=roster.revision + 1, **changes)
