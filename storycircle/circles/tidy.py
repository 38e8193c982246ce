"""Putting a circle folder in order after a sync engine made copies.

storycircle never changes a file once it is written, and names each after a
hash of its content, so two machines never write one name with different
bytes. A sync engine still makes a conflict copy when something else did
(a disk that damaged a file, a person editing one, a restore from a
backup): Syncthing keeps both as ``story-<hash>.age`` and
``story-<hash>.sync-conflict-<date>-<time>-<device>.age``, and either may be
the good one.

Tidying never deletes anything that could hold a story: each conflict copy,
and each circle file whose content no longer matches its name, is moved to
the name of its own content (where the next refresh checks and applies it
like any other file); only a file whose exact bytes already sit under that
name is removed, because it adds nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from storycircle.circles.folder import (
    FILE_NAME,
    KINDS,
    MAX_FILE_BYTES,
    SYNC_CONFLICT,
    file_name,
)
from storycircle.circles.service import CircleError
from storycircle.sanitize import sanitize_line
from storycircle.wording import counted, plural


def is_conflict_copy(name: str) -> bool:
    """Whether ``name`` is a sync engine's conflict copy (Syncthing's naming)."""
    return SYNC_CONFLICT.search(name) is not None


def matches_name(name: str, data: bytes) -> bool:
    """Whether a circle file's content is what its name says it is."""
    return name == file_name(name.split("-", 1)[0], data)


@dataclass
class TidyReport:
    """What tidying a folder did (or, on a dry run, would do).

    Attributes:
        removed: Copies whose exact bytes were already in the folder.
        renamed: ``(old name, new name)`` of files moved under their content's name.
        left: ``(name, reason)`` of files left as they are.
    """

    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a person."""
        if not (self.removed or self.renamed or self.left):
            return "Nothing to tidy."
        parts = []
        if self.removed:
            parts.append(f"{counted(len(self.removed), 'duplicate copy')} removed")
        if self.renamed:
            files = counted(len(self.renamed), "file")
            whose = plural(len(self.renamed), "its", "their")
            parts.append(f"{files} kept under the name of {whose} content")
        if self.left:
            parts.append(f"{len(self.left)} left as {plural(len(self.left), 'it is', 'they are')}")
        return ", ".join(parts) + "."


def _kind_of(name: str) -> str | None:
    kind = name.split("-", 1)[0]
    return kind if kind in KINDS else None


def _read(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_FILE_BYTES else None


class _Folder:
    """The folder as tidying leaves it: on disk, or imagined on a dry run."""

    def __init__(self, path: str, *, dry_run: bool) -> None:
        self.path = Path(path)
        self.dry_run = dry_run
        self.moved_in: dict[str, bytes] = {}
        self.moved_out: set[str] = set()

    def holds(self, name: str) -> bytes | None:
        if name in self.moved_in:
            return self.moved_in[name]
        if name in self.moved_out or not (self.path / name).exists():
            return None
        return _read(self.path / name)

    def has(self, name: str) -> bool:
        return name in self.moved_in or (name not in self.moved_out and (self.path / name).exists())

    def remove(self, name: str) -> None:
        self.moved_out.add(name)
        if not self.dry_run:
            os.unlink(self.path / name)

    def move(self, name: str, target: str, data: bytes) -> None:
        self.moved_out.add(name)
        self.moved_in[target] = data
        if not self.dry_run:
            os.rename(self.path / name, self.path / target)


def tidy_folder(folder: str, *, dry_run: bool = False) -> TidyReport:
    """Move conflict copies and changed files under their content's name; drop exact duplicates.

    Changed files are moved first, so a conflict copy can then take back the
    name it was written under.

    Args:
        folder: The circle folder.
        dry_run: Only say what would be done.

    Raises:
        CircleError: the folder cannot be read.
    """
    report = TidyReport()
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError as error:
        raise CircleError(f"the circle folder cannot be read ({error.strerror or error})") from None
    view = _Folder(folder, dry_run=dry_run)
    conflicts = [n for n in names if not n.startswith(".") and is_conflict_copy(n)]
    circle_files = [n for n in names if FILE_NAME.match(n)]
    for name in circle_files + conflicts:
        shown = sanitize_line(name)
        path = Path(folder) / name
        kind = _kind_of(name)
        if path.is_symlink() or not path.is_file() or kind is None:
            report.left.append((shown, "not a circle file"))
            continue
        data = _read(path)
        if data is None:
            report.left.append((shown, "could not be read, or larger than any circle file"))
            continue
        if not is_conflict_copy(name) and matches_name(name, data):
            continue  # in order
        target = file_name(kind, data)
        if view.has(target):
            if view.holds(target) == data:
                report.removed.append(shown)
                view.remove(name)
            else:
                report.left.append((shown, "another file already has its name"))
            continue
        report.renamed.append((shown, target))
        view.move(name, target, data)
    return report
