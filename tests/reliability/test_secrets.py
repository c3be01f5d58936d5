"""Secrets and personal data: a full run at debug level leaks neither.

Three stores: one connection with its token in the environment, one with it in a 0600 file, one
approved by OAuth (client secret in the environment, the token flxd obtains kept encrypted in
the hub). Orders carry made-up but unmistakable personal data. The daemon runs everything at
debug level with the admin server on; then the orders are made old enough for the retention
period and `run --once` erases their personal data. Every log line (the daemon, `connections
add`, `run --once`), the hub's files and the event sink are then searched for the tokens, the
client secret, the admin token, the secret key and the erased personal data: none may be there.
The admin server refuses every request without the token; the hub's files are created 0600 in
a 0700 directory; a token file others can read is refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from flxd.testing.process import DaemonProcess, free_port
from tests.reliability.conftest import Report
from tests.reliability.sandbox_process import StoreAPI, sandbox_process

pytestmark = pytest.mark.asyncio

STORES = ("piia", "piib", "piic")
ADMIN_TOKEN = "admin-token-2b7f9c1e6d4a8f3b5e7c9d1a"
SECRET_KEY = "secret-key-for-the-vault-9f8e7d6c5b4a3928"
CLIENT_SECRET = "flxd-sandbox-secret"  # the sandbox's OAuth app
CUSTOMERS = [
    {
        "first_name": f"Zorblax{n}",
        "last_name": f"Quimbyfield{n}",
        "email": f"zq{n}.private@pii.example",
        "phone": f"+1 555 0199 7{n}{n}",
        "street_1": f"{n}42 Secretpii Lane",
        "city": "Austin",
        "state": "Texas",
        "zip": "78701",
        "country": "United States",
        "country_iso2": "US",
    }
    for n in range(6)
]
PII_FIELDS = ("first_name", "last_name", "email", "phone", "street_1")


def write_config(root: Path, base_url: str, port: int) -> Path:
    orders = (
        'interval = "1s"\nstatuses = ["Awaiting Fulfillment"]\npii_retention_days = 1\n'
        'acknowledge = "status"\n'
    )
    ops = (
        '[connections.{n}.import_listings]\nenabled = true\ninterval = "1s"\n'
        "[connections.{n}.get_orders]\nenabled = true\n" + orders
    )
    text = (
        f'[daemon]\nstate_dir = "{root / "state"}"\n'
        f'[admin]\nlisten = "127.0.0.1:{port}"\n[logging]\nlevel = "debug"\nformat = "json"\n'
        f'[sinks.events]\ntype = "jsonl"\npath = "{root / "events.jsonl"}"\n\n'
        f'[connections.envtok]\nchannel = "bigcommerce"\nstore_hash = "{STORES[0]}"\n'
        f'access_token_env = "SHOP_A_TOKEN"\napi_base_url = "{base_url}"\n'
        + ops.format(n="envtok")
        + f'[connections.filetok]\nchannel = "bigcommerce"\nstore_hash = "{STORES[1]}"\n'
        f'access_token_file = "{root / "tokens" / "shop_b"}"\napi_base_url = "{base_url}"\n'
        + ops.format(n="filetok")
        + f'[connections.oauthshop]\nchannel = "bigcommerce"\nstore_hash = "{STORES[2]}"\n'
        'auth = "oauth"\nclient_id = "flxd-sandbox-app"\nclient_secret_env = "APP_SECRET"\n'
        f'api_base_url = "{base_url}"\nlogin_base_url = "{base_url}/login"\n'
        + ops.format(n="oauthshop")
    )
    path = root / "flxd.toml"
    path.write_text(text, encoding="utf-8")
    return path


def flxd_cli(config: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(config), "--log-level", "debug", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def each(daemon: DaemonProcess, event: str, **fields: Any) -> None:
    """Wait until every connection has logged this event, in whatever order."""
    waiting = {"envtok", "filetok", "oauthshop"}
    while waiting:
        waiting.discard(daemon.wait_for(event, **fields).get("connection", ""))


def hub_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "state").iterdir() if p.name.startswith("flxd.db"))


def found_in(needles: dict[str, str], haystacks: dict[str, bytes]) -> list[str]:
    """`what in where` for every needle that occurs (also JSON-escaped) in a haystack."""
    hits = []
    for what, needle in needles.items():
        forms = {needle.encode(), json.dumps(needle)[1:-1].encode()}
        for where, data in haystacks.items():
            if any(form in data for form in forms):
                hits.append(f"{what} in {where}")
    return hits


async def test_no_secret_or_erased_personal_data_anywhere(tmp_path: Path, report: Report) -> None:
    port = free_port()
    args = ["--seed-products", "4", "--seed-orders", "3", "--quota", "0", "--no-webhooks"]
    for store in STORES:
        args += ["--store-hash", store]
    logs: list[str] = []
    with sandbox_process(*args) as sandbox:
        async with aiohttp.ClientSession() as session:
            api = StoreAPI(session, sandbox.base_url)
            tokens = await api.tokens()
            for n, customer in enumerate(CUSTOMERS):
                product = (await api.products(STORES[n % 3], tokens[STORES[n % 3]]))[0]
                line: dict[str, Any] = {"product_id": product["id"]}
                options = [v for v in product.get("variants", []) if v.get("option_values")]
                if options:
                    line["variant_id"] = options[0]["id"]
                await api._call(
                    "POST",
                    f"/__sandbox/stores/{STORES[n % 3]}/orders",
                    {"lines": [line], "customer": customer},
                )
            (tmp_path / "tokens").mkdir()
            token_file = tmp_path / "tokens" / "shop_b"
            token_file.write_text(tokens[STORES[1]] + "\n")
            token_file.chmod(0o600)
            config = write_config(tmp_path, sandbox.base_url, port)
            env = {
                "SHOP_A_TOKEN": tokens[STORES[0]],
                "APP_SECRET": CLIENT_SECRET,
                "FLXD_SECRET_KEY": SECRET_KEY,
                "FLXD_ADMIN_TOKEN": ADMIN_TOKEN,
            }

            # The OAuth approval: `connections add` prints the URL the merchant opens.
            added = flxd_cli(config, "connections", "add", "oauthshop", env=env)
            logs.append(added.stdout + added.stderr)
            assert added.returncode == 0, added.stderr
            approve = next(x.strip() for x in added.stdout.splitlines() if "authorize" in x)

            pii = {
                f"customer {n} {field}": customer[field]
                for n, customer in enumerate(CUSTOMERS)
                for field in PII_FIELDS
            }
            db_path = tmp_path / "state" / "flxd.db"
            daemon = DaemonProcess(config, env=env)
            try:
                daemon.wait_for("flxd started")
                async with session.get(approve) as approved:  # sandbox -> flxd's callback
                    assert approved.status == 200, await approved.text()
                each(daemon, "run finished", operation="get_orders", outcome="ok")
                refused = await admin_refusals(session, f"http://127.0.0.1:{port}")
                # The scan can see personal data: it is in the hub until its retention ends.
                before = found_in(
                    pii, {"hub": b"".join(p.read_bytes() for p in hub_files(tmp_path))}
                )
                assert before, "no personal data ever reached the hub: the scan would prove nothing"
                # A day is a long wait: the orders are dated back instead.
                with contextlib.closing(sqlite3.connect(db_path)) as db:
                    db.execute("UPDATE orders SET imported_at = '2020-01-01T00:00:00.000000+00:00'")
                    db.commit()
                each(daemon, "personal data erased")
                # What a backup taken now would hold, while the daemon goes on.
                running = {f"{p.name} (running)": p.read_bytes() for p in hub_files(tmp_path)}
                daemon.signal(signal.SIGTERM)
                assert daemon.wait() == 0
            finally:
                daemon.kill()
            logs += [json.dumps(line) for line in daemon.seen]
            oauth_tokens = [
                t["token"]
                for s in await api.stores()
                for t in s["tokens"]
                if s["hash"] == STORES[2] and t["client_id"] == "flxd-sandbox-app"
            ]
            assert oauth_tokens, "the OAuth approval issued no token"
            again = flxd_cli(config, "run", "--once", env=env)
            logs.append(again.stdout + again.stderr)
            assert again.returncode == 0, again.stdout + again.stderr
            files = {p.name: p.read_bytes() for p in hub_files(tmp_path)} | running
            with contextlib.closing(sqlite3.connect(db_path)) as db:
                erased = db.execute(
                    "SELECT count(*) FROM orders WHERE pii_erased_at IS NOT NULL"
                ).fetchone()

    secrets = {
        "envtok token": tokens[STORES[0]],
        "filetok token": tokens[STORES[1]],
        "oauth client secret": CLIENT_SECRET,
        "admin token": ADMIN_TOKEN,
        "secret key": SECRET_KEY,
        **{f"oauth token {n}": t for n, t in enumerate(oauth_tokens)},
    }
    files["events.jsonl"] = (tmp_path / "events.jsonl").read_bytes()
    leaks = found_in(secrets, {"the logs": "\n".join(logs).encode(), **files})
    leaks += found_in(pii, {"the logs": "\n".join(logs).encode(), **files})
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in hub_files(tmp_path)}
    modes["state/"] = stat.S_IMODE((tmp_path / "state").stat().st_mode)
    loose = check_loose_token_file(config, token_file, env)
    report(
        log_lines=sum(text.count("\n") + 1 for text in logs),
        hub_bytes=sum(len(v) for k, v in files.items() if k.startswith("flxd.db")),
        secrets_searched=len(secrets),
        pii_values_searched=len(pii),
        orders_erased=erased[0],
        admin_requests_refused=refused,
        file_modes={k: oct(v) for k, v in modes.items()},
        leaks=len(leaks),
    )
    assert not leaks, leaks
    assert erased[0] >= len(CUSTOMERS)
    assert all(mode == 0o600 for name, mode in modes.items() if name != "state/"), modes
    assert modes["state/"] == 0o700, modes
    assert loose.returncode == 2 and "access_token_file" in loose.stderr, loose.stderr
    assert "chmod 600" in loose.stderr and tokens[STORES[1]] not in loose.stderr


async def admin_refusals(session: aiohttp.ClientSession, base: str) -> int:
    """Every protected request without the right token is refused; returns how many."""
    attempts = [
        ("GET", "/api/status", {}),
        ("GET", "/metrics", {}),
        ("GET", "/", {}),
        ("GET", "/readyz", {}),
        ("POST", "/api/runs", {}),
        ("POST", "/api/orders/1/shipments", {}),
        ("GET", "/api/status", {"Authorization": "Bearer wrong-token"}),
        ("POST", "/api/runs", {"Authorization": f"Bearer {ADMIN_TOKEN}x"}),
        ("GET", f"/?token={ADMIN_TOKEN[:-1]}", {}),
    ]
    for method, path, headers in attempts:
        async with session.request(method, base + path, headers=headers, json={}) as answer:
            assert answer.status in (401, 403), (method, path, answer.status)
    async with session.get(base + "/healthz") as answer:
        assert answer.status == 200
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with session.get(base + "/api/status", headers=bearer) as answer:
        assert answer.status == 200
    return len(attempts)


def check_loose_token_file(
    config: Path, token_file: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    token_file.chmod(0o644)
    try:
        return flxd_cli(config, "check-config", env=env)
    finally:
        token_file.chmod(0o600)
