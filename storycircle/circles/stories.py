"""Shared stories as circle files: the author's signed story inside a signed circle event.

The story envelope (:mod:`storycircle.sealing.envelope`) proves who wrote the words;
the ``story`` event around it proves to which circle, at which epoch and with
which share counter the author shared them. A member who can decrypt a story
can copy it, but cannot make it say another circle: the copy is refused there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from storycircle import vault
from storycircle.circles.events import EventError, read_event, sign_event, verify_event
from storycircle.models import Story
from storycircle.sealing.envelope import signed_story, verify_signed_story
from storycircle.sealing.signing import SigningKey, VerifyKey


@dataclass(frozen=True, slots=True)
class SharedStory:
    """A story as its author shared it to one circle.

    Attributes:
        story: The verified story.
        epoch: The epoch the author shared it at.
        seq: The author's share counter for this story in this circle.
    """

    story: Story
    epoch: int
    seq: int


def seal_circle_story(
    story: Story,
    signer: SigningKey,
    circle_id: str,
    epoch: int,
    seq: int,
    recipients: Sequence[vault.Recipient],
) -> bytes:
    """Sign ``story`` for one circle, epoch and share, and encrypt it to ``recipients``."""
    event = sign_event(
        {
            "kind": "story",
            "circle": circle_id,
            "epoch": epoch,
            "signer": story.author_id,
            "seq": seq,
            "story": signed_story(story, signer).decode("utf-8"),
        },
        signer,
    )
    return vault.encrypt(event, recipients)


def read_circle_story(
    plaintext: bytes, circle_id: str, author_key: Callable[[str], VerifyKey]
) -> SharedStory:
    """Check a decrypted story event of ``circle_id`` and return what it shares.

    Args:
        plaintext: The decrypted file.
        circle_id: The circle whose key opened it.
        author_key: The signing key of the author the event names; raises
            when that author's stories are not accepted.

    Raises:
        EventError: not a story of this circle, or a signature does not hold.
        DamagedStory: the story inside is malformed.
    """
    fields = read_event(plaintext)
    if fields["kind"] != "story":
        raise EventError("not a shared story")
    if fields["circle"] != circle_id:
        raise EventError("a story shared to another circle, copied here")
    seq = fields.get("seq")
    inner = fields.get("story")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 2**53:
        raise EventError("a shared story without a valid share counter")
    if not isinstance(inner, str):
        raise EventError("a shared story without its story")
    key = author_key(str(fields["signer"]))
    verify_event(fields, key)
    story = verify_signed_story(inner.encode("utf-8"), key)
    if story.author_id != fields["signer"]:
        raise EventError("a story shared by someone other than its author")
    return SharedStory(story, int(fields["epoch"]), seq)
