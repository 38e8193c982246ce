"""``storycircle doctor``: check that everything the unlocked member may open still opens.

The doctor runs a list of checkers, each over one kind of sealed item
(journal stories, drafts, preferences, consents, collections). A checker
yields one :class:`Finding` per damaged item, by id, and never stops at the
first. Nothing is changed unless the caller asks for repairs; a repair is
offered only where it loses nothing:

* a story whose file opens but whose listing summary or tag index is damaged
  gets them rebuilt from the story itself;
* a draft that no longer decrypts is dropped (its words are already lost);
* a search index segment that does not open gets the whole index rebuilt
  from the stories.

A story that does not decrypt or verify is never deleted: it is reported and
left as it is. Each kind of sealed item has its checker in :data:`CHECKERS`;
the circles' is in :mod:`storycircle.doctor.circles`, and what a
check finds is shaped by :mod:`storycircle.doctor.report`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from storycircle import vault
from storycircle.curated.collections import (
    collection_consents,
    shipped_collections,
    user_collections,
)
from storycircle.doctor.circles import check_circles
from storycircle.doctor.report import Checkup, Finding, Report
from storycircle.errors import RolledBack, StorycircleError
from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.journal.search_index import rebuild
from storycircle.journal.search_segments import SegmentError, index_keys, open_segment
from storycircle.journal.versions import VersionRecord
from storycircle.models import JOURNAL_SCOPE
from storycircle.sealing.keys import SealError, row_context
from storycircle.sealing.summaries import pack_summary
from storycircle.store import DatabaseError, Store
from storycircle.wording import counted

MAX_INTEGRITY_LINES = 10


Checker = Callable[[Checkup, Report], Iterable[Finding]]


def check_database(store: Store) -> list[Finding]:
    """SQLite's own integrity check of the whole file."""
    try:
        problems = store.integrity_check()
    except DatabaseError as error:
        problems = [str(error)]
    shown = problems[:MAX_INTEGRITY_LINES]
    more = len(problems) - len(shown)
    findings = [Finding("database", line) for line in shown]
    if more:
        findings.append(Finding("database", f"and {more} more problems"))
    return findings


def check_journal(checkup: Checkup, report: Report) -> Iterator[Finding]:
    """Every story of the member's journal: file, signature, summary and tag index."""
    store, member = checkup.store, checkup.member
    journal = Journal(store, member)
    rows = list(store.summaries(JOURNAL_SCOPE, author_id=member.id))
    report.checked["story"] = len(rows)
    for story_id, version, _author, sealed in rows:
        item = f"story {story_id}"
        try:
            story = journal.load(story_id)
        except RolledBack:
            newest = journal.versions.recorded(story_id)
            yield Finding(
                item,
                f"is version {version}, older than the last version saved here ({newest}): "
                "it may have been rolled back; it is left as it is",
            )
            continue
        except StorycircleError:
            yield Finding(item, "does not decrypt or verify; it is left as it is")
            continue
        except DatabaseError as error:
            yield Finding(item, f"cannot be read from the database ({error})")
            continue
        payload = pack_summary(story)
        tokens = {member.journal.tag_token(tag) for tag in story.tags}
        problems = []
        try:
            opened = member.journal.open(sealed, row_context(JOURNAL_SCOPE, story_id, version))
        except SealError:
            opened = None
        if opened is None:
            problems.append("its listing summary does not open")
        elif json.loads(opened) != json.loads(payload):
            problems.append("its listing summary does not match the story")
        if store.story_tokens(story_id) != tokens:
            problems.append("its tag index does not match the story")
        if problems:
            yield Finding(
                item,
                "; ".join(problems),
                _reindex(member, story_id, version, payload),
                "rebuilds it from the story",
            )


def _reindex(
    member: UnlockedMember, story_id: str, version: int, payload: bytes
) -> Callable[[Store], str]:
    def repair(store: Store) -> str:
        story = Journal(store, member).load(story_id)
        sealed = member.journal.seal(payload, row_context(JOURNAL_SCOPE, story_id, version))
        tokens = [member.journal.tag_token(tag) for tag in story.tags]
        if not store.reindex_story(story_id, version, sealed, tokens):
            raise StorycircleError("it changed meanwhile; run the doctor again")
        return f"story {story_id}: summary and tag index rebuilt from the story"

    return repair


def check_drafts(checkup: Checkup, report: Report) -> Iterator[Finding]:
    """Every autosaved draft of the member decrypts."""
    records = checkup.store.drafts(checkup.member.id)
    report.checked["draft"] = len(records)
    for record in records:
        try:
            data = json.loads(vault.decrypt(record.blob, checkup.member.identities))
            if not isinstance(data, dict) or not isinstance(data.get("body"), str):
                raise ValueError("not a draft")
        except (vault.AgeError, ValueError):
            yield Finding(
                f"draft {record.id}",
                "does not decrypt; its words cannot be recovered",
                _drop_draft(checkup.member.id, record.id),
                "drops it",
            )


