"""The unlocked session: a small process that keeps one member's keys in memory.

``storycircle unlock`` starts it as ``python -m storycircle.cli.agent`` and
hands it, on its standard input (never argv, the environment or a file), one
line of JSON: the socket path, how long to live, the member and their key
lines (:func:`storycircle.journal.members.key_lines`). It answers ``ready`` on its
standard output once it listens, then serves one request per connection:

- ``{"op": "keys", "member": ID}``: the key lines, so a command opens the
  journal without a passphrase or scrypt;
- ``{"op": "status"}``: who and until when (no key);
- ``{"op": "lock"}``: the session ends.

Only connections from this user are served (``SO_PEERCRED``); the socket is
``0600`` in a ``0700`` folder. A malformed request gets an error answer and
the session carries on. At expiry, on ``lock``, on SIGTERM/SIGHUP/SIGINT or
when its socket is removed, it removes its socket and exits. It writes no log
and its standard error goes nowhere, so no key can reach a terminal or file.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import select
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from storycircle.cli.agent_socket import (
    MAX_MESSAGE,
    SessionError,
    peer_uid,
    receive,
    same_user,
    send,
)

REQUEST_SECONDS = 2.0
"""How long one client may take to send its request before it is dropped."""

_CHECK_SECONDS = 5.0
"""How often the session checks that its socket is still there."""

_PR_SET_DUMPABLE = 4


@dataclass(frozen=True, repr=False)
class Held:
    """What the session holds. ``repr`` shows no key.

    Attributes:
        member: The member id the session is for.
        pseudonym: Their pseudonym, for ``status``.
        keys: The member's key lines.
        until: When the session ends, in seconds since the epoch (for people).
        deadline: The same moment on the monotonic clock (what is obeyed).
    """

    member: str
    pseudonym: str
    keys: str
    until: float
    deadline: float

    def __repr__(self) -> str:
        return f"Held(member={self.member!r})"


def answer(held: Held, request: dict[str, object]) -> tuple[dict[str, object], bool]:
    """The answer to one request, and whether the session should end after it."""
    op = request.get("op")
    if op == "keys":
        # The member is checked so that a mixed-up path never opens a
        # journal with another member's keys (they would not match anyway).
        if request.get("member") != held.member:
            return {"ok": False, "error": "this session is for another member"}, False
        return {"ok": True, "keys": held.keys, "until": held.until}, False
    if op == "status":
        return {"ok": True, "pseudonym": held.pseudonym, "until": held.until}, False
    if op == "lock":
        return {"ok": True}, True
    return {"ok": False, "error": "unknown request; expected keys, status or lock"}, False


def serve_one(
    connection: socket.socket, held: Held, closing: Callable[[], None] = lambda: None
) -> bool:
    """Serve one connection; True when the session should end.

    Another user's connection is refused before anything is read. Nothing is
    raised: a broken client must never end or stall the session. ``closing``
    runs before the answer to ``lock`` is sent, so that once ``storycircle
    lock`` has its answer the socket is already gone.
    """
    try:
        connection.settimeout(REQUEST_SECONDS)
        if not same_user(peer_uid(connection)):
            send(connection, {"ok": False, "error": "refused: another user's session"})
            return False
        try:
            request = receive(connection)
        except SessionError as error:
            send(connection, {"ok": False, "error": str(error)})
            return False
        reply, end = answer(held, request)
        if end:
            closing()
        send(connection, reply)
        return end
    except OSError:  # the client went away or was too slow
        return False


def _still_ours(path: Path, inode: int) -> bool:
    try:
        return os.lstat(path).st_ino == inode
    except OSError:
        return False


def _remove(path: Path, inode: int) -> None:
    """Remove the socket at ``path`` if it is still this session's (not a newer one's)."""
    if _still_ours(path, inode):
        with contextlib.suppress(OSError):
            os.unlink(path)


def serve(listener: socket.socket, path: Path, held: Held) -> None:
    """Answer requests until the session expires, is locked, or loses its socket."""
    inode = os.lstat(path).st_ino
    while True:
        left = held.deadline - time.monotonic()
        if left <= 0 or not _still_ours(path, inode):
            return
        ready, _, _ = select.select([listener], [], [], min(left, _CHECK_SECONDS))
        if not ready:
            continue
        try:
            connection, _ = listener.accept()
        except OSError:
            continue
        with connection:
            if serve_one(connection, held, lambda: _remove(path, inode)):
                return


def listen(path: Path) -> socket.socket:
    """Listen on a ``0600`` socket at ``path``, replacing a dead session's socket.

    The socket is bound and listening under a temporary name first and then
    renamed into place, so a command never finds it there but refusing
    connections (which it would take for a dead session's, and remove).
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)
    try:
        listener.bind(os.fspath(temporary))
    finally:
        os.umask(old_mask)
    os.chmod(temporary, 0o600)
    listener.listen(8)
    os.replace(temporary, path)  # a live session was asked to lock first
    return listener


def _harden() -> None:
    """No core dump and no ptrace from this user's other processes, where Linux allows."""
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _read_order() -> tuple[Path, Held]:
    """The one line ``storycircle unlock`` wrote on standard input."""
    line = sys.stdin.buffer.readline(MAX_MESSAGE + 1)
    order = json.loads(line)
    seconds = float(order["seconds"])
    held = Held(
        member=str(order["member"]),
        pseudonym=str(order["pseudonym"]),
        keys=str(order["keys"]),
        until=time.time() + seconds,
        deadline=time.monotonic() + seconds,
    )
    return Path(str(order["socket"])), held


def main() -> int:
    """Run the session; the exit status says whether it started."""
    _harden()
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, _stop)
    try:
        path, held = _read_order()
        listener = listen(path)
    except Exception:  # the order may hold keys: never print it, say only that it failed
        sys.stdout.write("failed\n")
        return 1
    sys.stdin.close()
    inode = os.lstat(path).st_ino
    try:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        sys.stdout.close()
        os.chdir("/")
        serve(listener, path, held)
    finally:
        listener.close()
        _remove(path, inode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
