"""Signed circle events: rosters, shared stories, withdrawals and removal notices.

An event is canonical JSON ``{v, kind, circle, epoch, signer, ..., sig}``
where ``sig`` is the signer's Ed25519 signature over the rest, encrypted as
one age file. Version 2 names the circle *and* the epoch under the
signature, so an event copied to another circle, or to another epoch of the
same circle, is refused there; a shared story travels inside a ``story``
event (its own signed envelope as a field, see :mod:`storycircle.circles.stories`).
Version 1 files (circle and story not bound together) are refused with a
message saying so.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from storycircle.sealing.signing import SigningKey, VerifyKey, sign, verify

EVENT_VERSION = 2
_DOMAIN = b"storycircle/circle-event/v2\n"
OLD_FORMAT = (
    "written by an older storycircle (circle file v1, not bound to its circle); "
    "ask whoever wrote it to share it again"
)


class EventError(Exception):
    """An event is malformed or its signature does not hold."""


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_event(fields: dict[str, Any], signer: SigningKey) -> bytes:
    """Return ``fields`` with ``v`` and the signer's ``sig``, as canonical JSON."""
    body = {**fields, "v": EVENT_VERSION}
    body["sig"] = base64.b64encode(sign(signer, _DOMAIN + _canonical(body))).decode("ascii")
    return _canonical(body)


def read_event(plaintext: bytes) -> dict[str, Any]:
    """Parse an event without checking its signature (the signer is named inside).

    Raises:
        EventError: not a storycircle event.
    """
    try:
        fields = json.loads(plaintext)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise EventError("not a storycircle event") from None
    if isinstance(fields, dict) and fields.get("v") == 1:
        raise EventError(OLD_FORMAT)
    if not isinstance(fields, dict) or fields.get("v") != EVENT_VERSION:
        raise EventError("not a storycircle event of a known version")
    for name in ("kind", "circle", "signer", "sig"):
        if not isinstance(fields.get(name), str):
            raise EventError(f"an event without a valid {name}")
    epoch = fields.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or not 1 <= epoch < 2**53:
        raise EventError("an event without a valid epoch")
    return fields


def verify_event(fields: dict[str, Any], key: VerifyKey) -> None:
    """Check the signature of an event read with :func:`read_event`.

    Raises:
        EventError: the signature does not hold.
    """
    body = {name: value for name, value in fields.items() if name != "sig"}
    try:
        signature = base64.b64decode(str(fields["sig"]), validate=True)
        verify(key, signature, _DOMAIN + _canonical(body))
    except (binascii.Error, ValueError):
        raise EventError("its signature does not match the member it names") from None
