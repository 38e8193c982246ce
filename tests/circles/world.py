"""Several machines sharing circle folders, for the attack and convergence tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from storycircle import vault
from storycircle.circles.folder import FolderReport
from storycircle.circles.inbox import refresh
from storycircle.store import Store
from tests.circles.helpers import Person, person


def machine(name: str) -> Person:
    """One member alone on their own installation (an in-memory database)."""
    return person(Store.memory(), name)


def drop(folder: Path, kind: str, data: bytes) -> str:
    """Put a file into a circle folder the way a folder writer would."""
    name = f"{kind}-{hashlib.sha256(data).hexdigest()[:32]}.age"
    (folder / name).write_bytes(data)
    return name


def sync(folder: Path, *people: Person) -> list[FolderReport]:
    """Everyone refreshes twice (a change may answer another)."""
    return [refresh(p.sharing, str(folder)) for _ in range(2) for p in people]


def circle_of(host: Person, name: str, folder: Path, *members: Person) -> str:
    """A circle hosted by ``host`` through ``folder``, every member accepted."""
    circle = host.circles.create(name, folder=str(folder))
    for member in members:
        host.circles.invite(circle.id, member.card)
        refresh(member.sharing, str(folder))
        member.circles.set_folder(circle.id, str(folder))
        member.circles.accept(circle.id, member.member.pseudonym.title())
        sync(folder, host, *members)
    return circle.id


def files(folder: Path, kind: str) -> dict[str, bytes]:
    """The files of one kind in a folder, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob(f"{kind}-*.age"))}


def opens(data: bytes, identities: list[vault.Identity]) -> bytes | None:
    """The plaintext of a file if any of ``identities`` opens it, else None."""
    try:
        return vault.decrypt(data, identities)
    except vault.AgeError:
        return None
