"""Rows as the store keeps them: ids, dates and ciphertext, never content.

Apart from :mod:`storycircle.models` because only the layers that seal and
open rows need them; screens see decrypted models through the session.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story as stored: one age file plus a sealed listing summary.

    Attributes:
        id: Random id of the story.
        version: Counts saves from 1; checked against the sealed envelope.
        author_id: Member id of the author.
        scope: ``journal`` or a circle id.
        epoch: Circle epoch the story is sealed to (0 for a journal).
        created_day: Coarse creation date, for sorting without decrypting.
        updated_day: Coarse date of the last save.
        seq: Store-wide save order, for "newest first" without decrypting.
        size: Length of ``blob`` in bytes.
        blob: The age file holding the signed JSON envelope.
        summary: Title, tags and notes sealed with the scope's summary key.
    """

    id: str
    version: int
    author_id: str
    scope: str
    epoch: int
    created_day: str
    updated_day: str
    seq: int
    size: int
    blob: bytes
    summary: bytes


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """An autosaved draft, sealed to its author.

    Attributes:
        id: The draft id (the story id it edits, or a new id).
        member_id: Author of the draft.
        blob: Age file holding the draft's JSON.
        updated_day: Coarse date of the last autosave.
    """

    id: str
    member_id: str
    blob: bytes
    updated_day: str


@dataclass(frozen=True, slots=True)
class CircleRecord:
    """A circle as stored: ids and epoch in clear, name and folder sealed.

    Attributes:
        id: Random id of the circle.
        epoch: The current key epoch (starts at 1, grows on every re-key).
        revision: Grows on every change of members, so older rosters are refused.
        host_id: The member who created the circle and may remove others.
        epoch_recipient: The age recipient of the current epoch key.
        meta_sealed: Name and folder, sealed with the epoch's keys.
        created_day: ``YYYY-MM-DD``.
    """

    id: str
    epoch: int
    revision: int
    host_id: str
    epoch_recipient: str
    meta_sealed: bytes
    created_day: str


@dataclass(frozen=True, slots=True)
class CircleMemberRecord:
    """One member of a circle, on this machine or another.

    Attributes:
        circle_id: The circle.
        member_id: The member's id (from their card when they are elsewhere).
        recipient: Their age recipient.
        signing_public: Their Ed25519 public key (raw 32 bytes).
        status: ``invited``, ``active``, ``left`` or ``removed``.
        profile_sealed: Their pseudonym in this circle, sealed with the epoch's keys.
    """

    circle_id: str
    member_id: str
    recipient: str
    signing_public: bytes
    status: str
    profile_sealed: bytes


@dataclass(frozen=True, slots=True)
class CircleStoryRecord:
    """A story shared to a circle, as stored.

    Attributes:
        circle_id: The circle.
        row_id: The story id, or ``<story id>~<digest>`` for a second edit
            of the same version (both are kept).
        story_id: The story id inside the envelope.
        version: The story version.
        author_id: The author's member id.
        epoch: The epoch the file is encrypted to.
        created_day: ``YYYY-MM-DD``.
        updated_day: ``YYYY-MM-DD``.
        seq: Save order inside the store.
        size: Bytes of the file.
        digest: SHA-256 of the file as shared.
        blob: The age file (author and epoch recipients).
        summary: Listing summary sealed with the epoch's keys.
        share_seq: The author's share counter of this copy (grows with every
            share of the same story to the circle, so a re-share after a
            withdrawal is newer than it).
    """

    circle_id: str
    row_id: str
    story_id: str
    version: int
    author_id: str
    epoch: int
    created_day: str
    updated_day: str
    seq: int
    size: int
    digest: bytes
    blob: bytes
    summary: bytes
    share_seq: int = 0
