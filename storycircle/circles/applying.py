"""Applying a roster: the one way who is in a circle changes on this machine.

Local changes (create, invite, accept, leave, remove) and changes arriving
from a circle folder both come here, so the rules of
:func:`~storycircle.circles.roster.check_change` hold for both. When the epoch
moves, every story of the circle is re-keyed in the same transaction.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from storycircle.circles.epochs import EpochKey
from storycircle.circles.events import EventError, sign_event
from storycircle.circles.roster import Roster, check_change
from storycircle.circles.sealing import profile_context, with_meta
from storycircle.models import CircleMemberRecord, CircleRecord

if TYPE_CHECKING:
    from storycircle.circles.service import Circles, Progress


def apply_roster(
    circles: Circles,
    new: Roster,
    key: EpochKey | None,
    old_key: EpochKey | None,
    *,
    folder: str,
    signer_id: str,
    progress: Progress,
    announce: bool,
) -> None:
    """Make ``new`` the circle's roster here; see :meth:`Circles.apply_roster`.

    Raises:
        CircleError: the change breaks a rule; nothing is written then.
    """
    from storycircle.circles.service import CircleError

    current = circles.rows.circle(new.circle_id)
    try:
        check_change(circles.roster(new.circle_id) if current else None, new, signer_id)
    except EventError as error:
        raise CircleError(f"that change of members was refused: {error}") from None
    if key is None:
        # Left out of the new epoch: drop this member's keys; when nobody
        # here holds a key any more, nothing of the circle stays here.
        circles.rows.drop_grants(new.circle_id, member_id=circles.member.id)
        circles.forget_keys(new.circle_id)
        if not any(circles.rows.grants_of(new.circle_id, m.id) for m in circles.store.members()):
            circles.rows.delete_circle(new.circle_id)
        return
    from storycircle.circles.rekey import rekey_stories

    with circles.store.batch():
        if old_key is not None and old_key.epoch != key.epoch:
            live = {m.id: m.recipient for m in new.members if m.live}
            rekey_stories(circles.rows, new.circle_id, old_key, key, live, progress)
        record = CircleRecord(
            new.circle_id,
            key.epoch,
            new.revision,
            new.host_id,
            key.recipient,
            b"",
            current.created_day if current else circles.clock().date().isoformat(),
        )
        circles.rows.put_circle(with_meta(record, key, new.name, folder))
        live_ids = {m.id for m in new.members if m.live}
        grants = {k: v for k, v in new.grants.items() if k in live_ids}
        circles.rows.put_grants(new.circle_id, key.epoch, grants)
        circles.rows.drop_grants(new.circle_id, before_epoch=key.epoch)
        for entry in new.members:
            if not entry.live:
                circles.rows.drop_grants(new.circle_id, member_id=entry.id)
            circles.rows.put_member(
                CircleMemberRecord(
                    new.circle_id,
                    entry.id,
                    entry.recipient,
                    entry.signing_public,
                    entry.status,
                    key.scope.seal(
                        json.dumps({"pseudonym": entry.pseudonym}).encode(),
                        profile_context(new.circle_id, entry.id),
                    ),
                )
            )
    circles.forget_keys(new.circle_id)
    me = new.member(circles.member.id)
    if me is not None and me.live:
        circles.remember_key(key)
    if announce and folder:
        from storycircle.circles.folder import write_roster

        recipients = [m.recipient for m in new.members if m.live]
        if old_key is not None and old_key.epoch != key.epoch:
            recipients.append(old_key.recipient)  # so those left out learn of it
        event = sign_event({**new.to_event(), "signer": signer_id}, circles.member.signing_key)
        write_roster(circles.rows, new.circle_id, folder, event, recipients)
    if not any(circles.rows.grants_of(new.circle_id, m.id) for m in circles.store.members()):
        circles.rows.delete_circle(new.circle_id)  # nobody here may read it any more
