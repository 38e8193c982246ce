"""Where storycircle keeps its data, and the checks that the place is safe.

The folder comes from ``STORYCIRCLE_HOME`` when set (tests and kiosks use it),
otherwise from the platform's data directory (``~/.local/share/storycircle``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from storycircle.errors import DataDirError

DATABASE_NAME = "storycircle.db"
CONFIG_NAME = "config.toml"


def data_dir() -> Path:
    """Return the data folder path (not created)."""
    home = os.environ.get("STORYCIRCLE_HOME")
    if home:
        return Path(home).expanduser()
    return Path(platformdirs.user_data_dir("storycircle", appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` as a private folder (0700) or check an existing one.

    Raises:
        DataDirError: the path is not a folder, is owned by someone else, or
            cannot be written. The message names the folder and what to do.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except PermissionError:
        raise DataDirError(f"cannot create the data folder {path}: permission denied") from None
    except OSError as error:
        raise DataDirError(f"cannot use the data folder {path}: {error.strerror}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise DataDirError(f"{path} is not a folder")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise DataDirError(
            f"the data folder {path} belongs to another user; "
            "set STORYCIRCLE_HOME to a folder of your own"
        )
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirError(f"the data folder {path} is read-only; nothing can be saved there")
    if stat.S_IMODE(info.st_mode) & 0o077:
        # Another local user must not be able to list or read the folder.
        path.chmod(0o700)
    return path
