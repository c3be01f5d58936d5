"""The pessimistic behaviour against the documented one: clamped pages with truthful headers,
orders listed late, batches with failing items, late / duplicated / lost webhooks, and
stock-only product edits that move no date."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from flxd_woocommerce.sandbox import PessimismConfig, SandboxConfig
from woo_env import STORE, open_sandbox
from woo_receiver import receiver

pytestmark = pytest.mark.asyncio


def _config(**pessimism: float) -> SandboxConfig:
    return SandboxConfig(
        behaviour="pessimistic",
        seed_products=30,
        tls=True,
        pessimism=PessimismConfig(**pessimism),  # type: ignore[arg-type]
    )


async def test_pages_are_clamped_but_the_headers_stay_true() -> None:
    async with open_sandbox(_config(per_page_cap=7)) as env:
        reply = await env.client.get("/wc/v3/products", per_page="20")
        assert len(reply.data) == 7
        assert (reply.headers["X-WP-Total"], reply.headers["X-WP-TotalPages"]) == ("30", "5")
        # A client that stops at the first short page would stop here; following the
        # page count gets everything.
        seen = {p["id"] for p in reply.data}
        for page in range(2, 6):
            seen |= {
                p["id"]
                for p in (
                    await env.client.get("/wc/v3/products", per_page="20", page=str(page))
                ).data
            }
        assert len(seen) == 30
    async with open_sandbox(SandboxConfig(seed_products=30, tls=True)) as env:
        assert len((await env.client.get("/wc/v3/products", per_page="20")).data) == 20


async def test_new_orders_are_listed_only_after_a_lag() -> None:
    async with open_sandbox(_config(order_lag_s=30)) as env:
        order = env.sandbox.place_order(STORE)
        listed = await env.client.get("/wc/v3/orders")
        assert listed.data == [] and listed.headers["X-WP-Total"] == "0"
        assert (await env.client.get(f"/wc/v3/orders/{order.id}")).status == 200
        await env.clock.advance(30)
        assert [o["id"] for o in (await env.client.get("/wc/v3/orders")).data] == [order.id]


async def test_batches_with_failing_items() -> None:
    async with open_sandbox(_config(batch_error_rate=0.3)) as env:
        ids = sorted(env.sandbox.store(STORE).catalog.products)
        reply = await env.client.post(
            "/wc/v3/products/batch", {"update": [{"id": i, "menu_order": 5} for i in ids]}
        )
        failed = [u for u in reply.data["update"] if "error" in u]
        assert 0 < len(failed) < len(ids)
        assert {f["error"]["code"] for f in failed} == {"db_update_error"}
        assert {f["error"]["data"]["status"] for f in failed} == {500}
        catalog = env.sandbox.store(STORE).catalog
        assert all(catalog.products[f["id"]].menu_order == 0 for f in failed)  # not applied
        applied = [u["id"] for u in reply.data["update"] if "error" not in u]
        assert all(catalog.products[i].menu_order == 5 for i in applied)


async def test_stock_only_edits_move_no_date_when_pessimistic() -> None:
    async with open_sandbox(_config()) as env:
        mug = (
            await env.client.post(
                "/wc/v3/products", {"name": "Mug", "manage_stock": True, "stock_quantity": 1}
            )
        ).data
        await env.clock.advance(60)
        stock = (await env.client.put(f"/wc/v3/products/{mug['id']}", {"stock_quantity": 9})).data
        assert stock["date_modified_gmt"] == mug["date_modified_gmt"]
        named = (await env.client.put(f"/wc/v3/products/{mug['id']}", {"name": "Big mug"})).data
        assert named["date_modified_gmt"] != mug["date_modified_gmt"]


async def test_webhooks_late_duplicated_out_of_order_and_lost() -> None:
    config = _config(webhook_loss_rate=0.2, webhook_duplicate_rate=0.3, webhook_max_delay_s=60)
    async with open_sandbox(config) as env, receiver() as sink:
        await env.client.post(
            "/wc/v3/webhooks", {"topic": "order.created", "delivery_url": sink.url, "secret": "s"}
        )
        placed = [env.sandbox.place_order(STORE).id for _ in range(20)]
        assert env.sandbox.dispatcher.pending > 0
        assert [b for b in sink.bodies() if b.startswith(b"{")] == []  # nothing yet: all delayed
        await env.clock.advance(61)
        await env.sandbox.webhooks_idle()
        seen = [json.loads(b)["id"] for b in sink.bodies() if b.startswith(b"{")]
        counts = Counter(seen)
        assert set(seen) < set(placed)  # some lost
        assert max(counts.values()) == 2  # some twice
        assert seen != sorted(seen)  # out of order
        outcomes = env.sandbox.deliveries(STORE)
        assert any(o.lost for o in outcomes) and any(o.duplicate for o in outcomes)
        assert {o.webhook_id for o in outcomes} == {1}


@pytest.mark.parametrize(("behaviour", "moves"), [("documented", True), ("pessimistic", False)])
async def test_a_variation_save_and_its_parent(behaviour: str, moves: bool) -> None:
    async with open_sandbox(SandboxConfig(behaviour=behaviour, tls=True)) as env:  # type: ignore[arg-type]
        c = env.client
        tee = (
            await c.post(
                "/wc/v3/products",
                {
                    "name": "Tee",
                    "type": "variable",
                    "attributes": [{"name": "Size", "variation": True, "options": ["S"]}],
                },
            )
        ).data
        small = (
            await c.post(
                f"/wc/v3/products/{tee['id']}/variations",
                {"attributes": [{"name": "Size", "option": "S"}]},
            )
        ).data
        before = (await c.get(f"/wc/v3/products/{tee['id']}")).data["date_modified_gmt"]
        await env.clock.advance(60)
        await c.put(
            f"/wc/v3/products/{tee['id']}/variations/{small['id']}", {"regular_price": "5.00"}
        )
        after = (await c.get(f"/wc/v3/products/{tee['id']}")).data["date_modified_gmt"]
        assert (after != before) is moves
