"""Applying a roster: the one way who is in a circle changes on this machine.

Local changes (create, invite, accept, leave, remove, a new epoch) and
changes arriving from a circle folder both come here and go through
:func:`~storycircle.circles.roster.merge`, so the same rules hold for both.
When the epoch moves, every story of the circle is re-keyed in the same
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from storycircle.circles.epochs import EpochKey, GrantError, new_epoch_key, open_grant
from storycircle.circles.events import EventError, sign_event
from storycircle.circles.folder import write_roster
from storycircle.circles.rekey import rekey_stories
from storycircle.circles.roster import Roster, first_sight, merge
from storycircle.circles.sealing import profile_context, with_meta
from storycircle.store.records import CircleMemberRecord, CircleRecord

if TYPE_CHECKING:
    from storycircle.circles.context import CircleContext, Progress


def apply_roster(
    circles: CircleContext,
    new: Roster,
    *,
    signer_id: str,
    folder: str,
    progress: Progress,
    announce: bool,
    new_key: EpochKey | None = None,
    notify: Iterable[str] = (),
) -> Roster:
    """Merge ``new`` into the circle's roster here; see :meth:`Circles.apply_roster`.

    Returns:
        The roster as it stands here afterwards.

    Raises:
        EventError: the change breaks a rule (a PendingError when it needs a
            file not seen yet); nothing is written then.
    """
    me_id = circles.member.id
    current = circles.rows.circle(new.circle_id)
    local = circles.roster(new.circle_id) if current else None
    merged = merge(local, new, signer_id) if local else first_sight(new, signer_id)
    me = merged.member(me_id)
    same_epoch = local is not None and merged.epoch == local.epoch
    old_key = circles.key(local.circle_id, local.epoch) if local is not None else None
    key: EpochKey | None = None
    if new_key is not None:
        key = new_key
    elif same_epoch:
        key = old_key
    elif me is not None and me.live:
        blob = merged.grants.get(me_id)
        if blob is None:
            raise EventError("a list of members without a key for this member")
        try:
            key = open_grant(blob, merged.circle_id, merged.epoch, circles.member.identities)
        except GrantError as error:
            raise EventError(str(error)) from None
    if key is not None:
        _store(circles, merged, key, old_key, folder, current, progress)
    if me is None or not me.live:
        # Out of the circle: drop this member's keys and remember the circle,
        # so its old files are refused; when nobody here holds a key any
        # more, nothing of it stays here.
        others_here = _held_here(circles, merged.circle_id, merged.epoch, besides=me_id)
        if not others_here or not same_epoch:
            # (On an installation shared with others still in the circle, the
            # grant stays until the new epoch: it shows the circle waits.)
            circles.rows.drop_grants(merged.circle_id, member_id=me_id)
        circles.rows.mark_gone(merged.circle_id, merged.epoch)
    circles.forget_keys(merged.circle_id)
    if key is not None and me is not None and me.live:
        circles.remember_key(key)
    if announce and folder:
        _announce(circles, merged, signer_id, folder, notify)
    if not _held_here(circles, merged.circle_id, merged.epoch):
        circles.rows.delete_circle(merged.circle_id)  # nobody here may read it any more
    return merged


def start_epoch(
    circles: CircleContext, new: Roster, progress: Progress, notify: tuple[str, ...]
) -> None:
    """Apply ``new`` under a fresh epoch key granted to its live members only (the host's)."""
    live = [m for m in new.members if m.live]
    # Hybrid post-quantum when every live member has a hybrid key (keysets).
    key = new_epoch_key(new.circle_id, new.epoch + 1, [m.recipient for m in live])
    grants = {m.id: key.grant_to(m.recipient) for m in live}
    rekeyed = replace(new, epoch=key.epoch, epoch_recipient=key.recipient, grants=grants)
    circles.apply_roster(
        rekeyed,
        folder=circles.folder_of(new.circle_id),
        new_key=key,
        progress=progress,
        notify=notify,
    )


def _held_here(circles: CircleContext, circle_id: str, epoch: int, besides: str = "") -> bool:
    """True when a member of this installation (other than ``besides``) holds ``epoch``'s key."""
    return any(
        epoch in circles.rows.grants_of(circle_id, m.id)
        for m in circles.store.members()
        if m.id != besides
    )


def _store(
    circles: CircleContext,
    merged: Roster,
    key: EpochKey,
    old_key: EpochKey | None,
    folder: str,
    current: CircleRecord | None,
    progress: Progress,
) -> None:
    with circles.store.batch():
        if old_key is not None and old_key.epoch != key.epoch:
            live = {m.id: m.recipient for m in merged.members if m.live}
            rekey_stories(circles.rows, merged.circle_id, old_key, key, live, progress)
        record = CircleRecord(
            merged.circle_id,
            key.epoch,
            merged.revision,
            merged.host_id,
            key.recipient,
            b"",
            current.created_day if current else circles.clock().date().isoformat(),
        )
        circles.rows.put_circle(with_meta(record, key, merged.name, folder))
        # Grants of those who left stay while the epoch lasts: they show
        # that the circle waits for a new key (they hold this one).
        # Grants of older epochs stay: a story shared at one, arriving late,
        # still opens (and is moved to the current key).
        circles.rows.put_grants(merged.circle_id, key.epoch, merged.grants)
        circles.rows.keep_members(merged.circle_id, [m.id for m in merged.members])
        for entry in merged.members:
            if not entry.live:
                # A member's stories leave with them: every machine drops
                # them, whatever order the leave and the stories came in.
                circles.rows.delete_stories_of(merged.circle_id, entry.id)
                if entry.id not in merged.grants:
                    # Out of the current epoch: none of their keys stay here.
                    circles.rows.drop_grants(merged.circle_id, member_id=entry.id)
            circles.rows.put_member(
                CircleMemberRecord(
                    merged.circle_id,
                    entry.id,
                    entry.recipient,
                    entry.signing_public,
                    entry.status,
                    key.scope.seal(
                        json.dumps({"pseudonym": entry.pseudonym, "at": entry.at}).encode(),
                        profile_context(merged.circle_id, entry.id),
                    ),
                )
            )


def _announce(
    circles: CircleContext, merged: Roster, signer_id: str, folder: str, notify: Iterable[str]
) -> None:
    # To those in the circle only: someone who left or was removed learns
    # nothing more from it (not the new key, not who remains).
    recipients = [m.recipient for m in merged.members if m.live and m.id in merged.grants]
    recipients = recipients or [m.recipient for m in merged.members if m.live]
    if recipients:
        event = sign_event({**merged.to_event(), "signer": signer_id}, circles.member.signing_key)
        write_roster(circles.rows, merged.circle_id, folder, event, recipients)
    for member_id in notify:
        gone = merged.member(member_id)
        if gone is None:
            continue
        notice = sign_event(
            {
                "kind": "removed",
                "circle": merged.circle_id,
                "epoch": merged.epoch,
                "signer": signer_id,
                "member": member_id,
            },
            circles.member.signing_key,
        )
        write_roster(circles.rows, merged.circle_id, folder, notice, [gone.recipient])
