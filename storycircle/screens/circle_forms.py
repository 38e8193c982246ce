"""The forms the circles screen opens for its quick changes, each with its wording.

Starting a circle, inviting, accepting, choosing a circle's folder and opening
someone's folder each begin with a small dialog that runs the change itself
(and keeps what was typed when it is refused). Each function here builds one
from the session and the circle concerned; the screen decides when to open it
and what to show after. They sit apart from :mod:`storycircle.screens.circles`
so the screen reads as its keys and their outcomes, not as paragraphs of help.
"""

from __future__ import annotations

from storycircle.errors import StorycircleError
from storycircle.models import Circle, MemberRecord
from storycircle.screens.circle_dialogs import FormDialog, FormField, PickDialog
from storycircle.session.session import Session
from storycircle.widgets.safe import line


def new_circle_form(session: Session) -> FormDialog[Circle]:
    """Start a circle: its name, the member's pseudonym in it, and an optional folder."""
    me = session.require_sharing().circles.member.pseudonym
    return FormDialog(
        "New circle",
        "A circle is a small group (up to a few dozen) who read what each other share. "
        "You host it: you invite people and may remove them.",
        [
            FormField("name", "Name of the circle", placeholder="Tuesday group"),
            FormField("pseudonym", "Your name in this circle", value=me),
            FormField(
                "folder",
                "Folder it travels through (optional)",
                placeholder="a shared or synced folder; empty: this machine only",
            ),
        ],
        lambda v: session.create_circle(v["name"], v["pseudonym"], v["folder"]),
        yes="Create",
    )


def invite_form(session: Session, circle: Circle) -> PickDialog[Circle]:
    """Invite a member of this installation to ``circle``, or someone by their pasted card."""
    members = {m.id: m for m in session.invitable_members(circle.id)}

    def invite(choice: str) -> Circle:
        who: MemberRecord | str = (
            choice.removeprefix("card:") if choice.startswith("card:") else members[choice]
        )
        return session.invite(circle.id, who)

    return PickDialog(
        "Invite to " + circle.name,
        "They see the invitation when they unlock, and join by accepting it. "
        "Once they accept they can read what is shared to the circle from then on.",
        [(m.id, line(m.pseudonym)) for m in members.values()],
        invite,
        empty="Everyone on this machine is already in this circle.",
        paste_label="Or paste the member card of someone on another machine",
    )


def accept_form(session: Session, circle: Circle, pseudonym: str) -> FormDialog[Circle]:
    """Accept the invitation to ``circle``, choosing the pseudonym (``pseudonym`` at first)."""
    return FormDialog(
        "Join " + circle.name,
        "Choose the name you go by in this circle. Its members see only this name.",
        [FormField("pseudonym", "Your name in this circle", value=pseudonym)],
        lambda v: session.accept_invitation(circle.id, v["pseudonym"]),
        yes="Accept",
    )


def folder_form(session: Session, circle: Circle) -> FormDialog[Circle]:
    """Choose (or clear) the folder ``circle`` travels through on this machine."""
    return FormDialog(
        "Folder of " + circle.name,
        "A folder every member can reach: a shared drive, a USB stick or a synced "
        "folder. Only encrypted files are written there. Empty: this machine only.",
        [FormField("folder", "Folder", value=circle.folder, placeholder="~/Shared/circle")],
        lambda v: session.set_circle_folder(circle.id, v["folder"]),
        yes="Save",
    )


def open_folder_form(session: Session) -> FormDialog[str]:
    """Ask for a folder to look in for invitations; closes with its cleaned path."""

    def check(values: dict[str, str]) -> str:
        folder = session.clean_folder(values["folder"])
        if not folder:
            raise StorycircleError("type the path of the folder")
        return folder

    return FormDialog(
        "Open a circle folder",
        "The folder someone shared with you (a shared drive, a USB stick, a synced "
        "folder). Invitations to you in it appear here to accept.",
        [FormField("folder", "Folder", placeholder="~/Shared/circle")],
        check,
        yes="Open",
    )
