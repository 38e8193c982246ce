"""Re-encrypting a circle's stories to a new epoch key.

Each story file is opened with the old epoch's key and encrypted again, the
same signed plaintext, to the new epoch and to its author if the author is
still in the circle. Summaries are re-sealed and tag tokens recomputed with
the new epoch's keys, so nothing of the old key opens anything afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from storycircle import vault
from storycircle.circles.epochs import EpochKey
from storycircle.circles.keysets import member_recipient
from storycircle.models import CIRCLE_SCOPE_PREFIX
from storycircle.sealing.keys import SealError, row_context
from storycircle.store.circle_store import CircleStore


def rekey_stories(
    rows: CircleStore,
    circle_id: str,
    old: EpochKey,
    new: EpochKey,
    live: dict[str, str],
    progress: Callable[[int, int], None],
) -> int:
    """Move every story of a circle from ``old`` to ``new``; run inside a batch.

    Args:
        rows: The circle tables.
        circle_id: The circle.
        old: The key the stories are encrypted to now.
        new: The key to encrypt them to.
        live: Recipients of the members who remain, by id (authors who left
            no longer get their circle copy).
        progress: Called with (done, total) after each story.

    Returns:
        How many damaged stories could not be opened and were dropped (they
        could be read by nobody afterwards anyway).
    """
    stories = list(rows.stories(circle_id))
    epoch_recipient = vault.parse_recipient(new.recipient)
    parsed: dict[str, vault.AgeRecipient | None] = {}
    damaged = 0
    scope = CIRCLE_SCOPE_PREFIX + circle_id
    for done, row in enumerate(stories, start=1):
        context = row_context(scope, row.row_id, row.version)
        try:
            plaintext = vault.decrypt(row.blob, [old.identity])
            summary = old.scope.open(row.summary, context)
            tags = json.loads(summary)[1]
        except (vault.AgeError, SealError, ValueError, IndexError, TypeError):
            rows.delete_story(circle_id, row.story_id)
            damaged += 1
            progress(done, len(stories))
            continue
        recipients = [epoch_recipient]
        author = live.get(row.author_id)
        if author is not None:
            if author not in parsed:
                # Of the new epoch's kind, never mixed (None: no key of that kind).
                parsed[author] = member_recipient(author, hybrid=new.hybrid)
            author_recipient = parsed[author]
            if author_recipient is not None:
                recipients.append(author_recipient)
        rows.replace_sealed(
            row,
            new.epoch,
            vault.encrypt(plaintext, recipients),
            new.scope.seal(summary, context),
            [new.scope.tag_token(str(tag)) for tag in tags],
        )
        progress(done, len(stories))
    return damaged
