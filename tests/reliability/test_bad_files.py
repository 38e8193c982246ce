"""Files and folders storycircle must not trust: a corrupt or foreign database,
one damaged inside, a read-only data folder, a folder of another user.

Each runs the real command line in a child process and checks what a person
sees: one clear line, a non-zero exit, no traceback, no story text; and that
the file was left byte for byte as it was.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle.journal.journal import Journal
from storycircle.session.installation import open_installation
from tests.reliability.harness import private_home, run_cli
from tests.support.people import PASSPHRASE, make_member

CANARY = "badfilecanary8e1f"
STORIES = 30


def _home_with_stories(path: Path) -> Path:
    home = private_home(path)
    installation = open_installation(home)
    journal = Journal(installation.store, make_member(installation.store))
    for n in range(STORIES):
        journal.save(title=f"{CANARY} {n}", body=f"{CANARY} " + "words " * 800)
    installation.store.checkpoint()
    installation.store.close()
    return home


def _one_clear_line(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("storycircle: "), result.stderr
    assert reason in lines[0]
    assert CANARY not in result.stdout + result.stderr


def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    home = private_home(tmp_path / "home")
    db = home / "storycircle.db"
    db.write_bytes(b"my diary, not a database\n" * 400)
    before = db.read_bytes()
    result = run_cli(home, "list", passphrase=PASSPHRASE)
    _one_clear_line(result, "damaged or is not a storycircle database")
    assert db.read_bytes() == before
    assert sorted(p.name for p in home.iterdir()) == ["config.toml", "storycircle.db"]


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    home = private_home(tmp_path / "home")
    db = home / "storycircle.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('not yours')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    result = run_cli(home, "write", "hello", passphrase=PASSPHRASE)
    _one_clear_line(result, "not a storycircle database")
    assert db.read_bytes() == before


def test_a_database_damaged_inside_says_so_and_is_not_changed(tmp_path: Path) -> None:
    home = _home_with_stories(tmp_path / "home")
    db = home / "storycircle.db"
    damaged = bytearray(db.read_bytes())
    page = 4096
    # Pages 2 to 9 hold the tables' first b-tree pages: scribble over them.
    damaged[page : page * 9] = b"\x5a" * (page * 8)
    db.write_bytes(bytes(damaged))
    for verb in ("list", "tags", "write"):
        args = (verb, "new words") if verb == "write" else (verb,)
        result = run_cli(home, *args, passphrase=PASSPHRASE)
        _one_clear_line(result, "damaged")
        assert db.read_bytes() == bytes(damaged)


@pytest.fixture
def read_only_home(tmp_path: Path) -> Iterator[Path]:
    """A data folder with stories, made read-only: a read-only mount as root
    (root ignores mode bits), mode 0500 otherwise."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    if os.getuid() == 0:
        mount = ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "storycircle-ro", str(home)]
        assert subprocess.run(mount, check=False).returncode == 0
        _home_with_stories(home)
        remount = ["mount", "-o", "remount,ro", str(home)]
        assert subprocess.run(remount, check=False).returncode == 0
    else:
        _home_with_stories(home)
        home.chmod(0o500)
    try:
        yield home
    finally:
        if os.getuid() == 0:
            subprocess.run(["umount", "-l", str(home)], check=False)
        else:
            home.chmod(0o700)


@pytest.mark.parametrize("verb", ["list", "write", "read"])
def test_a_read_only_data_folder_is_a_clear_message(read_only_home: Path, verb: str) -> None:
    before = (read_only_home / "storycircle.db").read_bytes()
    args = {"list": ("list",), "write": ("write", "a new story"), "read": ("read", "0" * 16)}
    result = run_cli(read_only_home, *args[verb], passphrase=PASSPHRASE)
    _one_clear_line(result, "is read-only; nothing can be saved there")
    assert (read_only_home / "storycircle.db").read_bytes() == before


def test_a_data_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("giving a folder to another user needs root (CI runs as root)")
    home = _home_with_stories(tmp_path / "home")
    for path in (home, *home.iterdir()):
        os.chown(path, 65534, 65534)
    before = (home / "storycircle.db").read_bytes()
    result = run_cli(home, "list", passphrase=PASSPHRASE)
    _one_clear_line(result, "belongs to another user; set STORYCIRCLE_HOME")
    assert (home / "storycircle.db").read_bytes() == before
    assert (home / "storycircle.db").stat().st_uid == 65534
