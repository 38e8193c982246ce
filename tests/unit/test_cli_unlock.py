"""``storycircle unlock`` / ``lock``: the unlocked session, run as separate processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycircle.cli import agent as cli_agent
from storycircle.cli import agent_socket
from storycircle.cli.agent_client import parse_duration
from storycircle.cli.agent_socket import SessionError, receive, send
from storycircle.journal.members import find_member, key_lines, unlock
from storycircle.kiosk.policy import save_pin
from storycircle.store import Store
from tests.support.cli import Cli
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR

NOBODY = 65534


class SessionCli(Cli):
    """The command line with its own runtime folder (where session sockets go)."""

    def __init__(self, home: Path, runtime: Path) -> None:
        super().__init__(home)
        self.runtime = runtime

    def env(self) -> dict[str, str]:
        env = super().env()
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        return env

    @property
    def folder(self) -> Path:
        return self.runtime / "storycircle"

    def sockets(self) -> list[Path]:
        return sorted(self.folder.glob("*.sock")) if self.folder.is_dir() else []


@pytest.fixture
def sc() -> Iterator[SessionCli]:
    # A short path: a Unix socket path must fit in 108 bytes.
    root = Path(tempfile.mkdtemp(prefix="sc-"))
    home, runtime = root / "home", root / "run"
    home.mkdir(mode=0o700)
    runtime.mkdir(mode=0o700)
    (home / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    cli = SessionCli(home, runtime)
    assert cli("init", "--pseudonym", "river", passphrases=(PASSPHRASE,)).returncode == 0
    yield cli
    cli("lock")
    shutil.rmtree(root, ignore_errors=True)


def _unlocked(sc: SessionCli, duration: str = "5m") -> None:
    done = sc("unlock", "--for", duration, passphrases=(PASSPHRASE,))
    assert done.returncode == 0, done.stderr
    assert "Unlocked river until" in done.stdout


def _asks_for_passphrase(done: subprocess.CompletedProcess[str]) -> bool:
    return done.returncode == 1 and "no terminal to ask for the passphrase" in done.stderr


def test_without_a_session_a_verb_asks_for_the_passphrase(sc: SessionCli) -> None:
    assert _asks_for_passphrase(sc("list"))


def test_after_unlock_verbs_need_no_passphrase(sc: SessionCli) -> None:
    _unlocked(sc)
    saved = sc("write", "Slept well for once", "--tag", "sleep")
    assert saved.returncode == 0, saved.stderr
    listed = sc("list", "-n", "1")
    assert listed.returncode == 0 and "Slept well for once" in listed.stdout
    story_id = listed.stdout.split()[0]
    read = sc("read", story_id[:6])
    assert read.returncode == 0 and "#sleep" in read.stdout
    found = sc("search", "slept")
    assert found.returncode == 0 and story_id in found.stdout
    status = sc("unlock", "--status")
    assert status.returncode == 0 and status.stdout.startswith("river: unlocked until")


def test_folder_and_socket_are_private(sc: SessionCli) -> None:
    _unlocked(sc)
    assert stat.S_IMODE(os.lstat(sc.folder).st_mode) == 0o700
    [path] = sc.sockets()
    info = os.lstat(path)
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    assert info.st_uid == os.getuid()


def test_lock_ends_the_session(sc: SessionCli) -> None:
    _unlocked(sc)
    assert sc("list").returncode == 0
    locked = sc("lock")
    assert locked.returncode == 0 and "1 session ended" in locked.stdout
    assert sc.sockets() == []  # gone before `lock` had its answer
    assert _asks_for_passphrase(sc("list"))
    status = sc("unlock", "--status")
    assert status.returncode == 1 and "No unlocked session" in status.stdout


def test_the_session_expires(sc: SessionCli) -> None:
    _unlocked(sc, "2s")
    assert sc("list").returncode == 0
    for _ in range(100):  # the session removes its socket when it ends
        if not sc.sockets():
            break
        time.sleep(0.1)
    assert sc.sockets() == []
    assert _asks_for_passphrase(sc("list"))


def test_a_kiosk_never_starts_a_session(sc: SessionCli) -> None:
    save_pin(sc.home, "circle-2468", work_factor=TEST_WORK_FACTOR)
    done = sc("unlock", passphrases=(PASSPHRASE,))
    assert done.returncode == 1
    assert "kiosk" in done.stderr and "not available" in done.stderr
    assert "Traceback" not in done.stderr
    assert sc.sockets() == []


def test_a_kiosk_ignores_a_session_from_before_its_setup(sc: SessionCli) -> None:
    _unlocked(sc)
    save_pin(sc.home, "circle-2468", work_factor=TEST_WORK_FACTOR)
    assert _asks_for_passphrase(sc("list"))


def test_an_explicit_passphrase_fd_is_still_read(sc: SessionCli) -> None:
    _unlocked(sc)
    wrong = sc("list", passphrases=("not the passphrase at all",))
    assert wrong.returncode == 1 and "does not unlock" in wrong.stderr


def test_a_wrong_passphrase_starts_nothing(sc: SessionCli) -> None:
    done = sc("unlock", passphrases=("not the passphrase at all",))
    assert done.returncode == 1 and "does not unlock" in done.stderr
    assert sc.sockets() == []


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("2h", 7200), ("1h30m", 5400), ("12h", 43200)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [("13h", "at most 12h"), ("15", "like 90s"), ("soon", "like 90s"), ("0s", "at least")],
)
def test_bad_durations_are_refused(text: str, message: str) -> None:
    with pytest.raises(SessionError, match=message):
        parse_duration(text)


def test_a_duration_over_the_cap_is_one_clear_line(sc: SessionCli) -> None:
    done = sc("unlock", "--for", "2d", passphrases=(PASSPHRASE,))
    assert done.returncode == 1 and "like 90s, 15m, 2h" in done.stderr
    done = sc("unlock", "--for", "24h", passphrases=(PASSPHRASE,))
    assert done.returncode == 1 and "at most 12h" in done.stderr
    assert sc.sockets() == []


def _member_keys(sc: SessionCli) -> str:
    store = Store.open(sc.home / "storycircle.db")
    try:
        return key_lines(unlock(find_member(store, "river"), PASSPHRASE)).decode()
    finally:
        store.close()


def test_the_keys_are_in_no_argv_environment_or_file(sc: SessionCli) -> None:
    _unlocked(sc)
    secret = _member_keys(sc).split()[0]  # the AGE-SECRET-KEY-1… line
    assert secret.startswith("AGE-SECRET-KEY-1")
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            for name in ("cmdline", "environ"):
                try:
                    data = (proc / name).read_bytes()
                except OSError:
                    continue
                assert secret.encode() not in data, (proc.name, name)
    for root in (sc.home, sc.runtime):
        for path in root.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path


def _request(path: Path, raw: bytes) -> dict[str, object]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(5)
        client.connect(os.fspath(path))
        client.sendall(raw)
        client.shutdown(socket.SHUT_WR)
        return receive(client)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json\n", "not JSON"),
        (b"[1, 2]\n", "not a JSON object"),
        (b'{"op": "open sesame"}\n', "unknown request"),
        (b'{"op": "keys", "member": "someone else"}\n', "another member"),
        (b'{"op": "status"', "ended before"),
        (b"\xff\xfe\n", "not JSON"),
        (b"x" * 5000 + b"\n", "at most"),
    ],
)
def test_malformed_requests_get_an_error_and_the_session_lives(
    sc: SessionCli, raw: bytes, message: str
) -> None:
    _unlocked(sc)
    [path] = sc.sockets()
    reply = _request(path, raw)
    assert reply["ok"] is False and message in str(reply["error"])
    assert "keys" not in reply
    assert sc("list").returncode == 0  # still serving


def test_a_stale_socket_is_cleared(sc: SessionCli) -> None:
    _unlocked(sc)
    [path] = sc.sockets()
    assert sc("lock").returncode == 0
    # A session killed with no chance to clean up leaves a socket nobody hears.
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(os.fspath(path))
    dead.close()
    assert sc.sockets() == [path]
    assert _asks_for_passphrase(sc("list"))
    assert sc.sockets() == []
    _unlocked(sc)
    assert sc("list").returncode == 0


def test_two_installations_do_not_share_a_session(sc: SessionCli, tmp_path: Path) -> None:
    _unlocked(sc)
    other_home = Path(tempfile.mkdtemp(prefix="sc2-"))
    try:
        other = SessionCli(other_home, sc.runtime)
        (other_home / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
        assert other("init", "--pseudonym", "river", passphrases=(PASSPHRASE,)).returncode == 0
        assert _asks_for_passphrase(other("list"))
        assert sc("list").returncode == 0
    finally:
        shutil.rmtree(other_home, ignore_errors=True)


def _connect_as_nobody(path: Path) -> str:
    """Try to ask the session for keys from a child running as ``nobody``; what it got."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        outcome = b"?"
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(5)
                client.connect(os.fspath(path))
                # The session answers a stranger at once, before any request.
                outcome = client.recv(4096) or b"closed"
        except PermissionError:
            outcome = b"permission denied"
        except BaseException as error:  # reported to the parent, whatever it is
            outcome = repr(error).encode()
        finally:
            os.write(write_end, outcome)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        got = reader.read()
    os.waitpid(pid, 0)
    return got.decode("utf-8", "replace")


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to run a child as another user")
def test_another_user_is_kept_out_by_the_folder(sc: SessionCli) -> None:
    _unlocked(sc)
    [path] = sc.sockets()
    os.chmod(sc.runtime.parent, 0o755)  # the test's folders; the session folder stays 0700
    os.chmod(sc.runtime, 0o755)
    assert _connect_as_nobody(path) == "permission denied"


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to run a child as another user")
def test_another_user_is_refused_by_the_session_itself(sc: SessionCli) -> None:
    _unlocked(sc)
    [path] = sc.sockets()
    # Open every door the files give, so only the session's own peer check is left.
    os.chmod(sc.runtime.parent, 0o755)
    os.chmod(sc.runtime, 0o755)
    os.chmod(sc.folder, 0o755)
    os.chmod(path, 0o666)
    got = _connect_as_nobody(path)
    assert "refused" in got and "river" not in got and "AGE-SECRET" not in got
    # An XDG_RUNTIME_DIR open to others is not used: close it again to find the session.
    os.chmod(sc.runtime, 0o700)
    assert sc("list").returncode == 0  # the session carries on for its own user


