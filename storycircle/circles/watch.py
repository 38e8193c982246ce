"""Noticing that a circle folder changed, and saying who shared what.

A sync engine (Syncthing, a network share) delivers circle files while the
app is open. Reading and hashing every file each second would cost far more
than the files are worth, so the app first compares a cheap listing
signature: the folder's own inode and modification time (every file a sync
engine or storycircle adds, renames or deletes changes it) and how many
names it holds (for file systems whose times are coarse, such as FAT on a
USB stick). Only when that changes does it apply the folder.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from storycircle.models import Circle
from storycircle.sanitize import sanitize_line
from storycircle.wording import counted

FolderSignature = tuple[tuple[str, int, int, int], ...]


def folder_signature(folders: Iterable[str]) -> FolderSignature:
    """A value that changes whenever a file is added to, renamed in or removed from a folder.

    A folder that cannot be read (unmounted share, USB stick pulled out)
    counts as its own value, so its return is noticed too.
    """
    signature = []
    for folder in sorted(set(folders)):
        try:
            info = os.stat(folder)
            names = len(os.listdir(folder))
        except OSError:
            signature.append((folder, -1, -1, -1))
            continue
        signature.append((folder, info.st_ino, info.st_mtime_ns, names))
    return tuple(signature)


@dataclass(frozen=True, slots=True)
class Arrival:
    """Stories that arrived in one circle from one member.

    Attributes:
        circle: The circle's name.
        author: The author's pseudonym in that circle.
        shared: How many stories are new here.
        updated: How many already here came in a new version.
    """

    circle: str
    author: str
    shared: int
    updated: int

    def sentence(self) -> str:
        """``Ben shared a story in Tuesday group`` (or updated, or both)."""
        parts = [
            f"{verb} {'a story' if count == 1 else counted(count, 'story')}"
            for verb, count in (("shared", self.shared), ("updated", self.updated))
            if count
        ]
        return f"{self.author} {' and '.join(parts)} in {self.circle}"


Listing = Mapping[str, tuple[str, int]]


def arrivals(circle: Circle, before: Listing, after: Listing, me: str) -> list[Arrival]:
    """What others added to a circle between two ``row_id -> (author_id, version)`` listings.

    The member's own stories (written on another of their machines, or
    applied back from the folder) are not news to them and are left out.
    """
    names = {m.id: m.pseudonym for m in circle.members}
    shared: Counter[str] = Counter()
    updated: Counter[str] = Counter()
    for row, (author, version) in after.items():
        if author == me:
            continue
        if row not in before:
            shared[author] += 1
        elif before[row][1] != version:
            updated[author] += 1
    authors = sorted(set(shared) | set(updated), key=lambda a: names.get(a, ""))
    return [
        Arrival(
            sanitize_line(circle.name),
            sanitize_line(names.get(author, "someone who has left")),
            shared[author],
            updated[author],
        )
        for author in authors
    ]
