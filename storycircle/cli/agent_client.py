"""Talking to an unlocked session from a command: start it, ask it, end it.

See :mod:`storycircle.cli.agent` for the session itself and
:mod:`storycircle.cli.agent_socket` for where it listens. A command that finds no
live session falls back to asking for the passphrase; a socket left by a
session that died is removed on the way.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from storycircle.cli.agent_socket import (
    SessionError,
    ensure_runtime_folder,
    installation_sockets,
    peer_uid,
    receive,
    runtime_folder,
    same_user,
    send,
    socket_path,
)

DEFAULT_SECONDS = 15 * 60
MAX_SECONDS = 12 * 3600
_CONNECT_SECONDS = 2.0
_START_SECONDS = 15.0
_MAX_SOCKET_PATH = 108  # sun_path in struct sockaddr_un on Linux, with its final NUL
_UNITS = {"s": 1, "m": 60, "h": 3600}
_DURATION = re.compile(r"(\d+)([smh])")


@dataclass(frozen=True)
class SessionStatus:
    """A live session, as ``unlock --status`` shows it (no key).

    Attributes:
        pseudonym: Whose session it is.
        until: When it ends, in seconds since the epoch.
    """

    pseudonym: str
    until: float


def parse_duration(text: str) -> int:
    """Seconds in ``90s``, ``15m``, ``2h`` or ``1h30m``.

    Raises:
        SessionError: the form is not one of those, or it is over 12 hours.
    """
    compact = text.strip().lower().replace(" ", "")
    if not compact or _DURATION.sub("", compact):
        raise SessionError(f"{text!r} is not a duration; write it like 90s, 15m, 2h or 1h30m")
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _DURATION.findall(compact))
    if seconds < 1:
        raise SessionError("an unlocked session must last at least 1s")
    if seconds > MAX_SECONDS:
        raise SessionError(
            f"an unlocked session lasts at most {MAX_SECONDS // 3600}h; unlock again when it ends"
        )
    return seconds


def _ask(path: Path, request: dict[str, object]) -> dict[str, object] | None:
    """One request to the session at ``path``: its answer, or None when none is live.

    A socket nobody listens on any more (the session died) is removed.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(_CONNECT_SECONDS)
        try:
            connection.connect(os.fspath(path))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except ConnectionRefusedError:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        except OSError:
            return None
        try:
            # Only a session of our own user is trusted to hand us keys.
            if not same_user(peer_uid(connection)):
                return None
            send(connection, request)
            return receive(connection)
        except (OSError, SessionError):
            return None


def session_keys(data_folder: Path, member_id: str) -> bytes | None:
    """The member's key lines from their live session, or None when there is none."""
    path = socket_path(runtime_folder(), data_folder, member_id)
    if not path.exists():
        return None  # the common case costs one stat
    reply = _ask(path, {"op": "keys", "member": member_id})
    keys = reply.get("keys") if reply and reply.get("ok") is True else None
    return keys.encode("ascii", "replace") if isinstance(keys, str) else None


def session_status(path: Path) -> SessionStatus | None:
    """Who the session at ``path`` is for and until when, or None when it is not live."""
    reply = _ask(path, {"op": "status"})
    if reply is None or reply.get("ok") is not True:
        return None
    pseudonym, until = reply.get("pseudonym"), reply.get("until")
    if not isinstance(pseudonym, str) or not isinstance(until, int | float):
        return None
    return SessionStatus(pseudonym, float(until))


def installation_sessions(data_folder: Path) -> list[tuple[Path, SessionStatus]]:
    """The live sessions of this installation (any member); dead sockets are removed."""
    found = []
    for path in installation_sockets(runtime_folder(), data_folder):
        status = session_status(path)
        if status is not None:
            found.append((path, status))
    return found


def lock_path(path: Path) -> bool:
    """End the session at ``path``; True when one was live."""
    return _ask(path, {"op": "lock"}) is not None


def lock_member(data_folder: Path, member_id: str) -> bool:
    """End the member's session of this installation; True when one was live."""
    return lock_path(socket_path(runtime_folder(), data_folder, member_id))


def _agent_environment() -> dict[str, str]:
    """This environment, with the folder holding this ``storycircle`` package first."""
    # storycircle/cli/agent_client.py: three folders up is the one holding the package.
    package_parent = str(Path(__file__).resolve().parents[2])
    paths = [package_parent, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def start_session(
    data_folder: Path, member_id: str, pseudonym: str, keys: bytes, seconds: int
) -> None:
    """Start the member's session for ``seconds``, handing it the keys on a pipe.

    Raises:
        SessionError: the runtime folder is unsafe, or the session did not start.
    """
    import subprocess  # only here: every other command just asks a session

    folder = ensure_runtime_folder()
    path = socket_path(folder, data_folder, member_id)
    # The session binds ".<name>.<pid>" first: leave room for the dot and pid.
    if len(os.fsencode(path)) + 12 >= _MAX_SOCKET_PATH:
        raise SessionError(
            f"the runtime folder {folder} is too long a path for a socket; "
            "set XDG_RUNTIME_DIR to a shorter private folder"
        )
    lock_path(path)  # one session per member: a new unlock replaces the old
    order = {
        "socket": os.fspath(path),
        "seconds": seconds,
        "member": member_id,
        "pseudonym": pseudonym,
        "keys": keys.decode("ascii"),
    }
    process = subprocess.Popen(
        # -P: never import from the current folder, where a planted
        # storycircle/cli/agent.py would be handed the keys; the folder this
        # package came from goes first, so the session runs this same code.
        [sys.executable, "-P", "-m", "storycircle.cli.agent"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        cwd="/",
        env=_agent_environment(),
        start_new_session=True,  # not ended by the terminal closing or Ctrl-C
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(json.dumps(order).encode("ascii") + b"\n")
        process.stdin.close()
        ready = process.stdout.readline()
    except OSError:
        ready = b""
    finally:
        del order
    process.stdout.close()
    if ready.strip() != b"ready":
        with contextlib.suppress(OSError):
            process.kill()
        process.wait(timeout=_START_SECONDS)
        raise SessionError("the unlocked session did not start; nothing was kept")
    # The session carries on alone; Popen must not reap or warn about it.
    process.returncode = 0