def test_the_peer_check_refuses_another_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    held = cli_agent.Held("m1", "river", "AGE-SECRET-KEY-1TEST", time.time() + 60, 1e12)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with ours, theirs:
        monkeypatch.setattr(cli_agent, "peer_uid", lambda _connection: NOBODY)
        send(theirs, {"op": "keys", "member": "m1"})
        assert cli_agent.serve_one(ours, held) is False
        reply = receive(theirs)
    assert reply["ok"] is False and "refused" in str(reply["error"])
    assert agent_socket.same_user(os.getuid()) and not agent_socket.same_user(NOBODY)


def test_the_runtime_folder_must_be_ours_and_not_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again
    try:
        folder = agent_socket.runtime_folder()
        assert folder == tmp_path / f"storycircle-{os.getuid()}"
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        folder.symlink_to(elsewhere)
        with pytest.raises(SessionError, match="not a folder"):
            agent_socket.ensure_runtime_folder()
        folder.unlink()
        folder.mkdir(mode=0o755)
        if os.getuid() == 0:
            os.chown(folder, NOBODY, NOBODY)
            with pytest.raises(SessionError, match="another user"):
                agent_socket.ensure_runtime_folder()
            os.chown(folder, 0, 0)
        assert agent_socket.ensure_runtime_folder() == folder
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # closed when it was ours
    finally:
        tempfile.tempdir = None


