"""A member's sealed keys open with the reference ``age`` tool: nothing is locked in."""

from __future__ import annotations

from pathlib import Path

from storycircle import vault
from storycircle.journal.members import create_member
from storycircle.store import Store
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR
from tests.vault.agecli import run_age, write_private


def test_age_opens_a_story_with_the_sealed_identity_file(store: Store, tmp_path: Path) -> None:
    record = create_member(store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    identity_file = write_private(tmp_path / "identity.age", record.identity_sealed)
    story = tmp_path / "story.age"
    story.write_bytes(vault.encrypt(b"the words I kept", [vault.parse_recipient(record.recipient)]))
    out = tmp_path / "story.txt"
    # age asks for the identity file's passphrase on the terminal.
    run_age(["-d", "-i", str(identity_file), str(story)], passphrase=PASSPHRASE, stdout=out)
    assert out.read_text() == "the words I kept"
