"""What the circles screen says about a circle, built from untrusted parts made inert.

Names and pseudonyms come from other members (and other machines): every one
goes through :func:`~storycircle.widgets.safe.line`, never into markup.
"""

from __future__ import annotations

from textual.content import Content

from storycircle.circles.folder import FolderReport
from storycircle.models import Circle
from storycircle.widgets.safe import line

NO_CIRCLES = (
    "You are in no circle yet. A circle is a small group who read each other's stories. "
    "Press n to start one, or o to open a folder someone shared with you to find an invitation."
)


def needs_print(circle: Circle, others: list[Circle]) -> bool:
    """Whether to show a circle's fingerprint: an invitation, or a name another circle has."""
    same = [c for c in others if c.id != circle.id and c.name.casefold() == circle.name.casefold()]
    return circle.my_status == "invited" or bool(same)


def circle_row(circle: Circle, me: str, show_print: bool = False) -> Content:
    """A circle as one entry of the list: its name and where the member stands.

    With ``show_print``, its fingerprint too, telling it apart from a look-alike.
    """
    if circle.my_status == "invited":
        where = "invitation · Enter to accept"
        if not circle.host_known:
            where += " · from someone new"
    else:
        where = f"{sum(m.status == 'active' for m in circle.members)} active"
        if circle.host_id == me:
            where += " · you host"
    if circle.waiting_for:
        where += " · waiting for a new key"
    # The fingerprint tells apart circles with the same name (a look-alike).
    mark = f"  #{circle.fingerprint}" if show_print else ""
    return Content.assemble(line(circle.name).stylize("bold"), (mark, "dim"), "\n", (where, "dim"))


def circle_details(
    circle: Circle, me: str, show_print: bool = False, key_note: str = ""
) -> Content:
    """Everything the screen says about one circle, from untrusted parts made inert.

    ``key_note`` says whether the circle's key is post-quantum and who has
    only a classic key (it holds pseudonyms, so it is made inert too).
    """
    parts: list[Content | str | tuple[str, str]] = [line(circle.name).stylize("bold"), "\n"]
    mine = circle.pseudonym_of(me)
    if show_print:
        parts += [
            (f"Fingerprint {circle.fingerprint} (the circle and its host's key)", "dim"),
            "\n",
        ]
    if circle.my_status == "invited":
        parts.append(("You are invited. Press a to accept, choosing your name here, or d.", ""))
        if not circle.host_known:
            parts.append(
                (
                    "\nThe host is in no other circle of yours: check the fingerprint "
                    "with them before accepting.",
                    "bold",
                )
            )
    else:
        parts += ["You are ", line(mine).stylize("bold"), f" here ({circle.my_status})."]
    if circle.waiting_for:
        names = ", ".join(circle.waiting_for)
        parts += [
            "\n",
            line(
                f"Waiting for a new key after {names} left; nothing is shared until the host "
                "refreshes."
            ).stylize("bold"),
        ]
    parts.append("\n")
    if circle.folder:
        parts += ["Folder: ", line(circle.folder)]
    else:
        parts.append(("No folder: it lives on this machine only. Press f to choose one.", "dim"))
    parts += ["\n\n", ("Members", "bold"), "\n"]
    for member in circle.members:
        mark = "★" if member.is_host else "•"
        notes = [member.status] + (["host"] if member.is_host else [])
        if member.id == me:
            notes.append("you")
        parts += [f"{mark} ", line(member.pseudonym), (f"  {' · '.join(notes)}", "dim"), "\n"]
    if key_note:
        parts += ["\n", line(key_note).stylize("dim"), "\n"]
    if circle.my_status == "active":
        parts += ["\n", ("Enter opens the circle's stories in the library.", "dim")]
    return Content.assemble(*parts)


def report_lines(report: FolderReport) -> list[str]:
    """One line per refused file: its name and the reason."""
    return [f"refused {name}: {reason}" for name, reason in report.refused]
