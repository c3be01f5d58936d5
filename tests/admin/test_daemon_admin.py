"""The admin server inside the real daemon (a subprocess): the acceptance check on the default
config, the status page in a real headless Chromium, and start-up errors."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from flxd import __version__
from flxd.testing.process import DaemonProcess
from tests.admin.chromium import chromium_or_skip, png_rows, run_chromium

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "e2e-admin-token-5d1c"


def get(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """(status, content type, body) of a GET; error statuses are answers, not exceptions."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def post(url: str, body: object, token: str) -> tuple[int, str]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_default_config_answers_health_guards_metrics_and_stops_on_sigterm(
    tmp_path: Path, flxd_daemons: list[DaemonProcess]
) -> None:
    shutil.copy(ROOT / "flxd.toml", tmp_path / "flxd.toml")
    daemon = DaemonProcess(
        tmp_path / "flxd.toml", "--admin-listen", "127.0.0.1:0", env={"FLXD_ADMIN_TOKEN": "x"}
    )
    flxd_daemons.append(daemon)
    url = daemon.wait_for("admin server listening")["url"]
    daemon.wait_for("flxd started")
    assert get(url + "/healthz")[0] == 200
    assert get(url + "/metrics")[0] == 401
    status, content_type, text = get(url + "/metrics", {"Authorization": "Bearer x"})
    assert status == 200
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert "# TYPE flxd_runs_total counter" in text
    assert f'flxd_build_info{{version="{__version__}"}} 1.0' in text
    daemon.signal(signal.SIGTERM)
    assert daemon.proc.wait(timeout=10) == 0
    assert daemon.wait() == 0


CONFIG = """
[daemon]
state_dir = "{state}"

[logging]
format = "json"

[connections.shop]
channel = "memory"
token_env = "MEM_TOKEN"
store = "shop"
seed_products = 12
seed_orders = 3

# Not scheduled: the test runs these through the API, so what the page shows is exactly that.
[connections.shop.import_listings]
[connections.shop.get_orders]

[connections.lapsed]
channel = "memory"
token_env = "LAPSED_TOKEN"
store = "lapsed"

[connections.lapsed.get_orders]
enabled = true
interval = "1h"
"""


def test_the_status_page_renders_the_live_state_in_chromium(
    tmp_path: Path, flxd_daemons: list[DaemonProcess]
) -> None:
    chromium = chromium_or_skip()
    config = tmp_path / "flxd.toml"
    config.write_text(CONFIG.format(state=tmp_path / "state"))
    daemon = DaemonProcess(
        config,
        "--admin-listen",
        "127.0.0.1:0",
        env={"MEM_TOKEN": "memory-token", "LAPSED_TOKEN": "revoked", "FLXD_ADMIN_TOKEN": TOKEN},
    )
    flxd_daemons.append(daemon)
    url = daemon.wait_for("admin server listening")["url"]
    daemon.wait_for("flxd started")
    # Ask for the runs now; lapsed/get_orders is also scheduled (it shows a next run).
    for connection, operation in [
        ("shop", "import_listings"),
        ("shop", "get_orders"),
        ("lapsed", "get_orders"),
    ]:
        status, _ = post(
            url + "/api/runs", {"connection": connection, "operation": operation}, TOKEN
        )
        assert status in (202, 409), status  # 409: the connection paused itself already
    finished: set[tuple[str, str]] = set()
    while len(finished) < 3:  # the three runs end in any order
        line = daemon.wait_for("run finished")
        finished.add((line["connection"], line["operation"]))

    page = f"{url}/?token={TOKEN}"  # swapped for a cookie by a redirect, see flxd/admin/auth.py
    dom = run_chromium(chromium, tmp_path / "profile-dom", "--dump-dom", page).stdout
    assert 'data-connection="shop" data-health="active"' in dom
    assert '<tr data-operation="import_listings" data-outcome="ok">' in dom
    assert '<tr data-operation="get_orders" data-outcome="ok">' in dom
    assert "imported=3" in dom and "created=" in dom
    assert 'data-connection="lapsed" data-health="needs_reauth"' in dom
    assert "(every 60 min)" in dom  # lapsed/get_orders' next run
    assert "memory store: token rejected (401)" in dom  # the reason, and under recent errors

    shot = tmp_path / "status.png"
    run_chromium(
        chromium,
        tmp_path / "profile-shot",
        f"--screenshot={shot}",
        "--window-size=1280,900",
        "--hide-scrollbars",
        page,
    )
    data = shot.read_bytes()
    assert len(data) > 20_000  # a page of text and tables, not a blank or an error page
    width, height, rows = png_rows(data, 80)
    assert (width, height) == (1280, 900)
    assert rows[5][5] == (0x1D, 0x24, 0x33)  # the header bar: the page's own styles applied
    assert rows[70][5] == (0xF4, 0xF6, 0xFA)  # the page background below it
    assert len({pixel for row in rows[:56] for pixel in row}) > 20  # text in the header

    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    assert not [line for line in daemon.seen if TOKEN in json.dumps(line)]  # never in a log line


def test_admin_listen_mistakes_are_usage_errors(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n')
    base = [sys.executable, "-m", "flxd", "--config", str(config), "run"]
    result = subprocess.run(
        [*base, "--admin-listen", "localhost"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "--admin-listen: 'localhost': expected HOST:PORT" in result.stderr
    result = subprocess.run(
        [*base, "--once", "--admin-listen", "127.0.0.1:0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "serves no admin server" in result.stderr


def test_a_taken_port_stops_the_daemon_with_a_clear_message(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n')
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "flxd",
                "--config",
                str(config),
                "run",
                "--admin-listen",
                listen,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if "creating a new, empty hub" not in line]
    assert said[0].startswith(f"flxd: admin server cannot listen on {listen}: ")
    assert "Traceback" not in result.stderr
