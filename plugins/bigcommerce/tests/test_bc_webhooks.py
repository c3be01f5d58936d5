"""Webhooks end to end: the daemon registers its hooks on the sandbox store, an order placed
there is imported at once (polling is an hour away), bad secrets and duplicates are refused,
and a deactivated hook comes back."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import aiohttp
import anyio
import pytest
from bc_env import sandbox_env
from flxd_bigcommerce.sandbox import SandboxConfig
from flxd_bigcommerce.webhooks import HEADER, SCOPES

from flxd.testing.process import DaemonProcess

pytestmark = pytest.mark.asyncio
SECRET_KEY = "webhook-test-secret-key-0123456789"


async def test_an_order_placed_on_the_store_is_imported_through_its_webhook(
    tmp_path: Path, flxd_daemons: list[DaemonProcess]
) -> None:
    async with sandbox_env(tmp_path, SandboxConfig(seed_products=5, quota=None)) as env:
        config = tmp_path / "flxd.toml"
        config.write_text(
            f'[daemon]\nstate_dir = "{tmp_path}/state"\n[logging]\nformat = "json"\n'
            + env.connection(
                "shop",
                extra="webhooks = true",
                operations='[connections.shop.get_orders]\nenabled = true\ninterval = "1h"\n'
                '[connections.shop.import_listings]\nenabled = true\ninterval = "1h"\n',
            )
        )
        daemon = DaemonProcess(
            config,
            "--admin-listen",
            "127.0.0.1:0",
            env={**env.environ, "FLXD_SECRET_KEY": SECRET_KEY, "FLXD_ADMIN_TOKEN": "adm1n"},
        )
        flxd_daemons.append(daemon)
        admin = (await daemon.until("admin server listening"))["url"]
        upkeep = await daemon.until("channel upkeep", connection="shop")
        assert upkeep["created"] == len(SCOPES)
        registered = list(env.sandbox.store(env.store_hash).hooks.hooks.values())
        assert {h.scope for h in registered} == set(SCOPES)
        assert all(h.destination == f"{admin}/webhooks/bigcommerce/shop" for h in registered)
        await daemon.until("run finished", operation="get_orders", trigger="schedule")

        order = env.sandbox.place_order(env.store_hash)
        finished = await daemon.until("run finished", operation="get_orders", trigger="webhook")
        assert finished["imported"] == 1, finished

        async with aiohttp.ClientSession() as session:
            url = f"{admin}/webhooks/bigcommerce/shop"
            payload = {
                "scope": "store/order/created",
                "store_id": "1",
                "producer": f"stores/{env.store_hash}",
                "hash": "abc",
                "data": {"type": "order", "id": order.id},
                "created_at": 1,
            }
            async with session.post(url, json=payload, headers={HEADER: "wrong"}) as answer:
                assert answer.status == 403
            secret = registered[0].headers[HEADER]
            for expected in ("run requested", "duplicate"):
                async with session.post(url, json=payload, headers={HEADER: secret}) as answer:
                    assert answer.status == 200
                    assert (await answer.json())["status"] == expected
            other = {**payload, "producer": "stores/someoneelse", "hash": "def"}
            async with session.post(url, json=other, headers={HEADER: secret}) as answer:
                assert answer.status == 403

        # A hook BigCommerce deactivated is re-activated at the next upkeep (a reload forces one).
        first = registered[0]
        hooks_api = f"{env.base_url}/stores/{env.store_hash}/v3/hooks/{first.id}"
        async with (
            aiohttp.ClientSession() as session,
            session.put(
                hooks_api, json={"is_active": False}, headers={"X-Auth-Token": env.token}
            ) as answer,
        ):
            assert answer.status == 200, await answer.text()
        daemon.signal(signal.SIGHUP)
        assert (await daemon.until("channel upkeep", connection="shop"))["reactivated"] == 1
        daemon.signal(signal.SIGTERM)
        assert await anyio.to_thread.run_sync(daemon.wait) == 0
    assert "adm1n" not in json.dumps(daemon.seen) and SECRET_KEY not in json.dumps(daemon.seen)
