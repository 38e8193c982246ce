"""How a command that fails reports it: a damaged database in one line; a bug as a bug."""

from __future__ import annotations

import argparse
import sqlite3

import pytest

from storycircle.cli import commands
from storycircle.cli.main import main


def test_a_database_damaged_inside_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def damaged(args: argparse.Namespace) -> int:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(commands, "run", damaged)
    assert main(["list"]) == 1
    err = capsys.readouterr().err
    assert "the database is damaged (database disk image is malformed)" in err
    assert "Traceback" not in err


def test_any_other_error_is_not_dressed_up_as_damage(monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(args: argparse.Namespace) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(commands, "run", bug)
    with pytest.raises(ZeroDivisionError):
        main(["list"])
