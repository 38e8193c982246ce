"""Where an unlocked session listens, who may talk to it, and how a message looks.

Shared by the session process (:mod:`storycircle.cli.agent`) and the commands
that talk to it (:mod:`storycircle.cli.agent_client`). Nothing here holds a key.

- The socket lives in a private runtime folder: ``$XDG_RUNTIME_DIR/storycircle``
  when that folder is usable, else ``<tmp>/storycircle-<uid>``; either is
  created ``0700`` and refused when it is a symlink or another user's.
- One socket per installation and member, so two data folders
  (``STORYCIRCLE_HOME``) or two members never share a session.
- A message is one line of JSON, at most :data:`MAX_MESSAGE` bytes.
- Both ends check the other's uid with ``SO_PEERCRED``.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import tempfile
from pathlib import Path

from storycircle.errors import StorycircleError

MAX_MESSAGE = 4096
"""The longest request or answer line, in bytes (an answer carries two key lines)."""

SOCKET_SUFFIX = ".sock"
_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid


class SessionError(StorycircleError):
    """The session folder or socket cannot be used safely; the message says why."""


def _usable_base(base: str) -> bool:
    """True when ``$XDG_RUNTIME_DIR`` is an absolute folder of ours closed to others."""
    if not base or not os.path.isabs(base):
        return False
    try:
        info = os.lstat(base)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not stat.S_IMODE(info.st_mode) & 0o077
    )


def runtime_folder() -> Path:
    """The private folder of this user's session sockets (not created)."""
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if _usable_base(base):
        return Path(base) / "storycircle"
    return Path(tempfile.gettempdir()) / f"storycircle-{os.getuid()}"


def ensure_runtime_folder() -> Path:
    """Create the runtime folder ``0700``, or check the one there is ours.

    Raises:
        SessionError: it is a symlink, not a folder, or another user's (in a
            shared ``/tmp`` someone may have made it first to catch sessions).
    """
    folder = runtime_folder()
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as error:
        raise SessionError(f"cannot create {folder}: {error.strerror}") from None
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise SessionError(f"{folder} is not a folder; remove it and try again")
    if info.st_uid != os.getuid():
        raise SessionError(
            f"{folder} belongs to another user; no session was started. "
            "Remove it, or set XDG_RUNTIME_DIR to a private folder of yours"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        # Ours but open to others: close it before a socket goes in.
        os.chmod(folder, 0o700)
    return folder


def installation_tag(data_folder: Path) -> str:
    """A short name for an installation, from its data folder's real path."""
    real = os.path.realpath(data_folder)
    return hashlib.sha256(os.fsencode(real)).hexdigest()[:16]


def socket_path(folder: Path, data_folder: Path, member_id: str) -> Path:
    """The socket of ``member_id``'s session for the installation in ``data_folder``."""
    member = hashlib.sha256(member_id.encode("utf-8")).hexdigest()[:12]
    return folder / f"{installation_tag(data_folder)}-{member}{SOCKET_SUFFIX}"


def installation_sockets(folder: Path, data_folder: Path) -> list[Path]:
    """Every session socket of the installation in ``data_folder`` (none when no folder)."""
    prefix = installation_tag(data_folder) + "-"
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [folder / n for n in names if n.startswith(prefix) and n.endswith(SOCKET_SUFFIX)]


def peer_uid(connection: socket.socket) -> int:
    """The uid of the process at the other end of a Unix socket (``SO_PEERCRED``)."""
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CREDENTIALS.size)
    return int(_CREDENTIALS.unpack(raw)[1])


def same_user(uid: int) -> bool:
    """True when ``uid`` is this process's user: the only one a session serves."""
    return uid == os.getuid()


def send(connection: socket.socket, message: dict[str, object]) -> None:
    """Write one message as a line of JSON."""
    connection.sendall(json.dumps(message, separators=(",", ":")).encode("utf-8") + b"\n")


def receive(connection: socket.socket) -> dict[str, object]:
    """Read one message: a line of JSON holding an object.

    Raises:
        SessionError: the line is too long, cut short, or not a JSON object.
    """
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(MAX_MESSAGE + 1 - len(data))
        if not chunk:
            raise SessionError("the message ended before its end of line")
        data += chunk
        if len(data) > MAX_MESSAGE:
            raise SessionError(f"a message can be at most {MAX_MESSAGE} bytes")
    try:
        message = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise SessionError("the message is not JSON") from None
    if not isinstance(message, dict):
        raise SessionError("the message is not a JSON object")
    return message
