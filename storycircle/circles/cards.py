"""A member's public card: what someone on another machine needs to invite them.

One line that can be pasted into a chat or written to a file::

    storycircle-card:v2:<member id>:<age1 key>:<age1pq1 key>:<signing key>:<pseudonym>

The ``age1pq1`` key is the member's hybrid post-quantum public key (about two
thousand characters, which is why a v2 card is long); cards of members who
have none yet, and v1 cards from before hybrid keys, leave it out::

    storycircle-card:v1:<member id>:<age recipient>:<signing key>:<pseudonym>

The signing key is the member's Ed25519 public key and the pseudonym is
base64url (it may hold any character). A card holds nothing secret.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from storycircle import vault
from storycircle.circles.keysets import join_keys
from storycircle.errors import StorycircleError
from storycircle.journal.members import clean_pseudonym
from storycircle.models import MemberRecord

CARD_PREFIX = "storycircle-card:v1:"
CARD_PREFIX_V2 = "storycircle-card:v2:"
MAX_CARD_LENGTH = 2400  # a v2 card: ~2,000 characters of hybrid key, plus the rest
_MEMBER_ID = re.compile(r"^[0-9a-f]{16}$")


class CardError(StorycircleError):
    """Text that is not a valid member card."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    data = base64.urlsafe_b64decode(padded.encode("ascii"))
    if _b64(data) != text:
        raise ValueError("not canonical")
    return data


@dataclass(frozen=True, slots=True)
class MemberCard:
    """The public parts of a member.

    Attributes:
        member_id: Their member id.
        recipient: Their X25519 age recipient (``age1…``).
        signing_public: Their Ed25519 public key, raw 32 bytes.
        pseudonym: The name they go by.
        hybrid_recipient: Their hybrid post-quantum recipient (``age1pq1…``),
            or "" when the card has none (a v1 card).
    """

    member_id: str
    recipient: str
    signing_public: bytes
    pseudonym: str
    hybrid_recipient: str = ""

    @classmethod
    def of(cls, member: MemberRecord) -> MemberCard:
        """The card of a member of this installation."""
        return cls(
            member.id,
            member.recipient,
            member.signing_public,
            member.pseudonym,
            member.hybrid_recipient,
        )

    @property
    def key_text(self) -> str:
        """Their keys as a circle roster lists them."""
        return join_keys(self.recipient, self.hybrid_recipient or None)

    def __str__(self) -> str:
        tail = f"{_b64(self.signing_public)}:{_b64(self.pseudonym.encode('utf-8'))}"
        if self.hybrid_recipient:
            return (
                f"{CARD_PREFIX_V2}{self.member_id}:{self.recipient}:{self.hybrid_recipient}:{tail}"
            )
        return f"{CARD_PREFIX}{self.member_id}:{self.recipient}:{tail}"


def parse_card(text: str) -> MemberCard:
    """Read a card pasted or loaded from a file (surrounding blanks are ignored).

    Raises:
        CardError: with what is wrong with it.
    """
    line = text.strip()
    if len(line) > MAX_CARD_LENGTH:
        raise CardError("that is too long to be a member card")
    hybrid = ""
    if line.startswith(CARD_PREFIX_V2):
        parts = line[len(CARD_PREFIX_V2) :].split(":")
        if len(parts) != 5:
            raise CardError("that member card is incomplete; copy the whole line")
        member_id, recipient, hybrid, signing_text, name_text = parts
    elif line.startswith(CARD_PREFIX):
        parts = line[len(CARD_PREFIX) :].split(":")
        if len(parts) != 4:
            raise CardError("that member card is incomplete; copy the whole line")
        member_id, recipient, signing_text, name_text = parts
    else:
        raise CardError('a member card starts with "storycircle-card:"')
    if not _MEMBER_ID.match(member_id):
        raise CardError("that member card has a malformed member id")
    try:
        if not isinstance(vault.parse_recipient(recipient), vault.X25519Recipient):
            raise CardError("that member card has a malformed age recipient")
    except vault.AgeError:
        raise CardError("that member card has a malformed age recipient") from None
    if hybrid:
        try:
            if not isinstance(vault.parse_recipient(hybrid), vault.HybridRecipient):
                raise CardError("that member card has a malformed post-quantum key")
        except vault.AgeError:
            raise CardError("that member card has a malformed post-quantum key") from None
    try:
        signing_public = _unb64(signing_text)
        pseudonym = _unb64(name_text).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise CardError("that member card is damaged; copy the whole line again") from None
    if len(signing_public) != 32:
        raise CardError("that member card has a malformed signing key")
    return MemberCard(member_id, recipient, signing_public, clean_pseudonym(pseudonym), hybrid)
