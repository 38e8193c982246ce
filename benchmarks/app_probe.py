"""Start the real app headless, unlock, and exit once the story list is drawn.

Run as ``python -m benchmarks.app_probe FD`` with ``STORYCIRCLE_HOME`` set and
the passphrase on file descriptor ``FD`` (as ``--passphrase-fd`` reads it).
The benchmark times the whole process, as a person would see it: imports,
opening the database, the welcome screen, key derivation at the installation's
work factor, decrypting the list and drawing it.

The passphrase goes into the welcome screen's field and Enter is pressed, so
the unlock runs exactly as when typed. The probe exits once the first rows are
drawn (a large journal draws its newest 200 first and lists the rest from a
worker) and prints the id of the first row and how many rows were drawn, so
the caller can check it drew what ``storycircle list`` prints.
"""

from __future__ import annotations

import sys

from textual.pilot import Pilot
from textual.widgets import Input

from storycircle.cli.terminal import PassphraseSource
from storycircle.screens.welcome import WelcomeScreen
from storycircle.session.installation import open_installation
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from storycircle.widgets.story_list import StoryList

SIZE = (120, 40)
POLL = 0.002


def main() -> None:
    """Unlock with the passphrase from the fd on argv; print the first drawn row."""
    passphrase = PassphraseSource(int(sys.argv[1])).ask("")
    installation = open_installation()
    app = StorycircleApp(Session(installation))
    drawn: list[str] = []

    async def drive(pilot: Pilot[object]) -> None:
        while not (isinstance(app.screen, WelcomeScreen) and app.screen.is_mounted):
            await pilot.pause(POLL)
        field = app.screen.query_one("#unlock-passphrase", Input)
        field.value = passphrase
        field.focus()
        # Post the key rather than ``pilot.press``, which then waits until the
        # whole process is idle (up to 2 s) and would count the background
        # work that starts once the list is drawn.
        app.simulate_key("enter")
        while True:
            screen = app.screen
            # By name: importing LibraryScreen here would load, before the
            # start, what the app imports while the keys are derived.
            if type(screen).__name__ == "LibraryScreen" and screen.is_mounted:
                rows = screen.query_one(StoryList).rows
                if rows:
                    drawn[:] = [rows[0].id, str(len(rows))]
                    break
            await pilot.pause(POLL)
        # One more round: the rows are set; once every pending message of the
        # screen is handled, the pause redraws the screen (``pilot.pause()``
        # without a delay would also wait for the background index to idle).
        await pilot.pause(POLL)
        app.exit()

    try:
        app.run(headless=True, size=SIZE, auto_pilot=drive)
    finally:
        installation.store.close()
    print(" ".join(drawn))


if __name__ == "__main__":
    main()
