"""``flxd sandbox`` pieces: options, serving until cancelled, and ``python -m``."""

from __future__ import annotations

import argparse
import io
import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import anyio
import pytest
from flxd_bigcommerce.sandbox import OAuthAppConfig
from flxd_bigcommerce.sandbox.cli import config_from_args, configure_parser, serve_forever


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    return parser.parse_args(argv)


def test_options_become_a_config(tmp_path: Path) -> None:
    config = config_from_args(
        parse(
            "--stores",
            "2",
            "--store-hash",
            "abc",
            "--seed-products",
            "10",
            "--seed-orders",
            "5",
            "--quota",
            "5",
            "--window-ms",
            "200",
            "--faults",
            "flaky",
            "--fault-rate",
            "0.5",
            "--seed",
            "9",
            "--state",
            str(tmp_path / "s.json"),
            "--concurrency",
            "3",
            "--no-webhooks",
        )
    )
    assert (config.stores, config.store_hashes) == (2, ("abc",))
    assert (config.seed_products, config.seed_orders) == (10, 5)
    assert (config.quota, config.window_ms, config.concurrency) == (5, 200, 3)
    assert (config.faults, config.fault_rate, config.seed) == ("flaky", 0.5, 9)
    assert config.state_file == tmp_path / "s.json" and not config.webhooks
    defaults = config_from_args(parse())
    assert (defaults.quota, defaults.window_ms, defaults.concurrency) == (150, 30_000, None)
    assert config_from_args(parse("--quota", "0")).quota is None
    with pytest.raises(SystemExit):
        parse("--faults", "gremlins")
    with pytest.raises(SystemExit):
        parse("--window-ms", "0")


@pytest.mark.asyncio
async def test_serve_forever_stops_on_cancel_saves_state_and_returns_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = anyio.Event()

    class Banner(io.StringIO):
        def write(self, text: str) -> int:
            ready.set()
            return super().write(text)

    out = Banner()
    monkeypatch.setattr(sys, "stdout", out)
    state = tmp_path / "state.json"
    result: list[int] = []

    async def run() -> None:
        result.append(await serve_forever(parse("--seed-products", "2", "--state", str(state))))

    async with anyio.create_task_group() as group:
        group.start_soon(run)
        with anyio.fail_after(10):
            await ready.wait()
        group.cancel_scope.cancel()
    assert result == [0]
    assert "X-Auth-Token:" in out.getvalue() and "/v3/catalog/products" in out.getvalue()
    # What `flxd connections add --auth oauth` against the sandbox needs: the app's id and secret.
    app = OAuthAppConfig()
    assert f"client id {app.client_id}, client secret {app.client_secret}" in out.getvalue()
    assert json.loads(state.read_text())["stores"][0]["products"]


def test_python_dash_m_serves_until_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flxd_bigcommerce.sandbox",
            "--port",
            "0",
            "--store-hash",
            "cli1",
            "--seed-products",
            "3",
            "--state",
            str(state),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # blocks until the banner is out
        assert first.startswith("BigCommerce sandbox at http://127.0.0.1:")
        base_url = first.split(" at ")[1].strip()
        token_line = next(line for line in process.stdout if "X-Auth-Token:" in line)
        token = token_line.split("X-Auth-Token: ")[1].strip()
        request = urllib.request.Request(
            f"{base_url}/stores/cli1/v3/catalog/products", headers={"X-Auth-Token": token}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert len(json.load(response)["data"]) == 3
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert state.exists()
