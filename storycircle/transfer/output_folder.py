"""A folder an export writes into, and only into; and the safe file names it uses.

The folder is opened once and each file is created relative to it
(``dir_fd``) with ``O_EXCL | O_NOFOLLOW``, under a slug of a title, never the
title taken raw. Kept apart from :mod:`storycircle.transfer.exporting` so each
stays short; collections and curators write through it too.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import unicodedata
from pathlib import Path

from storycircle.errors import StorycircleError

__all__ = ["MAX_SLUG_LENGTH", "OutputFolder", "slugify", "unique_name"]

MAX_SLUG_LENGTH = 60

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Names Windows will not create; a folder copied there must still work.
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)]
)


def slugify(text: str, *, max_length: int = MAX_SLUG_LENGTH, fallback: str = "story") -> str:
    """Derive a safe, ASCII file-name stem from a title.

    NFKC then NFKD with marks dropped turns ``Ｃafé`` into ``cafe``; anything
    that is not a letter or digit becomes one hyphen. The result can never
    hold a path separator, ``..`` or a leading dot.

    Args:
        text: A title (untrusted).
        max_length: Longest stem.
        fallback: Stem used when nothing usable is left (e.g. all emoji).

    Returns:
        A non-empty stem of ``[a-z0-9-]``.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    slug = _NOT_SLUG.sub("-", folded).strip("-")
    if len(slug) > max_length:
        # Cut at a hyphen (between words) when there is one, never inside a word.
        head = slug[: max_length + 1]
        slug = head[: head.rindex("-")] if "-" in head else slug[:max_length]
    slug = slug.rstrip("-") or fallback
    return f"{slug}-story" if slug in _RESERVED else slug


def unique_name(stem: str, used: set[str], suffix: str = ".md") -> str:
    """Return ``stem + suffix``, numbered ``-2``, ``-3``... if already used, and record it.

    Names are compared case-insensitively, as on macOS and Windows.
    """
    name, number = stem + suffix, 1
    while name.casefold() in used:
        number += 1
        name = f"{stem}-{number}{suffix}"
    used.add(name.casefold())
    return name


class OutputFolder:
    """A new or empty folder that files are created in, and only in.

    Use as a context manager: on an exception, every file written is removed
    (and the folder too, if this created it).
    """

    def __init__(self, path: Path, *, private: bool = True, existing: bool = False) -> None:
        """Prepare to write into ``path``; nothing happens until ``__enter__``.

        Args:
            path: The folder.
            private: Files 0600 and folder 0700, else 0644 and 0755.
            existing: Add files to an existing folder that need not be empty
                (new names only) instead of requiring a new or empty one.
        """
        self.path = path
        self._private = private
        self._existing = existing
        self._fd = -1
        self._created = False
        self.written: list[str] = []

    def __enter__(self) -> OutputFolder:
        """Create or check the folder and open it.

        Raises:
            StorycircleError: a symbolic link, a file, a folder that is not
                empty, or one that cannot be created.
        """
        path = self.path
        if path.is_symlink():
            raise StorycircleError(f"{path} is a symbolic link; choose a new or empty folder")
        try:
            if path.exists():
                if not path.is_dir():
                    raise StorycircleError(f"{path} is a file; choose a new or empty folder")
                if not self._existing and any(path.iterdir()):
                    raise StorycircleError(f"{path} is not empty; choose a new or empty folder")
            elif self._existing:
                raise StorycircleError(f"there is no folder {path}")
            else:
                path.mkdir(parents=True, mode=0o700 if self._private else 0o755)
                self._created = True
            if self._private and not self._existing:
                path.chmod(0o700)
            flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
            self._fd = os.open(path, flags)
        except OSError as error:
            raise StorycircleError(f"cannot write to {path}: {error.strerror}") from None
        return self

    def write(self, name: str, data: bytes) -> None:
        """Create the file ``name`` in the folder; an existing name is an error.

        Raises:
            StorycircleError: the name is not a plain file name, or the write failed.
        """
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise StorycircleError("refusing to write a file outside the export folder")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(name, flags, 0o600 if self._private else 0o644, dir_fd=self._fd)
        except OSError as error:
            raise StorycircleError(f"cannot create {name}: {error.strerror}") from None
        self.written.append(name)
        with os.fdopen(fd, "wb") as handle:
            if self._private and stat.S_IMODE(os.fstat(handle.fileno()).st_mode) & 0o077:
                os.fchmod(handle.fileno(), 0o600)
            handle.write(data)

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        """Close the folder; after an error, remove what was written."""
        if error is not None and self._fd >= 0:
            for name in self.written:
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=self._fd)
            if self._created:
                with contextlib.suppress(OSError):
                    self.path.rmdir()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
