"""``storycircle circle tidy``, run as a person runs it: a separate process."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.cli import Cli
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR


def _ok(cli: Cli, *args: str) -> str:
    result = cli(*args, passphrases=(PASSPHRASE,))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_circle_tidy_says_what_it_would_do_then_removes_only_the_duplicate(
    tmp_path: Path,
) -> None:
    home, folder = tmp_path / "home", tmp_path / "synced"
    home.mkdir(mode=0o700)
    folder.mkdir()
    (home / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    cli = Cli(home)
    assert cli("init", "--pseudonym", "ash", passphrases=(PASSPHRASE, PASSPHRASE)).returncode == 0
    _ok(cli, "circle", "create", "Tuesday group", "--folder", str(folder))
    [written] = os.listdir(folder)
    stem, ext = written.rsplit(".", 1)
    copy = f"{stem}.sync-conflict-20261204-101500-ABCDEFG.{ext}"
    (folder / copy).write_bytes((folder / written).read_bytes())

    refreshed = cli("circle", "refresh", passphrases=(PASSPHRASE,))
    assert "conflict copy Syncthing made" in refreshed.stderr

    planned = _ok(cli, "circle", "tidy", "--dry-run")
    assert "Tuesday group: Would do: 1 duplicate copy removed." in planned
    assert f"would remove {copy} (a duplicate)" in planned
    assert sorted(os.listdir(folder)) == sorted([written, copy])

    done = _ok(cli, "circle", "tidy", "Tuesday group")
    assert "Tuesday group: 1 duplicate copy removed." in done
    assert os.listdir(folder) == [written]
    assert "Nothing to tidy." in _ok(cli, "circle", "tidy")
