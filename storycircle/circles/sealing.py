"""What a circle seals with its epoch keys besides stories: its name and folder,
and each member's circle pseudonym, each bound to where it belongs."""

from __future__ import annotations

import json

from storycircle.circles.epochs import EpochKey
from storycircle.models import CIRCLE_SCOPE_PREFIX
from storycircle.sealing.keys import row_context
from storycircle.store.records import CircleRecord


def meta_context(circle_id: str, epoch: int) -> bytes:
    """What a circle's sealed name and folder are bound to."""
    return row_context(CIRCLE_SCOPE_PREFIX + circle_id, "meta", epoch)


def profile_context(circle_id: str, member_id: str) -> bytes:
    """What a member's sealed circle pseudonym is bound to."""
    return row_context(CIRCLE_SCOPE_PREFIX + circle_id, "profile:" + member_id, 0)


def with_meta(record: CircleRecord, key: EpochKey, name: str, folder: str) -> CircleRecord:
    """``record`` at ``key``'s epoch, with its name and folder sealed under that key."""
    sealed = key.scope.seal(
        json.dumps({"name": name, "folder": folder}, ensure_ascii=False).encode("utf-8"),
        meta_context(record.id, key.epoch),
    )
    return CircleRecord(
        record.id,
        key.epoch,
        record.revision,
        record.host_id,
        key.recipient,
        sealed,
        record.created_day,
    )
