"""The first screen loads only what the unlock form needs.

Starting the app must stay close to a bare Textual app, so the library, the
circles, exporting, importing, the key-handling code and sqlite-utils load
after Enter, not before the form is drawn. Each test starts the real app
headless in a fresh interpreter and looks at ``sys.modules`` once the welcome
screen is drawn.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storycircle.session.installation import open_installation
from tests.support.people import make_member

# Each of these costs start-up time and is needed only once someone is unlocked
# (or asks for something else than the form).
HEAVY = (
    "storycircle.reading",
    "storycircle.curated",
    "storycircle.circles",
    "storycircle.transfer",
    "storycircle.doctor",
    "storycircle.journal.journal",
    "storycircle.journal.journal_reader",
    "storycircle.journal.reactions",
    "storycircle.journal.members",
    "storycircle.journal.search_index",
    "storycircle.journal.search_segments",
    "storycircle.sealing.signing",
    "storycircle.sealing.keys",
    "storycircle.vault",
    "storycircle.screens.library",
    "storycircle.screens.help_now",
    "cryptography",
    "sqlite_utils",
    "markdown_it",
    "tomlkit",
    "textual.widgets._text_area",
    "tree_sitter",
)

START_TO_WELCOME = """
import sys
from pathlib import Path

from storycircle.tui.app import StorycircleApp
from storycircle.session.installation import open_installation
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session.session import Session


class DrawnWelcome(WelcomeScreen):
    def on_mount(self) -> None:  # runs with WelcomeScreen's own on_mount
        self.app.call_after_refresh(self.app.exit)


class Probe(StorycircleApp):
    def start_screen(self):
        return DrawnWelcome(self.session)


installation = open_installation(Path(sys.argv[1]))
Probe(Session(installation)).run(headless=True, size=(100, 32))
installation.store.close()
print("\\n".join(sorted(sys.modules)))
"""


def _loaded_at_welcome(home: Path) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", START_TO_WELCOME, str(home)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return set(out.split())


def _heavy(loaded: set[str]) -> list[str]:
    return sorted(
        name for name in loaded if any(name == h or name.startswith(h + ".") for h in HEAVY)
    )


def test_unlock_form_loads_nothing_heavy(tmp_path: Path) -> None:
    installation = open_installation(tmp_path)
    make_member(installation.store)
    installation.store.close()
    loaded = _loaded_at_welcome(tmp_path)
    assert "storycircle.screens.welcome" in loaded
    assert _heavy(loaded) == []


def test_first_run_form_loads_nothing_heavy(tmp_path: Path) -> None:
    loaded = _loaded_at_welcome(tmp_path)
    assert "storycircle.screens.welcome" in loaded
    assert _heavy(loaded) == []
