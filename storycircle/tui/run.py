"""Starting the app from the command line: open the installation, run, close.

``storycircle`` with no verb ends here (see :mod:`storycircle.cli.main`). It
sits apart from :mod:`storycircle.tui.app`, which holds the app itself and is
also started by tests, benchmarks and the kiosk with a session of their own.
"""

from __future__ import annotations

from storycircle.session.installation import open_installation
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp


def run_app() -> int:
    """Open the installation and run the app until the person quits."""
    installation = open_installation()
    try:
        StorycircleApp(Session(installation)).run()
    finally:
        installation.store.close()
    return 0


__all__ = ["run_app"]
