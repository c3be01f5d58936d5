"""``POST /v3/orders/metafields``: many orders' metafields a request, what it creates and what it
refuses item by item, and the pessimistic batch maximum BigCommerce does not state."""

from __future__ import annotations

from typing import Any

import pytest
from flxd_bigcommerce.sandbox import SandboxConfig
from flxd_bigcommerce.sandbox.behaviour import BehaviourName
from sandbox_env import BEHAVIOURS, behaving, open_sandbox

pytestmark = pytest.mark.asyncio

BATCH = "/v3/orders/metafields"


def item(order_id: int, key: str = "imported") -> dict[str, Any]:
    return {
        "resource_id": order_id,
        "permission_set": "read",
        "namespace": "flxd",
        "key": key,
        "value": "1",
    }


async def test_a_batch_creates_each_order_s_metafield() -> None:
    async with open_sandbox(SandboxConfig(seed_products=3, seed_orders=3, quota=None)) as env:
        orders = sorted(env.sandbox.store(env.store).orders.orders)
        reply = await env.client.post(BATCH, [item(o) for o in orders])
        assert reply.status == 200, reply.body
        assert [m["resource_id"] for m in reply.data["data"]] == orders
        assert reply.data["errors"] == []
        assert reply.data["meta"] == {"total": 3, "success": 3, "failed": 0}
        one = await env.client.get(f"/v3/orders/{orders[0]}/metafields")
        assert [m["key"] for m in one.data["data"]] == ["imported"]


async def test_a_batch_refuses_item_by_item_and_keeps_the_rest() -> None:
    async with open_sandbox(SandboxConfig(seed_products=3, seed_orders=2, quota=None)) as env:
        first, second = sorted(env.sandbox.store(env.store).orders.orders)
        await env.client.post(BATCH, [item(first)])
        reply = await env.client.post(BATCH, [item(first), item(second), item(999_999)])
        assert reply.status == 422
        assert [m["resource_id"] for m in reply.data["data"]] == [second]
        refused = {tuple(e["errors"]): e["status"] for e in reply.data["errors"]}
        assert refused == {("0",): 409, ("2",): 404}
        assert reply.data["meta"] == {"total": 3, "success": 1, "failed": 2}


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_a_batch_over_the_pessimistic_maximum_is_refused_whole(
    behaviour: BehaviourName,
) -> None:
    base = SandboxConfig(seed_products=3, seed_orders=30, quota=None)
    async with open_sandbox(behaving(behaviour, base, metafield_batch_limit=25)) as env:
        orders = sorted(env.sandbox.store(env.store).orders.orders)
        reply = await env.client.post(BATCH, [item(o) for o in orders[:26]])
        if behaviour == "documented":  # BigCommerce states no maximum
            assert reply.status == 200 and len(reply.data["data"]) == 26
            return
        assert reply.status == 422 and "too many" in reply.data["title"].lower()
        assert not env.sandbox.store(env.store).metafields.records
        fits = await env.client.post(BATCH, [item(o) for o in orders[:25]])
        assert fits.status == 200 and len(fits.data["data"]) == 25
