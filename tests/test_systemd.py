"""Running under systemd: the unit file passes `systemd-analyze verify`, and the daemon speaks the
notify protocol (READY once it serves, WATCHDOG while alive, STOPPING on SIGTERM)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from flxd.testing.process import TIMEOUT, DaemonProcess

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "systemd" / "flxd.service"
INSTALLED_BINARY = "/usr/local/bin/flxd"


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_unit_asks_for_notify_watchdog_restarts_state_and_sandboxing() -> None:
    unit = directives(UNIT.read_text())
    assert unit["Type"] == ["notify"]
    assert unit["ExecStart"] == [f"{INSTALLED_BINARY} --config /etc/flxd/flxd.toml run"]
    expected = {
        "WatchdogSec": "60s",
        "Restart": "on-failure",
        "StateDirectory": "flxd",
        "ConfigurationDirectory": "flxd",
        "DynamicUser": "yes",
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
    }
    assert {key: unit[key][0] for key in expected} == expected
    # The stop timeout leaves room for the default 30 s grace period.
    assert unit["TimeoutStopSec"] == ["60s"]


def test_systemd_analyze_verify_passes(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        message = "systemd-analyze is not installed (Debian: apt-get install -y systemd)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    # verify checks that ExecStart's program exists: point it at this checkout's flxd.
    flxd = Path(sys.executable).parent / "flxd"
    assert flxd.exists(), flxd
    (tmp_path / "flxd.service").write_text(UNIT.read_text().replace(INSTALLED_BINARY, str(flxd), 1))
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "flxd.service")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Warnings (an unknown key, a bad value) come with exit status 0; there must be none.
    assert result.stdout + result.stderr == ""


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    """The socket systemd would own: flxd sends its notifications here."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify.sock"))
    sock.settimeout(TIMEOUT)  # a blocking read with a deadline, not a sleep
    yield sock
    sock.close()


def receive_until(sock: socket.socket, wanted: str) -> list[dict[str, str]]:
    """Every notification up to and including the first that contains `wanted` (e.g. READY=1)."""
    seen: list[dict[str, str]] = []
    while True:
        message = sock.recv(4096).decode()
        fields = dict(line.split("=", 1) for line in message.splitlines() if "=" in line)
        seen.append(fields)
        key, value = wanted.split("=", 1)
        if fields.get(key) == value:
            return seen


def test_the_daemon_notifies_ready_watchdog_and_stopping(
    tmp_path: Path, notify_socket: socket.socket
) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n[logging]\nformat = "json"\n')
    daemon = DaemonProcess(
        config,
        "--admin-listen",
        "127.0.0.1:0",
        env={
            "NOTIFY_SOCKET": str(tmp_path / "notify.sock"),
            "WATCHDOG_USEC": "200000",  # pings every 0.1 s
            "FLXD_ADMIN_TOKEN": "t",
        },
    )
    try:
        *before, ready = receive_until(notify_socket, "READY=1")
        assert all(message == {"WATCHDOG": "1"} for message in before)
        assert ready["STATUS"] == "0 connection(s), 0 job(s)"
        # READY comes after the admin server listens: it answers at once.
        url = daemon.wait_for("admin server listening")["url"]
        with urllib.request.urlopen(url + "/healthz", timeout=30) as response:
            assert response.status == 200
        receive_until(notify_socket, "WATCHDOG=1")  # still alive after READY
        daemon.signal(signal.SIGTERM)
        stopping = receive_until(notify_socket, "STOPPING=1")[-1]
        assert stopping["STATUS"] == "stopping"
        assert daemon.wait() == 0
    finally:
        daemon.kill()
