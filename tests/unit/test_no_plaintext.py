"""Nothing a person wrote is readable in the data folder."""

from __future__ import annotations

from pathlib import Path

from storycircle.installation import open_installation
from storycircle.journal import Journal
from storycircle.members import create_member, unlock
from storycircle.models import Draft
from tests.conftest import PASSPHRASE, TEST_WORK_FACTOR

TITLE = "canarytitle7f3a"
BODY = "canarybody91c2 the night I finally told someone"
TAG = "canarytag55e1"
NOTE = "canarynote0b9d"
DRAFT = "canarydraft2d4e"


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _forms(word: str) -> list[bytes]:
    return [word.encode("utf-8"), word.encode("utf-16-le"), word.upper().encode()]


def test_data_folder_holds_no_title_body_tag_note_or_draft(tmp_path: Path) -> None:
    home = tmp_path / "home"
    installation = open_installation(home)
    record = create_member(installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    journal = Journal(installation.store, unlock(record, PASSPHRASE))
    story = journal.save(title=TITLE, body=BODY, tags=[TAG], content_notes=[NOTE]).story
    journal.save(title=TITLE + " edited", body=BODY, tags=[TAG], story_id=story.id, base_version=1)
    journal.save_draft(Draft(id="d", title=DRAFT, body=DRAFT))
    # Look both at the WAL (before a checkpoint) and at the main file (after).
    written = _all_bytes(home)
    installation.store.checkpoint()
    written += _all_bytes(home)
    installation.store.close()
    for canary in (TITLE, "canarybody91c2", TAG, NOTE, DRAFT):
        for form in _forms(canary):
            assert form not in written, canary
    assert len(written) > 10_000  # the files really were read


def test_deleted_story_bytes_are_gone_from_the_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    installation = open_installation(home)
    record = create_member(installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    journal = Journal(installation.store, unlock(record, PASSPHRASE))
    story = journal.save(title="to delete", body="x" * 2000).story
    stored = installation.store.story(story.id)
    assert stored is not None
    marker = stored.blob[-64:]  # a run of ciphertext unique to this story
    installation.store.checkpoint()
    assert marker in _all_bytes(home)
    journal.delete(story.id)
    installation.store.checkpoint()
    installation.store.close()
    assert marker not in _all_bytes(home)