def test_the_session_process_cannot_be_dumped_or_traced() -> None:
    code = (
        "import ctypes, resource\n"
        "from storycircle.cli.agent import _harden\n"
        "_harden()\n"
        "print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0), resource.getrlimit(resource.RLIMIT_CORE))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        timeout=60,
    )
    assert done.stdout.split() == ["0", "(0,", "0)"], done.stderr  # PR_GET_DUMPABLE is 0


def test_the_session_never_runs_code_from_the_current_folder(sc: SessionCli) -> None:
    planted = sc.runtime.parent / "planted"
    (planted / "storycircle").mkdir(parents=True)
    marker = planted / "stolen"
    (planted / "storycircle" / "__init__.py").write_text("")
    (planted / "storycircle" / "cli_agent.py").write_text(
        "import sys\n"
        f"open({str(marker)!r}, 'wb').write(sys.stdin.buffer.read())\n"
        "print('ready', flush=True)\n"
    )
    read_fd, write_fd = os.pipe()
    os.write(write_fd, (PASSPHRASE + "\n").encode())
    os.close(write_fd)
    try:
        # -P: the command itself comes from this checkout, as an installed one would.
        done = subprocess.run(
            [sys.executable, "-P", "-m", "storycircle", "unlock", "--passphrase-fd", str(read_fd)],
            cwd=planted,
            capture_output=True,
            text=True,
            env=sc.env(),
            pass_fds=(read_fd,),
            timeout=60,
        )
    finally:
        os.close(read_fd)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert sc("list").returncode == 0


def test_a_runtime_folder_too_long_for_a_socket_is_one_clear_line(sc: SessionCli) -> None:
    deep = sc.runtime / ("d" * 90)
    deep.mkdir(mode=0o700)
    sc.runtime = deep
    done = sc("unlock", passphrases=(PASSPHRASE,))
    assert done.returncode == 1 and "too long a path for a socket" in done.stderr
    assert "Traceback" not in done.stderr


def _session_pids(sc: SessionCli) -> list[int]:
    """The session processes started for this test (by their runtime folder)."""
    mark = f"XDG_RUNTIME_DIR={sc.runtime}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if b"storycircle.cli.agent" not in (proc / "cmdline").read_bytes():
                continue
            if mark in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _gone(pid: int) -> bool:
    for _ in range(150):
        state = Path(f"/proc/{pid}/stat")
        try:
            if state.read_text().split(") ")[1].startswith("Z"):
                return True  # ended; its parent (the finished `unlock`) is gone too
        except (OSError, IndexError):
            return True
        time.sleep(0.1)
    return False


def test_the_session_ends_when_its_socket_is_removed(sc: SessionCli) -> None:
    _unlocked(sc)
    [pid] = _session_pids(sc)
    [path] = sc.sockets()
    path.unlink()
    assert _gone(pid)


def test_the_session_ends_on_sigterm_and_removes_its_socket(sc: SessionCli) -> None:
    _unlocked(sc)
    [pid] = _session_pids(sc)
    os.kill(pid, signal.SIGTERM)
    assert _gone(pid)
    assert sc.sockets() == []
    assert _asks_for_passphrase(sc("list"))
