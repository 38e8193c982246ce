"""How circles are listed and found: their fingerprint, who is waiting, names that clash."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle.circles.errors import CircleError
from storycircle.circles.roster import ACTIVE, MAX_NAME_LENGTH, REMOVED, waiting_for
from storycircle.models import Circle, CircleMember
from storycircle.sanitize import sanitize_line

if TYPE_CHECKING:
    from storycircle.circles.context import CircleContext


def fingerprint(circle_id: str, host_signing_public: bytes) -> str:
    """A short fingerprint of a circle and its host's key (``1a2b-3c4d``).

    Shown beside a circle's name so that a look-alike (same name, same
    pseudonyms, another id or host key) can be told apart.
    """
    digest = hashlib.sha256(
        b"storycircle/circle-fingerprint\n" + circle_id.encode() + b"\n" + host_signing_public
    ).hexdigest()
    return f"{digest[:4]}-{digest[4:8]}"


def describe(circles: CircleContext, circle_id: str) -> Circle:
    """One circle as the member sees it.

    Raises:
        CircleError: not here, or the member is not in it.
    """
    roster = circles.roster(circle_id)
    me = roster.member(circles.member.id)
    host = roster.member(roster.host_id)
    return Circle(
        id=roster.circle_id,
        name=roster.name,
        epoch=roster.epoch,
        host_id=roster.host_id,
        folder=circles.folder_of(circle_id),
        members=tuple(
            CircleMember(m.id, m.pseudonym, m.status, m.id == roster.host_id)
            for m in roster.members
        ),
        my_status=me.status if me is not None else REMOVED,
        fingerprint=fingerprint(circle_id, host.signing_public if host else b""),
        waiting_for=tuple(m.pseudonym for m in waiting_for(roster)),
        host_known=(me is not None and me.status == ACTIVE)
        or known(circles, roster.host_id, circle_id),
    )


def known(circles: CircleContext, member_id: str, besides: str) -> bool:
    """True when someone is of this installation, or in another circle here with us."""
    if member_id == circles.member.id or circles.store.member(member_id) is not None:
        return True
    return any(
        record.id != besides
        and status == ACTIVE
        and circles.rows.member(record.id, member_id) is not None
        for record, status in circles.rows.circles_of(circles.member.id)
    )


def find(circles: CircleContext, text: str) -> Circle:
    """The circle named ``text`` (any case; ``name#fingerprint`` when names clash),
    or whose id starts with it.

    Two circles with one name are told apart by fingerprint; when only one
    of them is a circle the member is active in (the other an invitation),
    the name means that one.

    Raises:
        CircleError: none, or more than one, matches.
    """
    wanted = sanitize_line(text)
    name, _, print_part = wanted.rpartition("#") if "#" in wanted else (wanted, "", "")
    listed = circles.circles()
    matches = [c for c in listed if c.name.casefold() == name.casefold()]
    if print_part:
        matches = [c for c in matches if c.fingerprint == print_part.lower()]
    matches = matches or [c for c in listed if wanted and c.id.startswith(wanted)]
    if len(matches) > 1:
        active = [c for c in matches if c.my_status == ACTIVE]
        matches = active if len(active) == 1 else matches
    if not matches:
        raise CircleError(f'you are in no circle called "{wanted}"')
    if len(matches) > 1:
        choices = ", ".join(f"{c.name}#{c.fingerprint}" for c in matches)
        raise CircleError(f'more than one circle is called "{wanted}": use one of {choices}')
    return matches[0]


def clean_circle_name(raw: str) -> str:
    """A circle name fit to keep and show.

    Raises:
        CircleError: empty or too long.
    """
    name = sanitize_line(raw)
    if not name:
        raise CircleError("give the circle a name")
    if len(name) > MAX_NAME_LENGTH:
        raise CircleError(f"a circle name can be at most {MAX_NAME_LENGTH} characters")
    return name


def clean_folder(raw: str) -> str:
    """An existing folder as an absolute path, or "" for none.

    Raises:
        CircleError: it does not exist or is not a folder.
    """
    if not raw.strip():
        return ""
    path = Path(raw.strip()).expanduser()
    if not path.is_dir():
        raise CircleError(f"there is no folder at {sanitize_line(str(path))}")
    return str(path.resolve())
