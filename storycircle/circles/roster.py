"""The roster of a circle: who is in it, who hosts it, and the keys they hold.

Every change of members is a signed snapshot. The same rules apply whether
a change is made on this machine or arrives from a circle folder
(:func:`merge`), and they converge: machines that saw the same files show
the same members whatever order the files came in.

* anyone live in the circle may invite;
* a member may accept their own invitation, change their own circle
  pseudonym, or leave;
* only the host may remove someone else, and the host never changes;
* only the host starts a new epoch (a new key): after someone leaves or is
  removed, the circle waits for it, and nothing is shared meanwhile.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from typing import Any

from storycircle import vault
from storycircle.circles.events import EventError
from storycircle.sanitize import sanitize_line

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
        at: The revision their pseudonym was set at (the newest wins).
    """

    id: str
    recipient: str
    signing_public: bytes
    status: str
    pseudonym: str
    at: int = 0

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
                    "at": m.at,
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
                pseudonym=sanitize_line(str(m["pseudonym"]))[:MAX_NAME_LENGTH],
                at=int(m.get("at", 0)),
            )
            for m in fields["members"]
        )
        grants = {
            str(k): base64.b64decode(v, validate=True) for k, v in dict(fields["grants"]).items()
        }
        roster = Roster(
            circle_id=str(fields["circle"]),
            name=sanitize_line(str(fields["name"])),
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
    if not 1 <= roster.epoch < 2**53 or not 1 <= roster.revision < 2**53:
        raise EventError("a roster with an impossible epoch or revision")
    if len(grants) > MAX_MEMBERS:
        raise EventError("a roster of an impossible size")
    return roster


class PendingError(EventError):
    """A change that answers a file not seen here yet; it is tried again on the next refresh."""


RANK = {INVITED: 0, ACTIVE: 1, LEFT: 2, REMOVED: 3}
"""Statuses only move up: nobody comes back after leaving or being removed."""


def first_sight(new: Roster, signer_id: str) -> Roster:
    """Check a roster of a circle not known here (created here, or an invitation found).

    Raises:
        EventError: the signer is not live in it, or its host is not listed.
    """
    signer = new.member(signer_id)
    if signer is None or not signer.live or new.member(new.host_id) is None:
        raise EventError("a circle announced by someone who is not in it")
    return new


def merge(local: Roster, incoming: Roster, signer_id: str) -> Roster:
    """The roster known here after taking what ``signer_id`` may change from ``incoming``.

    Each roster file is a snapshot; only the parts its signer is allowed to
    change are taken, and statuses only move up (:data:`RANK`), so machines
    that saw the same files agree whatever order they came in:

    * a member's own status (accept, leave) and pseudonym come from their
      own files; a removal only from the host's;
    * a new epoch (key) only from the host; within an epoch the key and
      every grant already given stay as they are;
    * a live member may vouch for someone new (an invitation, with a grant
      to the current epoch); what else a snapshot says about others is
      hearsay and left to their own files;
    * a snapshot of a retired epoch moves only its live signer's own status;
    * a host's new epoch lists who is in it: members it did not know of
      (vouched for at an older epoch) are not.

    Raises:
        PendingError: the signer is not known here yet.
        EventError: the signer may not make this change, with the reason.
    """
    if incoming.circle_id != local.circle_id:
        raise EventError("a list of members of another circle")
    if incoming.host_id != local.host_id:
        raise EventError("a change of host, which is not allowed")
    signer = local.member(signer_id)
    if signer is None:
        raise PendingError("a list of members signed by someone not (yet) in the circle")
    revision = max(local.revision, incoming.revision)
    if incoming.epoch > local.epoch:
        if signer_id != local.host_id:
            raise EventError("a new circle key started by someone other than the host")
        members = []
        for theirs in incoming.members:
            mine = local.member(theirs.id)
            members.append(
                theirs
                if mine is None
                else _member(mine, theirs, signer_id, local.host_id, incoming.revision)
            )
        return replace(incoming, name=local.name, revision=revision, members=tuple(members))
    if incoming.epoch == local.epoch:
        if incoming.epoch_recipient != local.epoch_recipient:
            raise EventError("a different circle key without a new epoch")
        if any(incoming.grants.get(k, blob) != blob for k, blob in local.grants.items()):
            raise EventError("a change of someone's key to the circle without a new epoch")
        vouch = signer.live
    elif signer.live:
        vouch = False  # a retired epoch: only the signer's own status moves on
    else:
        raise EventError(
            f"a list of members of a retired circle key (epoch {incoming.epoch}; "
            f"have {local.epoch})"
        )
    members = []
    for mine in local.members:
        said = incoming.member(mine.id)
        members.append(
            mine
            if said is None
            else _member(mine, said, signer_id, local.host_id, incoming.revision)
        )
    grants = dict(local.grants)
    for theirs in incoming.members:
        fresh = local.member(theirs.id) is None and theirs.id in incoming.grants
        if vouch and fresh and len(members) < MAX_MEMBERS:
            # Only an invitation can be vouched for: their own file accepts it.
            members.append(replace(theirs, status=INVITED, at=incoming.revision))
            grants[theirs.id] = incoming.grants[theirs.id]
    return replace(local, revision=revision, members=tuple(members), grants=grants)


def _member(
    mine: RosterMember, theirs: RosterMember, signer_id: str, host_id: str, revision: int
) -> RosterMember:
    own = signer_id == mine.id
    recipient = _keys(mine, theirs, own=own)
    status = mine.status
    if RANK[theirs.status] > RANK[mine.status] and (
        (own and theirs.status in (ACTIVE, LEFT))
        or (signer_id == host_id != mine.id and theirs.status == REMOVED)
    ):
        status = theirs.status
    pseudonym, at = mine.pseudonym, mine.at
    if own and mine.live and (revision, theirs.pseudonym) > (mine.at, mine.pseudonym):
        pseudonym, at = theirs.pseudonym, revision
    return replace(mine, recipient=recipient, status=status, pseudonym=pseudonym, at=at)


def _keys(mine: RosterMember, theirs: RosterMember, *, own: bool) -> str:
    """The keys listed for a member after ``theirs``: one way only, classic to hybrid.

    The signing key and the X25519 key never change. A member may add a
    hybrid key to their own entry (members listed before hybrid keys existed
    do so once they have one); what others' files say of it is hearsay and
    left as it is here, so a host's new epoch that already lists the upgrade
    is not refused where the member's own file has not arrived yet. Should a
    member's files name two hybrid keys, the smaller wins, so every machine
    settles on the same one whatever order the files came in.

    Raises:
        EventError: the file swaps the member's signing or X25519 key.
    """
    if theirs.signing_public != mine.signing_public:
        raise EventError("a change that swaps a member's keys")
    my_classic, my_hybrid = _split(mine.recipient)
    their_classic, their_hybrid = _split(theirs.recipient)
    if their_classic != my_classic:
        raise EventError("a change that swaps a member's keys")
    if not own or their_hybrid is None or (my_hybrid is not None and my_hybrid <= their_hybrid):
        return mine.recipient
    try:
        valid = isinstance(vault.parse_recipient(their_hybrid), vault.HybridRecipient)
    except vault.KeyFormatError:
        valid = False
    if not valid:
        raise EventError("a member's new post-quantum key that is malformed")
    return f"{my_classic} {their_hybrid}"


def _split(text: str) -> tuple[str, str | None]:
    """A key text's X25519 part and hybrid part (see :mod:`storycircle.circles.keysets`)."""
    parts = text.split()
    if len(parts) == 2 and parts[1].startswith("age1pq1") and not parts[0].startswith("age1pq1"):
        return parts[0], parts[1]
    return text, None


def waiting_for(roster: Roster) -> list[RosterMember]:
    """Members who left or were removed but still hold the current epoch's key."""
    return [m for m in roster.members if not m.live and m.id in roster.grants]


def updated(roster: Roster, **changes: Any) -> Roster:
    """A copy of ``roster`` with the next revision and the given changes."""
    return replace(roster, revision=roster.revision + 1, **changes)
