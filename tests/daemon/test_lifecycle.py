"""The daemon as an operator runs it: a subprocess, signals, the database afterwards."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from flxd.testing.process import DaemonProcess

ENV = {"MEM_TOKEN": "memory-token"}


def config_text(
    state: Path,
    *,
    page_delay: str = "0s",
    interval: str = "1h",
    grace: str = "30s",
    extra: str = "",
) -> str:
    return f"""
[daemon]
state_dir = "{state}"
grace_period = "{grace}"

[logging]
format = "json"

[connections.mem]
channel = "memory"
token_env = "MEM_TOKEN"
store = "main"
state_file = "{state}/remote.json"
seed_products = 200
seed_orders = 5
page_size = 10
page_delay = "{page_delay}"

[connections.mem.import_listings]
enabled = true
interval = "{interval}"

[connections.mem.get_orders]
enabled = true
interval = "{interval}"
{extra}
"""


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_sigterm_finishes_the_page_commits_and_exits_0(
    tmp_path: Path, flxd_daemons: list[DaemonProcess]
) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(config_text(tmp_path / "state", page_delay="0.4s", grace="20s"))
    daemon = DaemonProcess(config, env=ENV)
    flxd_daemons.append(daemon)
    daemon.wait_for("flxd started")
    daemon.wait_for("run started", operation="import_listings")
    daemon.signal(signal.SIGTERM)
    finished = daemon.wait_for("run finished", operation="import_listings")
    assert finished["outcome"] == "interrupted"
    daemon.wait_for("stopped")
    assert daemon.wait() == 0
    db = tmp_path / "state" / "flxd.db"
    [(cursor,)] = rows(db, "SELECT value FROM cursors WHERE operation = 'import_listings'")
    remote = json.loads((tmp_path / "state" / "remote.json").read_text())
    imported = [p for p in remote["products"].values() if p["modified"] <= int(cursor)]
    variants = sum(len(p["variants"]) for p in imported)
    assert 0 < len(imported) < 200  # it stopped part-way, at a page boundary
    assert rows(db, "SELECT count(*) FROM variants") == [(variants,)]  # exactly the committed pages
    assert rows(db, "SELECT count(*) FROM runs WHERE outcome = 'running'") == [(0,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_sighup_reloads_and_refuses_an_invalid_config(
    tmp_path: Path, flxd_daemons: list[DaemonProcess]
) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(config_text(tmp_path / "state"))
    daemon = DaemonProcess(config, env=ENV)
    flxd_daemons.append(daemon)
    # import_listings, its reconciliation pass, get_orders
    daemon.wait_for("schedule installed", jobs=3)
    config.write_text(config_text(tmp_path / "state") + "\n[connections.mem.get_ordres]\n")
    daemon.signal(signal.SIGHUP)
    refused = daemon.wait_for("reload refused; still running on the previous config")
    assert any("get_ordres" in p for p in refused["problems"])
    extra = "[connections.mem.sync_orders]\nenabled = true\ninterval = '1h'\n"
    config.write_text(config_text(tmp_path / "state", extra=extra))
    daemon.signal(signal.SIGHUP)
    daemon.wait_for("schedule installed", jobs=4)
    daemon.wait_for("config reloaded", connections=1)
    daemon.signal(signal.SIGINT)
    assert daemon.wait() == 0


def test_an_invalid_config_refuses_to_start_and_touches_nothing(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(config_text(tmp_path / "state") + "\n[connections.mem.import_listings.x]\n")
    result = subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(config), "run"],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "connections.mem.import_listings.x: unknown key" in result.stderr
    assert not (tmp_path / "state").exists()


def test_run_once_prints_a_summary_and_fails_when_a_run_fails(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(config_text(tmp_path / "state"))
    once = [sys.executable, "-m", "flxd", "--config", str(config), "run", "--once"]
    env = {**os.environ, **ENV}
    result = subprocess.run(
        [*once, "--json"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [(r["key"]["operation"], r["outcome"]) for r in runs] == [
        ("import_listings", "ok"),
        ("get_orders", "ok"),
    ]
    assert runs[1]["counts"] == {"imported": 5}

    result = subprocess.run(
        [*once, "mem", "get_orders"],
        capture_output=True,
        text=True,
        env={**env, "MEM_TOKEN": "wrong"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "mem         get_orders  needs_reauth" in result.stdout
    status = subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(config), "status"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert "mem: needs re-authentication: memory store: token rejected (401)" in status.stdout

    # The right token again (a new credentials fingerprint) resumes from the saved cursors.
    result = subprocess.run(
        [*once, "--json"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    runs = json.loads(result.stdout)["runs"]
    assert [(r["outcome"], r["counts"]) for r in runs] == [("ok", {}), ("ok", {})]
