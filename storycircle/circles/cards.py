"""A member's public card: what someone on another machine needs to invite them.

One short line that can be pasted into a chat or written to a file::

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
from storycircle.errors import StorycircleError
from storycircle.members import clean_pseudonym
from storycircle.models import MemberRecord

CARD_PREFIX = "storycircle-card:v1:"
MAX_CARD_LENGTH = 400
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
        recipient: Their age recipient (``age1…``).
        signing_public: Their Ed25519 public key, raw 32 bytes.
        pseudonym: The name they go by.
    """

    member_id: str
    recipient: str
    signing_public: bytes
    pseudonym: str

    @classmethod
    def of(cls, member: MemberRecord) -> MemberCard:
        """The card of a member of this installation."""
        return cls(member.id, member.recipient, member.signing_public, member.pseudonym)

    def __str__(self) -> str:
        return (
            f"{CARD_PREFIX}{self.member_id}:{self.recipient}:"
            f"{_b64(self.signing_public)}:{_b64(self.pseudonym.encode('utf-8'))}"
        )


def parse_card(text: str) -> MemberCard:
    """Read a card pasted or loaded from a file (surrounding blanks are ignored).

    Raises:
        CardError: with what is wrong with it.
    """
    line = text.strip()
    if len(line) > MAX_CARD_LENGTH:
        raise CardError("that is too long to be a member card")
    if not line.startswith(CARD_PREFIX):
        raise CardError('a member card starts with "storycircle-card:v1:"')
    parts = line[len(CARD_PREFIX) :].split(":")
    if len(parts) != 4:
        raise CardError("that member card is incomplete; copy the whole line")
    member_id, recipient, signing_text, name_text = parts
    if not _MEMBER_ID.match(member_id):
        raise CardError("that member card has a malformed member id")
    try:
        vault.parse_recipient(recipient)
    except vault.AgeError:
        raise CardError("that member card has a malformed age recipient") from None
    try:
        signing_public = _unb64(signing_text)
        pseudonym = _unb64(name_text).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise CardError("that member card is damaged; copy the whole line again") from None
    if len(signing_public) != 32:
        raise CardError("that member card has a malformed signing key")
    return MemberCard(member_id, recipient, signing_public, clean_pseudonym(pseudonym))
