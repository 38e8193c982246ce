"""Curating from the command line: consent, assemble, sign, and what the app shows."""

from __future__ import annotations

from pathlib import Path

from storycircle.curated.collections import load_collection
from tests.support.cli import Cli
from tests.support.people import PASSPHRASE


def _story(cli: Cli, text: str) -> str:
    saved = cli("write", text, "--tag", "hope", passphrases=(PASSPHRASE,))
    assert saved.returncode == 0, saved.stderr
    return saved.stdout.split()[1].rstrip(":")


def test_only_consented_stories_are_assembled_and_signed(cli: Cli) -> None:
    assert cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,)).returncode == 0
    yes = _story(cli, "A morning that went right")
    no = _story(cli, "Private words")
    refused = cli("curate", "--title", "Mornings", "--story", no, passphrases=(PASSPHRASE,))
    assert refused.returncode == 1 and "no consent" in refused.stderr
    assert cli("consent", yes, passphrases=(PASSPHRASE,)).returncode == 0
    made = cli("curate", "--title", "Mornings", "--story", yes, "--sign", passphrases=(PASSPHRASE,))
    assert made.returncode == 0, made.stderr
    assert "signed and verified" in made.stdout
    folder = cli.home / "collections" / "mornings"
    collection, _ = load_collection(folder)
    assert collection.signature is True
    assert collection.curator == "river"
    assert [s.title for s in collection.stories] == ["A morning that went right"]
    # A changed file still reads, and says its signature does not match.
    story_file = next(folder.glob("*.md"))
    story_file.write_text(story_file.read_text() + "\nAdded later.\n")
    assert load_collection(folder)[0].signature is False
    listed = cli("collections")
    assert "Mornings" in listed.stdout


def test_withdrawn_consent_keeps_a_story_out(cli: Cli, tmp_path: Path) -> None:
    cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,))
    story = _story(cli, "Changed my mind")
    cli("consent", story, passphrases=(PASSPHRASE,))
    withdrawn = cli("consent", story, "--withdraw", passphrases=(PASSPHRASE,))
    assert "cannot be recalled" in withdrawn.stdout
    refused = cli("curate", "--title", "X", "--story", story, passphrases=(PASSPHRASE,))
    assert refused.returncode == 1