def _drop_draft(member_id: str, draft_id: str) -> Callable[[Store], str]:
    def repair(store: Store) -> str:
        store.delete_draft(member_id, draft_id)
        return f"draft {draft_id}: dropped"

    return repair


def check_preferences(checkup: Checkup, report: Report) -> Iterator[Finding]:
    """The member's sealed reading preferences decrypt."""
    blob = checkup.store.prefs(checkup.member.id)
    report.checked["set of preferences"] = int(blob is not None)
    if blob is None:
        return
    try:
        data = json.loads(vault.decrypt(blob, checkup.member.identities))
        if not isinstance(data, dict) or not isinstance(data.get("hidden_notes"), list):
            raise ValueError("not preferences")
    except (vault.AgeError, ValueError):
        yield Finding(
            "preferences",
            "do not decrypt, so no content-note filter applies; set them again in the settings",
        )


def check_consents(checkup: Checkup, report: Report) -> Iterator[Finding]:
    """The member's list of stories that may go into collections decrypts."""
    report.checked["consent list"] = 1
    try:
        collection_consents(checkup.data_folder, checkup.member)
    except StorycircleError as error:
        yield Finding("consents", str(error))


def check_collections(checkup: Checkup, report: Report) -> Iterator[Finding]:
    """Collections load, and signed ones still match their signature."""
    loaded = [shipped_collections(), user_collections(checkup.data_folder)]
    report.checked["collection"] = sum(len(r.collections) for r in loaded)
    for result in loaded:
        for skipped in result.skipped:
            yield Finding(f"collection {skipped.name}", skipped.reason)
        for collection in result.collections:
            if collection.signature is False:
                yield Finding(f"collection {collection.slug}", "changed since it was signed")
            elif collection.trust == "changed":
                yield Finding(
                    f"collection {collection.slug}",
                    f"{collection.curator} signed with another key before "
                    "(`storycircle collections --accept-key` if you trust the new one)",
                )


def check_versions(checkup: Checkup, report: Report) -> Iterator[Finding]:
    """The record of newest versions opens, and no recorded story has vanished."""
    record = VersionRecord(checkup.store, checkup.member)
    try:
        check = record.check()
    except SealError:
        yield Finding(
            "version record",
            "does not open or verify, so rollbacks cannot be checked",
            _restart_record(checkup.member),
            "starts a new one from the stories present",
        )
        return
    if not record.exists() and report.checked.get("story"):
        yield Finding(
            "version record",
            "is missing, so rollbacks cannot be checked",
            _restart_record(checkup.member),
            "starts one from the stories present",
        )
    for story_id in check.missing:
        yield Finding(
            f"story {story_id}",
            "was saved here but its row is gone: it was removed outside storycircle",
        )


def _restart_record(member: UnlockedMember) -> Callable[[Store], str]:
    def repair(store: Store) -> str:
        versions = store.versions.journal_versions(JOURNAL_SCOPE, member.id)
        VersionRecord(store, member).write(versions)
        return "version record: started again from the stories present"

    return repair


def check_search_index(checkup: Checkup, report: Report) -> Iterator[Finding]:
    """Every sealed segment of the member's full-text index opens."""
    member = checkup.member
    keys = index_keys(member.journal)
    segments = list(checkup.store.search.segments(member.id))
    report.checked["search index segment"] = len(segments)
    damaged = []
    for segment_id, sealed in segments:
        try:
            open_segment(keys, member.id, segment_id, sealed)
        except SegmentError:
            damaged.append(segment_id)
    if damaged:

        def repair(store: Store) -> str:
            rebuild(store, member)
            return "search index: rebuilt from the stories"

        yield Finding(
            "search index",
            f"{counted(len(damaged), 'segment')} {'does' if len(damaged) == 1 else 'do'} not open",
            repair,
            "rebuilds it from the stories",
        )


CHECKERS: list[Checker] = [
    check_journal,
    check_versions,
    check_drafts,
    check_preferences,
    check_consents,
    check_collections,
    check_circles,
    check_search_index,
]
"""The checkers run in order. Add one per new kind of sealed item."""


def examine(checkup: Checkup, *, repair: bool = False) -> Report:
    """Check the database and every item the member may open; repair when asked.

    A checker that cannot run at all (its table unreadable) becomes one
    finding and the next checker runs.
    """
    report = Report()
    report.findings.extend(check_database(checkup.store))
    for checker in CHECKERS:
        try:
            report.findings.extend(checker(checkup, report))
        except (DatabaseError, StorycircleError) as error:
            name = checker.__name__.removeprefix("check_")
            report.findings.append(Finding(name, f"cannot be checked ({error})"))
    report.remaining = len(report.findings)
    if repair:
        for finding in list(report.findings):
            if finding.repair is None:
                continue
            try:
                report.repaired.append(finding.repair(checkup.store))
                report.remaining -= 1
            except (DatabaseError, StorycircleError) as error:
                report.findings.append(Finding(finding.item, f"repair failed ({error})"))
    return report
