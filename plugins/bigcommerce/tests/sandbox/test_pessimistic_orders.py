"""The pessimistic order listing, each choice beside its documented absence: exclusive V2 date
bounds at whole seconds, V2 pages clamped below the limit asked, and new orders that listings
show only after a replication lag."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flxd_bigcommerce.sandbox import CartLine, SandboxConfig
from flxd_bigcommerce.sandbox.behaviour import BehaviourName
from sandbox_env import BEHAVIOURS, START, Env, behaving, open_sandbox
from sandbox_payloads import create, product

pytestmark = pytest.mark.asyncio


async def listed(env: Env, **params: str) -> list[int]:
    reply = await env.client.get("/v2/orders", **params)
    assert reply.status in (200, 204), reply.body
    return [] if reply.status == 204 else [o["id"] for o in reply.data]


async def count(env: Env, **params: str) -> int:
    reply = await env.client.get("/v2/orders/count", **params)
    total: int = reply.data["count"]
    return total


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_v2_date_bounds_are_exclusive_at_whole_seconds_when_pessimistic(
    behaviour: BehaviourName,
) -> None:
    async with open_sandbox(behaving(behaviour, exclusive_v2_date_bounds=True)) as env:
        made = await create(env.client, product("Mug", "MUG"))
        line = [CartLine(product_id=made["id"])]
        orders = [
            env.sandbox.place_order(env.store, line, created_at=START + timedelta(seconds=s)).id
            for s in (0, 1, 2)
        ]
        second = (START + timedelta(seconds=1)).isoformat()
        half_past = (START + timedelta(seconds=1.5)).isoformat()
        rfc = "Wed, 15 Jan 2025 12:00:01 +0000"
        pessimistic = behaviour == "pessimistic"
        for name in ("date_modified", "date_created"):
            after = orders[2:] if pessimistic else orders[1:]
            before = orders[:1] if pessimistic else orders[:2]
            assert await listed(env, **{f"min_{name}": second}) == after
            assert await listed(env, **{f"min_{name}": rfc}) == after
            assert await listed(env, **{f"max_{name}": second}) == before
            assert await count(env, **{f"max_{name}": second}) == len(before)
            # A bound inside a second counts as that whole second: 12:00:01.5 excludes 12:00:01.
            assert await listed(env, **{f"max_{name}": half_past}) == before
            assert await listed(env, **{f"min_{name}": half_past}) == orders[2:]


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_v2_pages_are_clamped_and_only_204_ends_the_list(behaviour: BehaviourName) -> None:
    base = SandboxConfig(seed_products=10, seed_orders=90, quota=None)
    async with open_sandbox(behaving(behaviour, base, v2_page_limit=50)) as env:
        everything = list(env.sandbox.store(env.store).orders.listed_ids())
        assert len(everything) > 50
        first = await listed(env, limit="250")
        assert len(first) == (len(everything) if behaviour == "documented" else 50)
        # Paging on until a 204 finds every order once, whatever the page size served.
        pages, page = [first], 1
        while pages[-1]:
            page += 1
            pages.append(await listed(env, limit="250", page=str(page)))
        assert [i for p in pages for i in p] == everything
        assert len(pages) == (2 if behaviour == "documented" else -(-len(everything) // 50) + 1)
        order_id = everything[0]
        lines = await env.client.get(f"/v2/orders/{order_id}/products", limit="250")
        assert lines.status == 200


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_a_new_order_is_listed_only_after_the_replication_lag(
    behaviour: BehaviourName,
) -> None:
    async with open_sandbox(behaving(behaviour, order_listing_lag=5.0)) as env:
        made = await create(env.client, product("Mug", "MUG"))
        placed_at = env.clock.now()
        order = env.sandbox.place_order(env.store, [CartLine(product_id=made["id"])])
        assert order.date_created == order.date_modified == placed_at  # stamped at placement
        cursor = {"min_date_modified": placed_at.isoformat()}
        expected = [order.id] if behaviour == "documented" else []
        assert await listed(env) == expected
        assert await listed(env, **cursor) == expected
        assert await listed(env, status_id="11", sort="date_modified:asc") == expected
        assert await count(env) == len(expected)
        # The order itself is there at once: its webhook's reader can fetch it by id.
        assert (await env.client.get(f"/v2/orders/{order.id}")).status == 200
        await env.clock.advance(4.9)
        assert await listed(env) == expected
        await env.clock.advance(0.1)
        # Listed now, still stamped 5 s ago: a cursor that moved past that moment misses it.
        assert await listed(env, **cursor) == [order.id]
        assert await listed(env, min_date_modified=env.clock.now().isoformat()) == []
        assert await count(env) == 1
