"""The story envelope: signed JSON sealed in one age file.

``{v, id, version, title, body, tags, content_notes, author, created, updated, sig}``
where ``sig`` is the author's Ed25519 signature over the rest, so nobody who
can decrypt a story can rewrite it in the author's name. The id, version and
author are checked against the row the file came from, so ciphertext moved
between rows is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from storycircle import vault
from storycircle.errors import DamagedStory
from storycircle.models import Story
from storycircle.sealing.signing import SigningKey, VerifyKey, sign, verify
from storycircle.store.records import StoryRecord

ENVELOPE_VERSION = 1
_SIGNATURE_DOMAIN = b"storycircle/story/v1\n"


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _fields(story: Story) -> dict[str, Any]:
    return {
        "v": ENVELOPE_VERSION,
        "id": story.id,
        "version": story.version,
        "title": story.title,
        "body": story.body,
        "tags": list(story.tags),
        "content_notes": list(story.content_notes),
        "author": story.author_id,
        "created": story.created,
        "updated": story.updated,
    }


def signed_story(story: Story, signer: SigningKey) -> bytes:
    """The signed envelope of ``story`` as canonical JSON, before encryption."""
    fields = _fields(story)
    # The body is encoded once, not twice. With sorted keys "sig" comes right
    # after "id" and before "tags", so the signed text is the encoding of the
    # fields before it joined to the encoding of those after it, and the
    # envelope is the same two with the signature between them: byte for
    # byte what encoding every field together gives (a test holds it to that).
    head = _canonical({key: value for key, value in fields.items() if key < "sig"})
    tail = _canonical({key: value for key, value in fields.items() if key > "sig"})
    signature = sign(signer, _SIGNATURE_DOMAIN + head[:-1] + b"," + tail[1:])
    return head[:-1] + b',"sig":"' + base64.b64encode(signature) + b'",' + tail[1:]


def seal_story(story: Story, signer: SigningKey, recipients: Sequence[vault.Recipient]) -> bytes:
    """Sign ``story`` and encrypt it to ``recipients`` as one age file."""
    return vault.encrypt(signed_story(story, signer), recipients)


def verify_signed_story(plaintext: bytes, author_key: VerifyKey) -> Story:
    """Check a signed envelope made by :func:`signed_story` and return its story.

    Raises:
        DamagedStory: not a story envelope, or its signature does not hold.
    """
    try:
        fields = json.loads(plaintext)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DamagedStory("story file holds something that is not a story") from None
    if not isinstance(fields, dict) or fields.get("v") != ENVELOPE_VERSION:
        raise DamagedStory("story file holds something that is not a story")
    return _verified(fields, author_key, str(fields.get("id"))[:32])


def open_story(
    record: StoryRecord,
    identities: Sequence[vault.Identity],
    author_key: VerifyKey,
) -> Story:
    """Decrypt, check and verify the story file of ``record``.

    Raises:
        DamagedStory: it does not decrypt, is not a story envelope, belongs to
            another row, or its signature does not hold. The message names the
            story id only.
    """
    sid = record.id
    fields = _decrypt_fields(record.blob, identities, sid)
    if (fields.get("id"), fields.get("version"), fields.get("author")) != (
        record.id,
        record.version,
        record.author_id,
    ):
        raise DamagedStory(f"story {sid} holds another story's data and was refused")
    return _verified(fields, author_key, sid)


def _decrypt_fields(blob: bytes, identities: Sequence[vault.Identity], sid: str) -> dict[str, Any]:
    try:
        plaintext = vault.decrypt(blob, identities)
    except vault.NoIdentityMatch:
        raise DamagedStory(
            f"story {sid} cannot be opened with your keys (damaged, or not shared with you)"
        ) from None
    except vault.AgeError:
        raise DamagedStory(f"story {sid} is damaged and cannot be decrypted") from None
    try:
        fields = json.loads(plaintext)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DamagedStory(f"story {sid} holds something that is not a story") from None
    if not isinstance(fields, dict):
        raise DamagedStory(f"story {sid} holds something that is not a story")
    if fields.get("v") != ENVELOPE_VERSION:
        raise DamagedStory(
            f"story {sid} was written by a newer storycircle (envelope {fields.get('v')!r})"
        )
    return fields


def _verified(fields: dict[str, Any], author_key: VerifyKey, sid: str) -> Story:
    signature_text = fields.pop("sig", None)
    try:
        signature = base64.b64decode(str(signature_text), validate=True)
        verify(author_key, signature, _SIGNATURE_DOMAIN + _canonical(fields))
    except (binascii.Error, ValueError):
        raise DamagedStory(f"story {sid} has a signature that does not match its author") from None
    return _story_from(fields)


def read_text(record: StoryRecord, identities: Sequence[vault.Identity]) -> str:
    """Decrypt the story file of ``record`` and return its title and body, for matching.

    This checks that the file belongs to the row but not the author's
    signature, which costs more than the decryption: it is for deciding
    whether a story contains some words (search), never for showing it. What
    is shown comes from :func:`open_story` or from the sealed summary.

    Raises:
        DamagedStory: it does not decrypt, is not a story envelope, or belongs
            to another row.
    """
    try:
        fields = json.loads(vault.decrypt(record.blob, identities))
    except vault.AgeError:
        raise DamagedStory(f"story {record.id} is damaged and cannot be decrypted") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DamagedStory(f"story {record.id} holds something that is not a story") from None
    if not isinstance(fields, dict) or (
        fields.get("id"),
        fields.get("version"),
        fields.get("author"),
    ) != (record.id, record.version, record.author_id):
        raise DamagedStory(f"story {record.id} holds another story's data and was refused")
    title, body = fields.get("title"), fields.get("body")
    if not isinstance(title, str) or not isinstance(body, str):
        raise DamagedStory(f"story {record.id} has a malformed title or body")
    return title + "\n" + body


def _story_from(fields: dict[str, Any]) -> Story:
    def text(name: str) -> str:
        value = fields.get(name)
        if not isinstance(value, str):
            raise DamagedStory(f"story {fields.get('id')} has a malformed {name}")
        return value

    def texts(name: str) -> tuple[str, ...]:
        value = fields.get(name)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise DamagedStory(f"story {fields.get('id')} has malformed {name}")
        return tuple(value)

    version = fields.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DamagedStory(f"story {fields.get('id')} has a malformed version")
    return Story(
        id=text("id"),
        version=version,
        title=text("title"),
        body=text("body"),
        tags=texts("tags"),
        content_notes=texts("content_notes"),
        author_id=text("author"),
        created=text("created"),
        updated=text("updated"),
    )
