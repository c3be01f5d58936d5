"""OAuth through the running daemon: `flxd connections add`, the merchant approves on the
(sandbox) login service, BigCommerce's redirect reaches the admin server, and the connection's
runs work from then on with no token in any config file."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import aiohttp
import anyio
import pytest
from bc_env import sandbox_env
from flxd_bigcommerce.sandbox import OAuthAppConfig, SandboxConfig

from flxd.testing.process import DaemonProcess, free_port

pytestmark = pytest.mark.asyncio
ENV = {
    "FLXD_SECRET_KEY": "oauth-daemon-secret-key-0123456789",
    "APP_SECRET": "flxd-sandbox-secret",
    "FLXD_ADMIN_TOKEN": "adm1n",
}


async def test_approve_through_the_admin_server_then_run(
    tmp_path: Path, flxd_daemons: list[DaemonProcess]
) -> None:
    async with sandbox_env(
        tmp_path, SandboxConfig(seed_products=3, seed_orders=0, quota=None)
    ) as env:
        port = free_port()
        config = tmp_path / "flxd.toml"
        config.write_text(
            f'[daemon]\nstate_dir = "{tmp_path}/state"\n[logging]\nformat = "json"\n'
            f'[admin]\nlisten = "127.0.0.1:{port}"\n'
        )
        add = await anyio.run_process(
            [
                sys.executable,
                "-m",
                "flxd",
                "--config",
                str(config),
                "connections",
                "add",
                "shop",
                "--channel",
                "bigcommerce",
                "--store-hash",
                env.store_hash,
                "--auth",
                "oauth",
                "--client-id",
                OAuthAppConfig().client_id,
                "--client-secret-env",
                "APP_SECRET",
                "--api-base-url",
                env.base_url,
                "--login-base-url",
                env.sandbox.login_base_url,
            ],
            env={**os.environ, **ENV},
            check=False,
        )
        assert add.returncode == 0, add.stderr.decode()
        printed = add.stdout.decode().splitlines()
        url = next(line.strip() for line in printed if "/oauth2/authorize" in line)
        # Enable get_orders on the new connection, polling every 2 s.
        with config.open("a") as handle:
            handle.write('[connections.shop.get_orders]\nenabled = true\ninterval = "2s"\n')
        env.sandbox.place_order(env.store_hash)

        daemon = DaemonProcess(config, env=ENV)
        flxd_daemons.append(daemon)
        await daemon.until("admin server listening")
        first = await daemon.until("run finished", operation="get_orders")
        assert first["outcome"] == "needs_reauth"  # not approved yet: paused, not failing

        admin = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {ENV['FLXD_ADMIN_TOKEN']}"}
        async with aiohttp.ClientSession(headers=auth) as session:
            async with session.get(f"{admin}/readyz") as waiting:
                assert waiting.status == 503
                assert (await waiting.json())["checks"]["connections"] == "awaiting approval: shop"
            async with session.get(f"{admin}/api/status") as status:
                [shown] = (await status.json())["connections"]
                assert shown["health"] == "awaiting_approval"
                assert "flxd connections add shop printed is valid until" in shown["health_reason"]
        command = [sys.executable, "-m", "flxd", "--config", str(config), "status"]
        listed = await anyio.run_process(command, env={**os.environ, **ENV}, check=False)
        assert listed.returncode == 0, listed.stderr.decode()
        assert "shop        awaiting approval  get_orders" in listed.stdout.decode()
        assert "shop: awaiting approval: the merchant has not approved flxd yet" in (
            listed.stdout.decode()
        )

        async with aiohttp.ClientSession() as session:
            async with session.get(url, allow_redirects=False) as approve:
                assert approve.status == 302
                callback = approve.headers["Location"]
            assert callback.startswith(f"http://127.0.0.1:{port}/oauth/bigcommerce/callback?")
            async with session.get(callback) as answer:
                assert answer.status == 200, await answer.text()
            async with session.get(callback) as replay:
                assert replay.status == 400  # the code is spent and the approval used up

        await daemon.until("config reloaded")
        done = await daemon.until("run finished", operation="get_orders", outcome="ok")
        assert done["imported"] == 1
        async with (
            aiohttp.ClientSession(headers=auth) as session,
            session.get(f"{admin}/readyz") as ready,
        ):
            assert ready.status == 200, await ready.text()
        listed = await anyio.run_process(command, env={**os.environ, **ENV}, check=False)
        assert "shop        active  get_orders" in listed.stdout.decode()
        daemon.signal(signal.SIGTERM)
        assert await anyio.to_thread.run_sync(daemon.wait) == 0
    text = config.read_text()
    assert "access_token" not in text and ENV["APP_SECRET"] not in text
