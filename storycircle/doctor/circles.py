"""``storycircle doctor`` checks for circles: every circle item the member may open.

For each circle the member is in: their key to it opens, its name opens,
each member's circle pseudonym opens, and every shared story decrypts,
verifies against its author's signing key, and has a listing summary and tag
index that match it. A damaged summary or tag index is rebuilt from the story
when repairs are asked for; a story itself is never deleted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from storycircle.circles.epochs import EpochKey
from storycircle.circles.errors import CircleError
from storycircle.circles.sealing import profile_context
from storycircle.circles.service import Circles
from storycircle.circles.sharing import Sharing
from storycircle.doctor.report import Checkup, Finding, Report
from storycircle.errors import StorycircleError
from storycircle.models import CIRCLE_SCOPE_PREFIX, StoryRef
from storycircle.sealing.keys import SealError, row_context
from storycircle.sealing.summaries import pack_summary
from storycircle.store import Store
from storycircle.store.records import CircleStoryRecord


def check_circles(checkup: Checkup, report: Report) -> Iterator[Finding]:
    """Every circle item the unlocked member may open."""
    circles = Circles(checkup.store, checkup.member)
    sharing = Sharing(circles)
    records = circles.rows.circles_of(checkup.member.id)
    report.checked["circle"] = len(records)
    report.checked["circle story"] = 0
    for record, _status in records:
        item = f"circle {record.id}"
        try:
            key = circles.key(record.id, record.epoch)
            circles.circle(record.id)
        except CircleError as error:
            yield Finding(item, str(error))
            continue
        for entry in circles.rows.members(record.id):
            try:
                key.scope.open(entry.profile_sealed, profile_context(record.id, entry.member_id))
            except SealError:
                yield Finding(
                    f"{item} member {entry.member_id}", "their circle pseudonym does not open"
                )
        for shared in circles.rows.stories(record.id):
            report.checked["circle story"] += 1
            yield from _check_story(sharing, key, shared)


def _check_story(sharing: Sharing, key: EpochKey, row: CircleStoryRecord) -> Iterator[Finding]:
    item = f"circle story {StoryRef.in_circle(row.circle_id, row.row_id).id}"
    if row.epoch != key.epoch:
        yield Finding(item, "is encrypted to an old key of the circle; nobody can open it now")
        return
    try:
        story = sharing.load(StoryRef.in_circle(row.circle_id, row.row_id).id)
    except StorycircleError as error:
        yield Finding(item, f"does not decrypt or verify ({error}); it is left as it is")
        return
    context = row_context(CIRCLE_SCOPE_PREFIX + row.circle_id, row.row_id, row.version)
    original = sharing.circles.rows.story(row.circle_id, row.row_id)
    assert original is not None
    problems = []
    try:
        opened = json.loads(key.scope.open(row.summary, context))
    except (SealError, ValueError):
        problems.append("its listing summary does not open")
    else:
        if opened[1] != list(story.tags):
            problems.append("its listing summary does not match the story")
    if problems:
        yield Finding(item, "; ".join(problems), _rebuild(sharing, key, original), "rebuilds it")


def _rebuild(sharing: Sharing, key: EpochKey, row: CircleStoryRecord) -> Callable[[Store], str]:
    def repair(store: Store) -> str:
        story = sharing.load(StoryRef.in_circle(row.circle_id, row.row_id).id)
        context = row_context(CIRCLE_SCOPE_PREFIX + row.circle_id, row.row_id, row.version)
        store.circles.replace_sealed(
            row,
            row.epoch,
            row.blob,
            key.scope.seal(pack_summary(story), context),
            [key.scope.tag_token(tag) for tag in story.tags],
        )
        return f"circle story {row.row_id}: summary and tag index rebuilt from the story"

    return repair
