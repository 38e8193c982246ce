"""Two real Syncthing daemons on loopback, for the circle-over-sync tests.

Each daemon gets its own home folder, a configuration written here from
scratch (so no default of the packaged Syncthing can reach the network), and
one shared folder. Everything that could talk to anything but the other
daemon is off: global and local discovery, relays, NAT traversal, usage and
crash reporting, automatic upgrades. Both listen on 127.0.0.1 only, on ports
picked free by the kernel. Each daemon is stopped by its PID, even when a test
fails (the fixture's finaliser).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

FOLDER_ID = "circle"
API_KEY = "storycircle-test-api-key"

# Syncthing's own hop between two daemons is about a second; a test waits far
# longer before it calls something lost.
DEFAULT_TIMEOUT = 60.0


def syncthing_binary() -> str | None:
    """Where the Debian package put ``syncthing``, or None."""
    return shutil.which("syncthing")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _loopback_is_up() -> bool:
    """Inside ``unshare -n`` the loopback interface starts down."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            probe.listen(1)
            port = probe.getsockname()[1]
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return True
    except OSError:
        return False


def ensure_loopback() -> None:
    """Bring ``lo`` up when the test runs in a fresh network namespace."""
    if _loopback_is_up():
        return
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False, capture_output=True)
    if not _loopback_is_up():
        raise RuntimeError("the loopback interface is down and cannot be brought up")


@dataclass
class Daemon:
    """One Syncthing instance: its home, its shared folder and its process."""

    name: str
    home: Path
    folder: Path
    device_id: str
    listen_port: int
    gui_port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.home / "syncthing.log"

    def write_config(self, peer: Daemon) -> None:
        """Write a configuration that knows only ``peer``, on loopback."""
        devices = []
        for device in (self, peer):
            devices.append(
                f'<device id="{device.device_id}" name="{device.name}" compression="metadata"'
                ' introducer="false">'
                f"<address>tcp://127.0.0.1:{device.listen_port}</address>"
                "<paused>false</paused><autoAcceptFolders>false</autoAcceptFolders>"
                "</device>"
            )
        folder_devices = "".join(f'<device id="{d.device_id}"></device>' for d in (self, peer))
        config = f"""<configuration version="36">
    <folder id="{FOLDER_ID}" label="circle" path="{escape(str(self.folder))}" type="sendreceive"
            rescanIntervalS="5" fsWatcherEnabled="true" fsWatcherDelayS="1"
            ignorePerms="false" autoNormalize="true">
        <filesystemType>basic</filesystemType>
        {folder_devices}
        <minDiskFree unit="%">0</minDiskFree>
        <markerName>.stfolder</markerName>
        <maxConflicts>10</maxConflicts>
    </folder>
    {"".join(devices)}
    <gui enabled="true" tls="false">
        <address>127.0.0.1:{self.gui_port}</address>
        <apikey>{API_KEY}</apikey>
    </gui>
    <options>
        <listenAddress>tcp://127.0.0.1:{self.listen_port}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <startBrowser>false</startBrowser>
        <urAccepted>-1</urAccepted>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <crashReportingEnabled>false</crashReportingEnabled>
        <reconnectionIntervalS>1</reconnectionIntervalS>
        <stunServer></stunServer>
        <announceLANAddresses>false</announceLANAddresses>
        <minHomeDiskFree unit="%">0</minHomeDiskFree>
        <setLowPriority>false</setLowPriority>
    </options>
</configuration>
"""
        (self.home / "config.xml").write_text(config, encoding="utf-8")

    def start(self) -> None:
        """Start the daemon in the background (it is stopped by PID later)."""
        binary = syncthing_binary()
        assert binary is not None
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "STNOUPGRADE": "1",
            "STNORESTART": "1",
        }
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                binary,
                "serve",
                f"--home={self.home}",
                "--no-browser",
                "--no-restart",
                "--no-upgrade",
                "--skip-port-probing",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        log.close()
        self.wait_for_api()

    def stop(self, *, kill: bool = False) -> None:
        """Stop the daemon by PID: SIGTERM (or SIGKILL), then wait."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)

    def api(self, method: str, path: str) -> object:
        """Call the daemon's REST API on loopback and decode its JSON answer."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.gui_port}{path}",
            method=method,
            headers={"X-API-Key": API_KEY},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None

    def wait_for_api(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the REST API answers (the daemon has started)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"syncthing {self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                self.api("GET", "/rest/system/ping")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        raise TimeoutError(f"syncthing {self.name} did not start")

    def pause_peer(self, peer: Daemon) -> None:
        """Stop exchanging files with ``peer`` (both keep running)."""
        self.api("POST", f"/rest/system/pause?device={peer.device_id}")

    def resume_peer(self, peer: Daemon) -> None:
        """Exchange files with ``peer`` again."""
        self.api("POST", f"/rest/system/resume?device={peer.device_id}")

    def connected_to(self, peer: Daemon) -> bool:
        """Whether this daemon holds a live connection to ``peer``."""
        answer = self.api("GET", "/rest/system/connections")
        assert isinstance(answer, dict)
        state = answer.get("connections", {}).get(peer.device_id, {})
        return bool(state.get("connected"))

    def rescan(self) -> None:
        """Ask for a scan now instead of waiting for the watcher."""
        self.api("POST", f"/rest/db/scan?folder={FOLDER_ID}")


def device_id_of(home: Path) -> str:
    """Generate a key pair in ``home`` and return its device ID."""
    binary = syncthing_binary()
    assert binary is not None
    subprocess.run(
        [binary, "generate", f"--home={home}", "--no-default-folder"],
        check=True,
        capture_output=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)},
    )
    shown = subprocess.run(
        [binary, "serve", f"--home={home}", "--device-id"],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)},
    )
    return shown.stdout.strip()


class SyncthingPair:
    """Two daemons, ``left`` and ``right``, sharing one folder on loopback."""

    def __init__(self, root: Path) -> None:
        self.daemons: list[Daemon] = []
        for name in ("left", "right"):
            home = root / f"syncthing-{name}"
            folder = root / f"folder-{name}"
            home.mkdir(parents=True)
            folder.mkdir(parents=True)
            self.daemons.append(
                Daemon(
                    name=name,
                    home=home,
                    folder=folder,
                    device_id=device_id_of(home),
                    listen_port=free_port(),
                    gui_port=free_port(),
                )
            )
        left, right = self.daemons
        left.write_config(right)
        right.write_config(left)

    @property
    def left(self) -> Daemon:
        """The first machine's daemon."""
        return self.daemons[0]

    @property
    def right(self) -> Daemon:
        """The second machine's daemon."""
        return self.daemons[1]

    def start(self) -> None:
        """Start both daemons and wait until they are connected."""
        for daemon in self.daemons:
            daemon.start()
        wait_until(
            lambda: self.left.connected_to(self.right) and self.right.connected_to(self.left),
            "the two daemons to connect",
        )

    def stop(self) -> None:
        """Stop both daemons by PID (safe to call twice)."""
        for daemon in self.daemons:
            daemon.stop()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = DEFAULT_TIMEOUT) -> float:
    """Poll ``condition`` until it holds; return the seconds it took."""
    start = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
