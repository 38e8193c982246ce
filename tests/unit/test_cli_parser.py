"""The parser builds only the verb a command runs, and every help still explains itself."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from storycircle.cli.main import build_parser, chosen_verb
from storycircle.cli.verbs import VERBS
from storycircle.journal.members import create_member
from storycircle.session.installation import open_installation
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR

REPO = Path(__file__).resolve().parents[2]


def _loaded_by(argv: list[str], home: Path) -> set[str]:
    """The modules a ``storycircle`` run of ``argv`` imported, in a fresh process.

    The passphrase is given on stdin (``--passphrase-fd 0``); the run must succeed.
    """
    code = (
        "import sys\n"
        "from storycircle.cli.main import main\n"
        f"status = main({argv!r})\n"
        "print('exit', status)\n"
        "sys.stderr.write('\\n'.join(sorted(sys.modules)))\n"
    )
    env = {"STORYCIRCLE_HOME": str(home), "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=PASSPHRASE + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "exit 0" in done.stdout, done.stdout + done.stderr[-500:]
    return set(done.stderr.split())


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data folder with one member, so the verbs run to the end."""
    folder = tmp_path / "home"
    installation = open_installation(folder)
    create_member(installation.store, "river", PASSPHRASE, work_factor=TEST_WORK_FACTOR)
    installation.store.close()
    return folder


@pytest.mark.parametrize("argv", [["list", "-n", "1"], ["write", "a story"], ["search", "x"]])
def test_an_everyday_verb_loads_no_other_command(argv: list[str], home: Path) -> None:
    loaded = _loaded_by([*argv, "--passphrase-fd", "0"], home)
    assert "storycircle.cli.main" in loaded and "storycircle.cli.commands" in loaded
    for module in (
        "storycircle.cli.circle",
        "storycircle.cli.kiosk",
        "storycircle.cli.transfer",
        "storycircle.cli.curate",
        "storycircle.circles",
        "storycircle.session.session",
        "textual",
        # Nor what the store and settings need only sometimes: sqlite-utils'
        # API, its plugin scan, and the comment-keeping TOML writer.
        "sqlite_utils",
        "importlib.metadata",
        "tomlkit",
    ):
        assert module not in loaded, module


def _subparser_helps(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    [verbs] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {action.dest: action.help for action in verbs._choices_actions}


def test_the_help_list_names_every_verb_without_loading_it() -> None:
    helps = _subparser_helps(build_parser())
    assert helps == {name: help_text for name, (help_text, _register) in VERBS.items()}


@pytest.mark.parametrize("verb", list(VERBS))
def test_each_verb_has_its_full_parser_and_the_same_help_line(
    verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser(verb)
    # The line in the list is the one the verb's own module gives, not a copy that drifted.
    assert _subparser_helps(parser)[verb] == VERBS[verb][0]
    with pytest.raises(SystemExit) as leaving:
        parser.parse_args([verb, "--help"])
    assert leaving.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: storycircle {verb}")
    assert "-h, --help" in shown


def test_the_verb_is_the_first_word_that_is_not_an_option() -> None:
    assert chosen_verb(["--help"]) is None
    assert chosen_verb([]) is None
    assert chosen_verb(["list", "-n", "1"]) == "list"
    assert chosen_verb(["circle", "list"]) == "circle"


def test_a_mistyped_verb_is_refused_with_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        build_parser("lsit").parse_args(["lsit"])
    assert leaving.value.code == 2
    assert "invalid choice: 'lsit'" in capsys.readouterr().err
