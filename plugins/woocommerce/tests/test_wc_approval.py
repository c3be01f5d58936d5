"""The app approval flow through the running daemon: `flxd connections add --approval true`,
the merchant approves on the store, WooCommerce POSTs the new key to the admin server (over
HTTPS, as it insists: here a TLS front in front of the admin server, as a reverse proxy
would be), and the connection's runs work from then on with no key in any config file."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import anyio
import pytest
from aiohttp import web
from flxd_woocommerce.approval import authorize_url, scope_for
from flxd_woocommerce.sandbox import SandboxConfig
from flxd_woocommerce.sandbox.tls import make_certificate
from wc_env import HOST, NAME, wc_env

from flxd.testing import parse_config
from flxd.testing.process import DaemonProcess, free_port

ENV = {"FLXD_SECRET_KEY": "approval-daemon-secret-key-0123456", "FLXD_ADMIN_TOKEN": "adm1n"}


@asynccontextmanager
async def tls_front(upstream: str) -> AsyncIterator[str]:
    """An HTTPS server passing every request to `upstream` (what a reverse proxy does)."""
    certificate = make_certificate()

    async def forward(request: web.Request) -> web.StreamResponse:
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                upstream + request.rel_url.path_qs,
                data=await request.read(),
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as answer,
        ):
            return web.Response(
                status=answer.status,
                body=await answer.read(),
                content_type=answer.content_type,
            )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, ssl_context=certificate.server_context()).start()
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def test_the_scope_asked_for_is_what_the_enabled_operations_need(tmp_path: Path) -> None:
    base = (
        '[connections.shop]\nchannel = "woocommerce"\nurl = "https://shop.example"\n'
        "approval = true\n"
    )

    def connection(tables: str):  # type: ignore[no-untyped-def]
        return parse_config(base + tables, registries=HOST, base_dir=tmp_path).connections["shop"]

    reading = connection("[connections.shop.import_listings]\nenabled = true\n")
    assert scope_for(reading) == "read"
    writing = connection("[connections.shop.sync_listings]\nenabled = true\n")
    assert scope_for(writing) == "read_write"
    url = authorize_url(writing, "STATE", "https://flxd.example/")
    assert url == (
        "https://shop.example/wc-auth/v1/authorize?app_name=flxd&scope=read_write&user_id=STATE"
        "&return_url=https%3A%2F%2Fflxd.example%2Foauth%2Fwoocommerce%2Freturn"
        "&callback_url=https%3A%2F%2Fflxd.example%2Foauth%2Fwoocommerce%2Fcallback"
    )


@pytest.mark.asyncio
async def test_approve_through_the_admin_server_then_run(
    tmp_path: Path, flxd_daemons: list[DaemonProcess]
) -> None:
    config_in = SandboxConfig(outbound_verify_tls=False)
    async with wc_env(tmp_path, config_in, real_clock=True) as env:
        env.simple("MUG", stock=50)
        port = free_port()
        async with tls_front(f"http://127.0.0.1:{port}") as public:
            config = tmp_path / "flxd.toml"
            config.write_text(
                f'[daemon]\nstate_dir = "{tmp_path}/state"\n[logging]\nformat = "json"\n'
                f'[admin]\nlisten = "127.0.0.1:{port}"\npublic_url = "{public}"\n'
            )
            command = [sys.executable, "-m", "flxd", "--config", str(config), "connections"]
            add = await anyio.run_process(
                [
                    *command,
                    "add",
                    NAME,
                    "--channel",
                    "woocommerce",
                    "--url",
                    env.site_url,
                    "--approval",
                    "true",
                ],
                env={**os.environ, **ENV},
                check=False,
            )
            assert add.returncode == 0, add.stderr.decode()
            url = next(
                line.strip()
                for line in add.stdout.decode().splitlines()
                if "/wc-auth/v1/authorize" in line
            )
            with config.open("a") as handle:
                handle.write(f'[connections.{NAME}.get_orders]\nenabled = true\ninterval = "2s"\n')
            env.buy("MUG")
            daemon = DaemonProcess(config, env=ENV)
            flxd_daemons.append(daemon)
            await daemon.until("admin server listening")
            first = await daemon.until("run finished", operation="get_orders")
            assert first["outcome"] == "needs_reauth"  # not approved yet: paused

            async with aiohttp.ClientSession() as session:
                async with session.get(url, allow_redirects=False) as approve:
                    assert approve.status == 302, await approve.text()
                    back = approve.headers["Location"]
                assert back.startswith(f"{public}/oauth/woocommerce/return?success=1")
                [approval] = env.store.approvals
                assert (approval.approved, approval.callback_status) == (True, 200)
                async with session.get(url, allow_redirects=False) as replay:
                    assert replay.status == 401  # the approval was used: the key is refused
            await daemon.until("config reloaded")
            done = await daemon.until("run finished", operation="get_orders", outcome="ok")
            assert done["imported"] == 1
            daemon.signal(signal.SIGTERM)
            assert await anyio.to_thread.run_sync(daemon.wait) == 0
    text = config.read_text()
    assert "consumer" not in text and "ck_" not in text
