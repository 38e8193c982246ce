"""Everyday command-line use: ids by prefix, one title, tag suggestions, no data yet,
newest first by the story's date, and import's progress bar on a terminal."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import REPO, Cli, child_env
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    runner = Cli(home)
    assert runner("init", "--pseudonym", "river", passphrases=(PASSPHRASE,)).returncode == 0
    return runner


def _write(cli: Cli, *args: str, stdin: str | None = None) -> str:
    saved = cli("write", *args, passphrases=(PASSPHRASE,), stdin=stdin)
    assert saved.returncode == 0, saved.stderr
    return saved.stdout.split()[1].rstrip(":")


def test_read_takes_a_unique_prefix_and_names_the_stories_of_an_ambiguous_one(
    cli: Cli,
) -> None:
    ids = [_write(cli, f"Story number {n}") for n in range(12)]
    story_id = ids[0]
    others = [i for i in ids if i != story_id]
    # The shortest prefix of the first id that no other id shares.
    unique = next(
        story_id[:n] for n in range(4, 17) if not any(o.startswith(story_id[:n]) for o in others)
    )
    read = cli("read", unique.upper(), passphrases=(PASSPHRASE,))
    assert read.returncode == 0, read.stderr
    assert read.stdout.startswith("# Story number 0\n")
    last = ids[-1]
    deleted = cli("delete", last[:12], "--yes", passphrases=(PASSPHRASE,))
    assert deleted.returncode == 0 and f"Deleted {last}." in deleted.stdout

    # Two ids sharing their first four characters, made so by renaming one row.
    db = cli.home / "storycircle.db"
    conn = sqlite3.connect(db)
    twin = ids[0][:4] + "0" * 12
    conn.execute("UPDATE stories SET id = ? WHERE id = ?", (twin, ids[1]))
    conn.commit()
    conn.close()
    ambiguous = cli("read", ids[0][:4], passphrases=(PASSPHRASE,))
    assert ambiguous.returncode == 1
    assert ids[0] in ambiguous.stderr and twin in ambiguous.stderr
    assert '"Story number 0"' in ambiguous.stderr
    assert "type more of the id" in ambiguous.stderr
    assert "Traceback" not in ambiguous.stderr

    too_short = cli("read", ids[0][:3], passphrases=(PASSPHRASE,))
    assert too_short.returncode == 1 and "first 4 characters" in too_short.stderr
    unknown = cli(
        "read", "ffff" if not ids[0].startswith("ffff") else "eeee", passphrases=(PASSPHRASE,)
    )
    assert unknown.returncode == 1 and "there is no story" in unknown.stderr


def test_read_prints_the_title_once_when_the_body_opens_with_it(cli: Cli) -> None:
    story_id = _write(cli, stdin="# A good day\n\nI walked to the river.\n")
    read = cli("read", story_id, passphrases=(PASSPHRASE,))
    assert read.returncode == 0, read.stderr
    assert read.stdout.count("A good day") == 1
    assert read.stdout.startswith("# A good day\n")
    assert "I walked to the river." in read.stdout
    # A different opening heading is part of the story and stays.
    other = _write(cli, "--title", "Tuesday", stdin="## A good day\n\nText.\n")
    shown = cli("read", other, passphrases=(PASSPHRASE,)).stdout
    assert shown.startswith("# Tuesday\n") and "## A good day" in shown


def test_write_suggest_prints_the_editor_suggestions_and_saves_nothing(cli: Cli) -> None:
    text = "I can't sleep again and the #hope jar is empty"
    suggested = cli("write", "--suggest", text)
    assert suggested.returncode == 0, suggested.stderr
    lines = suggested.stdout.splitlines()
    assert lines[0] == "#hope (#hope in the text)"
    assert any(line.startswith("#sleep (mentions ") for line in lines)
    assert "Nothing was saved" in suggested.stdout
    assert "No stories yet." in cli("list", passphrases=(PASSPHRASE,)).stdout
    # Tags given already are not suggested again.
    with_tag = cli("write", "--suggest", text, "--tag", "hope").stdout
    assert "#hope (" not in with_tag and "#sleep (" in with_tag

    saved = cli("write", text, passphrases=(PASSPHRASE,))
    assert saved.returncode == 0
    assert "2 tags could fit" in saved.stderr and "--suggest" in saved.stderr
    plain = cli("write", "Nothing in particular today.", passphrases=(PASSPHRASE,))
    assert plain.stderr == ""


@pytest.mark.parametrize(
    "verb",
    [
        ("members",),
        ("list",),
        ("search", "river"),
        ("tags",),
        ("read", "3f2a9c1b0d4e5f60"),
        ("delete", "3f2a9c1b0d4e5f60", "--yes"),
        ("export", "markdown", "OUT"),
        ("doctor",),
        ("circle", "list"),
    ],
)
@pytest.mark.parametrize("exists", [False, True])
def test_commands_create_nothing_in_a_folder_without_data(
    tmp_path: Path, verb: tuple[str, ...], exists: bool
) -> None:
    home = tmp_path / "new"
    if exists:
        home.mkdir(mode=0o700)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in verb]
    result = Cli(home)(*args, passphrases=() if verb == ("members",) else (PASSPHRASE,))
    assert result.returncode == 1
    assert result.stderr == (
        f"storycircle: No storycircle data in {home} yet: run `storycircle` to start\n"
    )
    assert home.exists() == exists
    assert not exists or list(home.iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_collections_are_listed_without_creating_a_data_folder(tmp_path: Path) -> None:
    home = tmp_path / "new"
    result = Cli(home)("collections")
    assert result.returncode == 0 and "(shipped" in result.stdout
    assert not home.exists()


def test_list_is_newest_first_by_the_story_date(cli: Cli, tmp_path: Path) -> None:
    _write(cli, "Written today")
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "old.md").write_text("---\ndate: 2024-05-01\n---\nFrom two years ago\n")
    assert cli("import", str(folder), passphrases=(PASSPHRASE,)).returncode == 0
    _write(cli, "Also today")
    lines = cli("list", passphrases=(PASSPHRASE,)).stdout.splitlines()
    assert ["Also today" in lines[0], "Written today" in lines[1]] == [True, True]
    assert lines[2].endswith(" 2024-05-01 old")


def _folder_of(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(count):
        (folder / f"{number:04d}.md").write_text(f"# Note {number}\n\nWords {number}.\n")
    return folder


def test_import_draws_a_progress_bar_on_a_terminal(cli: Cli, tmp_path: Path) -> None:
    folder = _folder_of(tmp_path, 60)
    env = child_env(cli.home) | {"COLUMNS": "70", "PYTHONIOENCODING": "utf-8"}
    read_fd, write_fd = os.pipe()
    os.write(write_fd, (PASSPHRASE + "\n").encode())
    os.close(write_fd)
    command = [sys.executable, "-m", "storycircle", "import", str(folder)]
    command += ["--passphrase-fd", str(read_fd)]
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
            env=env,
            cwd=REPO,
            pass_fds=(read_fd,),
        )
        os.close(follower)
        drawn = b""
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        out, _ = process.communicate(timeout=60)
    finally:
        os.close(leader)
        os.close(read_fd)
    assert process.returncode == 0
    assert out.decode() == "Imported 60 stories from a Markdown folder.\n"
    text = drawn.decode()
    assert "\rimported [" in text and "] 60/60" in text
    assert "█" * 10 in text
    assert text.endswith("\n") or text.endswith("\r\n")


def test_import_is_quiet_when_piped(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", str(_folder_of(tmp_path, 30)), passphrases=(PASSPHRASE,))
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout == "Imported 30 stories from a Markdown folder.\n"


def test_a_shipped_collection_is_exported_without_creating_a_data_folder(
    tmp_path: Path,
) -> None:
    home = tmp_path / "new"
    listed = Cli(home)("collections")
    slug = listed.stdout.split(":")[0]
    dest = tmp_path / "out"
    result = Cli(home)("export", "markdown", str(dest), "--collection", slug)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Exported ") and any(dest.iterdir())
    assert not home.exists()
    # To one's own key needs a member, so data: refused, and nothing created.
    own = Cli(home)("export", "bundle", str(tmp_path / "b"), "--collection", slug)
    assert own.returncode == 1 and "No storycircle data" in own.stderr
    assert not home.exists()
