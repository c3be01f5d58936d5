"""Webhooks end to end: the daemon registers its webhooks on the store, an order placed there is
imported at once (polling is an hour away) through a signed delivery; a wrong signature is
refused, a duplicate dropped, the creation ping answered; a webhook WooCommerce disabled comes
back."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import aiohttp
import anyio
import pytest
from flxd_woocommerce.sandbox import SandboxConfig
from flxd_woocommerce.webhooks import TOPICS, signed
from wc_env import NAME, wc_env

from flxd.testing.process import DaemonProcess

pytestmark = pytest.mark.asyncio
SECRET_KEY = "webhook-test-secret-key-0123456789"


async def test_an_order_placed_on_the_store_is_imported_through_its_webhook(
    tmp_path: Path, flxd_daemons: list[DaemonProcess]
) -> None:
    async with wc_env(tmp_path, SandboxConfig(), real_clock=True) as env:
        env.simple("MUG", stock=50)
        env.extra = "webhooks = true"
        config = tmp_path / "flxd.toml"
        # Every operation polls once an hour: what comes sooner came through a webhook.
        config.write_text(
            f'[daemon]\nstate_dir = "{tmp_path}/state"\n[logging]\nformat = "json"\n'
            + env.connection().replace("enabled = true", 'enabled = true\ninterval = "1h"')
        )
        daemon = DaemonProcess(
            config,
            "--admin-listen",
            "127.0.0.1:0",
            env={**env.environ, "FLXD_SECRET_KEY": SECRET_KEY, "FLXD_ADMIN_TOKEN": "adm1n"},
        )
        flxd_daemons.append(daemon)
        admin = (await daemon.until("admin server listening"))["url"]
        upkeep = await daemon.until("channel upkeep", connection=NAME)
        assert upkeep["created"] == len(TOPICS)
        hooks = list(env.store.hooks.hooks.values())
        receiver = f"{admin}/webhooks/woocommerce/{NAME}"
        assert {h.topic for h in hooks} == set(TOPICS)
        assert {h.delivery_url for h in hooks} == {receiver}
        await daemon.until("run finished", operation="get_orders", trigger="schedule")

        order_id = env.buy("MUG")
        finished = await daemon.until("run finished", operation="get_orders", trigger="webhook")
        assert finished["imported"] == 1, finished
        delivered = [d for d in env.sandbox.deliveries("shop1") if d.kind == "event"]
        assert any(d.topic == "order.created" and d.ok for d in delivered)

        async with aiohttp.ClientSession() as session:
            body = json.dumps({"id": order_id}).encode()
            secret = hooks[0].secret
            headers = {"X-WC-Webhook-Topic": "order.updated", "Content-Type": "application/json"}
            wrong = {**headers, "X-WC-Webhook-Signature": signed(body, "not the secret")}
            async with session.post(receiver, data=body, headers=wrong) as answer:
                assert answer.status == 403
            right = {**headers, "X-WC-Webhook-Signature": signed(body, secret)}
            for expected in ("run requested", "duplicate"):
                async with session.post(receiver, data=body, headers=right) as answer:
                    assert answer.status == 200
                    assert (await answer.json())["status"] == expected
            ping = {"Content-Type": "application/x-www-form-urlencoded"}
            async with session.post(receiver, data=b"webhook_id=1", headers=ping) as answer:
                assert (answer.status, (await answer.json())["status"]) == (200, "ping")

        # A webhook WooCommerce disabled (after failed deliveries) is made active again.
        hooks[0].status = "disabled"
        daemon.signal(signal.SIGHUP)
        assert (await daemon.until("channel upkeep", connection=NAME))["reactivated"] == 1
        assert hooks[0].status == "active"
        daemon.signal(signal.SIGTERM)
        assert await anyio.to_thread.run_sync(daemon.wait) == 0
    seen = json.dumps(daemon.seen)
    assert "adm1n" not in seen and SECRET_KEY not in seen
    assert env.environ["WC_SECRET"] not in seen
