"""The one way storycircle replaces a small file: written aside, synced, then moved in.

Settings, the kiosk's PIN hash and circle files are all replaced this way, so
that a crash or a full disk leaves either the old file or the new one, never
half of one, and a reader (or a sync engine) never sees a partial file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_MODE = 0o600
"""Files only their owner may read or write."""


def write_atomically(
    path: Path, data: bytes, *, mode: int = PRIVATE_MODE, temporary_name: str = ""
) -> None:
    """Replace ``path`` with ``data`` in one step, created with ``mode``.

    Args:
        path: The file to create or replace.
        data: Its new contents.
        mode: Its permissions, set on the open file so the umask cannot widen
            or narrow them.
        temporary_name: The name, in the same folder, to write under first
            (a fresh hidden name when empty). A circle folder passes a name its
            sync engine is known to ignore.

    Raises:
        OSError: the file could not be written; ``path`` is as it was and the
            temporary file is gone.
    """
    temporary = path.with_name(temporary_name or f".{path.name}.{secrets.token_hex(6)}.new")
    try:
        # O_EXCL: never write through a file (or link) someone else put there.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
