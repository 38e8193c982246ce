"""Links in a story: checked, explained, and opened only after the reader's yes.

A story's Markdown may hold any link its writer typed. The reader screen hands
every clicked link to :func:`offer_link`, which refuses what
:func:`storycircle.text.links.check_link` refuses, says plainly where the rest
go, and hands one to the browser only when the reader says yes. It sits apart
from :mod:`storycircle.screens.reader` so this rule reads in one place.
"""

from __future__ import annotations

from textual.app import App
from textual.content import Content

from storycircle.screens.dialogs import ConfirmScreen
from storycircle.text.links import LinkCheck, check_link
from storycircle.widgets.safe import block


def link_message(check: LinkCheck) -> Content:
    """What the question says about a checked link: where it goes, and any warning."""
    where = "It starts an email to" if check.scheme == "mailto" else "It goes to"
    parts = [f"{where} {check.host}:", "", check.display]
    if check.warning:
        parts += ["", f"Careful: {check.warning}."]
    return block("\n".join(parts))


def offer_link(app: App[object], href: str) -> None:
    """Refuse ``href`` with a notice, or ask whether to open it and open it on a yes."""
    check = check_link(href)
    if not check.allowed:
        app.notify(f"Link not opened: {check.reason}.", severity="warning", markup=False)
        return

    def answered(open_it: bool | None) -> None:
        if open_it:
            # The one place a link opens: checked above, and confirmed.
            app.open_url(check.url)

    dialog = ConfirmScreen(
        "Open this link?", link_message(check), yes="Open in browser", no="Stay here"
    )
    app.push_screen(dialog, answered)
