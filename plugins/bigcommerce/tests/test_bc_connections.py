"""API-account connections against the sandbox store: the check's verdicts, and the limiter
sharing a store's quota with another app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import anyio
import pytest
import structlog
from bc_env import HOST, BcEnv, sandbox_env
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.policy import BigCommercePolicy
from flxd_bigcommerce.sandbox import SandboxConfig

from flxd.plugin import CheckContext, CheckReport, SystemClock
from flxd.testing import FakeClock, HttpClient, Limiter, build_runtime, open_session
from flxd.testing.process import free_port


async def check(env: BcEnv, text: str, environ: dict[str, str] | None = None) -> CheckReport:
    config = env.config(text, environ)
    conn = config.connections["shop"]
    channel_type = HOST.channels.get("bigcommerce")
    assert channel_type is not None
    clock = SystemClock()
    async with open_session() as session:
        runtime = build_runtime(
            conn, channel_type, session=session, clock=clock, state_dir=env.tmp_path
        )
        try:
            return await runtime.channel.check(
                CheckContext(
                    connection="shop",
                    settings=conn.settings,
                    operations=(),
                    http=runtime.http,
                    clock=clock,
                    log=structlog.get_logger(),
                )
            )
        finally:
            await runtime.channel.aclose()


@pytest.mark.asyncio
async def test_verdicts_tell_wrong_hash_revoked_token_and_missing_scope_apart(
    tmp_path: Path,
) -> None:
    async with sandbox_env(tmp_path) as env:
        good = await check(env, env.connection())
        assert good.ok and good.verdict == "connected"
        assert good.details["store"].startswith("Sandbox Store")
        assert "requests left in the current window" in good.details["quota"]
        assert good.details["clock skew"].endswith("(store minus this machine)")

        wrong = await check(env, env.connection().replace(env.store_hash, "nosuchstore"))
        assert not wrong.ok and wrong.verdict.startswith("wrong store hash")

        env.sandbox.revoke_token(env.token)
        revoked = await check(env, env.connection())
        assert not revoked.ok and revoked.verdict.startswith("token rejected")

        narrow = env.sandbox.create_token(env.store_hash, ["store_v2_orders_read_only"])
        no_info = await check(env, env.connection(), {"BC_TOKEN": narrow})
        assert no_info.verdict.startswith("missing scope: the token lacks Information")


@pytest.mark.asyncio
async def test_scopes_of_enabled_operations_are_probed(tmp_path: Path) -> None:
    async with sandbox_env(tmp_path) as env:
        token = env.sandbox.create_token(
            env.store_hash, ["store_v2_information_read_only", "store_v2_orders_read_only"]
        )
        config = env.config(env.connection(), {"BC_TOKEN": token})
        conn = config.connections["shop"]
        channel_type = HOST.channels.get("bigcommerce")
        assert channel_type is not None
        from flxd.plugin import Operation

        async with open_session() as session:
            runtime = build_runtime(
                conn, channel_type, session=session, clock=SystemClock(), state_dir=tmp_path
            )
            report = await runtime.channel.check(
                CheckContext(
                    connection="shop",
                    settings=conn.settings,
                    operations=(Operation.SYNC_LISTINGS,),
                    http=runtime.http,
                    clock=SystemClock(),
                    log=structlog.get_logger(),
                )
            )
    assert not report.ok
    assert report.verdict == (
        "missing scope: the token lacks store_inventory, store_v2_products needed by the "
        "enabled operations"
    )


def test_connections_check_command(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(
        f'[daemon]\nstate_dir = "{tmp_path}/state"\n[connections.demo]\nchannel = "bigcommerce"\n'
        'store_hash = "demo1"\nsandbox = { seed_products = 3, seed_orders = 1 }\n'
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flxd",
            "--config",
            str(config),
            "connections",
            "check",
            "demo",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["details"]["store"] == "Sandbox Store demo1"
    assert report["details"]["api"].startswith("http://127.0.0.1:")


@pytest.mark.asyncio
async def test_another_app_on_the_store_slows_flxd_down_without_failing(tmp_path: Path) -> None:
    clock = FakeClock()
    config = SandboxConfig(seed_products=30, quota=10, window_ms=1000)
    async with sandbox_env(tmp_path, config, clock=clock) as env:
        sandbox, store_hash = env.sandbox, env.store_hash

        async def token() -> str:
            return env.token

        limiter = Limiter(clock, max_concurrency=3)
        async with aiohttp.ClientSession() as session:
            http = HttpClient(
                session=session, limiter=limiter, policy=BigCommercePolicy(), clock=clock
            )
            client = BigCommerceClient(
                http, store_hash=store_hash, token=token, api_base_url=env.base_url
            )
            done = anyio.Event()
            pages = 0

            async def read_catalog() -> None:
                nonlocal pages
                for _ in range(4):
                    async for _page in client.v3_pages("/catalog/products", limit=1):
                        pages += 1
                done.set()

            async def other_app() -> None:
                # Spends 6 of every window's 10 requests while flxd reads.
                while not done.is_set():
                    sandbox.consume_quota(store_hash, 6)
                    await clock.sleep(1.0)

            busy = [2]

            async def run(job: object) -> None:
                try:
                    await job()  # type: ignore[operator]
                finally:
                    busy[0] -= 1
                    clock.notify()

            async with anyio.create_task_group() as tg:
                tg.start_soon(run, read_catalog)
                tg.start_soon(run, other_app)
                tg.start_soon(clock.autojump, lambda: busy[0])
    assert pages == 120  # every page read: slowed down, never failed
    # flxd got about 4 of each window's 10 requests, so 120 pages took about 30 windows
    assert clock.monotonic() >= 29
    by_status = sandbox.store(store_hash).counters.by_status
    throttled = sum(n for (_, status), n in by_status.items() if status == 429)
    assert limiter.stats.throttled == throttled <= 2


def test_a_store_address_where_nothing_answers_fails_at_once_and_shows_the_cause(
    tmp_path: Path,
) -> None:
    port = free_port()  # nothing listens there
    config = tmp_path / "flxd.toml"
    config.write_text(
        f'[daemon]\nstate_dir = "{tmp_path}/state"\n[connections.shop1]\nchannel = "bigcommerce"\n'
        f'store_hash = "abc123"\naccess_token_env = "T"\napi_base_url = "http://127.0.0.1:{port}"\n'
        "[connections.shop1.import_listings]\nenabled = true\n"
    )

    def flxd(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flxd", "--config", str(config), *args],
            capture_output=True,
            text=True,
            env={**os.environ, "T": "token-for-nothing"},
            timeout=60,
            check=False,
        )

    once = flxd("--log-level", "info", "run", "--once")
    assert once.returncode == 1
    [row] = once.stdout.splitlines()[1:]
    assert row.startswith("shop1       import_listings  failed")
    assert row.endswith(f"Connect call failed ('127.0.0.1', {port})")  # the cause's end
    assert '"retrying"' not in once.stderr  # a wrong address is not a flaky store

    whole = (
        f"PermanentError: cannot connect to 127.0.0.1:{port} for GET "
        "/stores/abc123/v3/catalog/products, where nothing has answered since flxd started "
        f"(is the address right, is the store up?): [Errno 111] Connect call failed "
        f"('127.0.0.1', {port})"
    )
    assert f"\nrun 1: {whole}\n" in flxd("runs", "--verbose").stdout
    assert json.loads(flxd("runs", "--json").stdout)[0]["error"] == whole
