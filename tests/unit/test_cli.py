"""The command line, run as a person or a script runs it: a separate process."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Cli
from tests.support.people import PASSPHRASE


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_help_and_version_need_no_terminal(cli: Cli) -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "--passphrase-fd" not in result.stdout or "file descriptor" in result.stdout
    assert "write" in result.stdout and "not a crisis service" in result.stdout
    version = cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("storycircle ")


def test_app_without_a_terminal_says_so(cli: Cli) -> None:
    result = cli()
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr
    _no_traceback(result)


def test_init_write_list_read_search_tags_delete(cli: Cli) -> None:
    assert cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,)).returncode == 0
    saved = cli(
        "write",
        "Slept through the night",
        "--tag",
        "sleep",
        "--tag",
        "hope",
        passphrases=(PASSPHRASE,),
    )
    assert saved.returncode == 0, saved.stderr
    story_id = saved.stdout.split()[1].rstrip(":")
    piped = cli(
        "write",
        "--tag",
        "anxious",
        passphrases=(PASSPHRASE,),
        stdin="# Panic at the bus stop\n\nI breathed in for four.\n",
    )
    assert piped.returncode == 0, piped.stderr

    listing = cli("list", passphrases=(PASSPHRASE,))
    lines = listing.stdout.splitlines()
    assert "Panic at the bus stop" in lines[0] and "#anxiety" in lines[0]
    assert "Slept through the night" in lines[1]

    tagged = cli("list", "--tag", "sleep", passphrases=(PASSPHRASE,))
    assert "Slept" in tagged.stdout and "Panic" not in tagged.stdout

    read = cli("read", story_id, passphrases=(PASSPHRASE,))
    assert read.returncode == 0 and "Slept through the night" in read.stdout

    found = cli("search", "panic", passphrases=(PASSPHRASE,))
    assert "Panic at the bus stop" in found.stdout and "Slept" not in found.stdout

    tags = cli("tags", passphrases=(PASSPHRASE,))
    assert {line.split()[1] for line in tags.stdout.splitlines()} == {"sleep", "hope", "anxiety"}

    gone = cli("delete", story_id, "--yes", passphrases=(PASSPHRASE,))
    assert gone.returncode == 0
    assert "Slept" not in cli("list", passphrases=(PASSPHRASE,)).stdout


def test_wrong_passphrase_is_one_line_and_no_traceback(cli: Cli) -> None:
    cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,))
    result = cli("list", passphrases=("not the right one at all",))
    assert result.returncode == 1
    assert result.stderr == "storycircle: that passphrase does not unlock this member\n"
    _no_traceback(result)


def test_weak_passphrase_at_creation(cli: Cli) -> None:
    result = cli("init", "--pseudonym", "river", passphrases=("short",))
    assert result.returncode == 1
    assert "at least 12 characters" in result.stderr
    _no_traceback(result)
    assert "Nobody has an account" in cli("members").stdout


def test_no_terminal_and_no_fd_is_explained(cli: Cli) -> None:
    cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,))
    result = cli("list")
    # Without a controlling terminal the passphrase cannot be asked.
    assert result.returncode == 1
    assert "--passphrase-fd" in result.stderr or "Passphrase" in result.stderr


def test_passwd_changes_the_passphrase(cli: Cli) -> None:
    cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,))
    cli("write", "kept", passphrases=(PASSPHRASE,))
    new = "lantern harbour violet ninety"
    assert cli("passwd", passphrases=(PASSPHRASE, new)).returncode == 0
    assert cli("list", passphrases=(PASSPHRASE,)).returncode == 1
    assert "kept" in cli("list", passphrases=(new,)).stdout


def test_story_text_is_printed_without_escape_sequences(cli: Cli) -> None:
    cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,))
    hostile = "safe\x1b]0;pwned\x07 words \x1b]52;c;ZXZpbA==\x07 end\x1b[2J"
    saved = cli("write", "--title", "t", passphrases=(PASSPHRASE,), stdin=hostile)
    story_id = saved.stdout.split()[1].rstrip(":")
    read = cli("read", story_id, passphrases=(PASSPHRASE,))
    assert "\x1b" not in read.stdout and "\x07" not in read.stdout
    assert "safe" in read.stdout and "end" in read.stdout


@pytest.fixture
def read_only_home(tmp_path: Path) -> Iterator[Path]:
    """A data folder nobody may write: a read-only tmpfs as root, else mode 0500."""
    home = tmp_path / "ro-home"
    home.mkdir(mode=0o700)
    if os.getuid() != 0:
        home.chmod(0o500)
        yield home
        home.chmod(0o700)
        return
    # Root ignores permission bits, but not a read-only file system.
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m,mode=0700", "storycircle-ro", str(home)],
        capture_output=True,
        check=False,
    )
    assert mounted.returncode == 0, mounted.stderr
    try:
        yield home
    finally:
        subprocess.run(["umount", str(home)], check=False)


def test_read_only_data_folder_is_a_clear_error(read_only_home: Path) -> None:
    # init is what writes to a data folder (read-only commands refuse an empty one first).
    result = Cli(read_only_home)("init", "--pseudonym", "river")
    assert result.returncode == 1, result.stderr
    assert "read-only" in result.stderr
    _no_traceback(result)


def test_data_folder_of_another_user_is_refused(cli: Cli) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to give the folder to another user")
    os.chown(cli.home, 65534, 65534)
    try:
        result = cli("init", "--pseudonym", "river")
    finally:
        os.chown(cli.home, 0, 0)
    assert result.returncode == 1
    assert "belongs to another user" in result.stderr
    _no_traceback(result)


def test_corrupt_database_is_refused_and_kept(cli: Cli) -> None:
    db = cli.home / "storycircle.db"
    db.write_bytes(b"garbage" * 1000)
    result = cli("members")
    assert result.returncode == 1
    assert "left untouched" in result.stderr
    assert db.read_bytes() == b"garbage" * 1000
    _no_traceback(result)


def test_unknown_story_id(cli: Cli) -> None:
    cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,))
    result = cli("read", "nope", passphrases=(PASSPHRASE,))
    assert result.returncode == 1
    assert "there is no story nope" in result.stderr


def test_a_negative_or_enormous_passphrase_fd_is_one_line(cli: Cli) -> None:
    cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,))
    closed = cli("list", "--passphrase-fd", "999")
    for number in ("-1", "99999999999999999999", str(2**31)):
        result = cli("list", "--passphrase-fd", number)
        assert result.returncode == closed.returncode == 1
        assert result.stderr == f"storycircle: cannot read the passphrase from fd {number}: " + (
            "Bad file descriptor\n"
        )
        _no_traceback(result)
