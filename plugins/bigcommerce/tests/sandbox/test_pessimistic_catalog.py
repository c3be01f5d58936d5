"""The pessimistic catalog, each choice beside its documented absence: ``date_modified`` moved
only by product-level fields, stock and prices that reads see late, and clamped pages whose
``meta.pagination`` stays truthful."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from flxd_bigcommerce.sandbox import CartLine, SandboxConfig
from flxd_bigcommerce.sandbox.behaviour import BehaviourName
from sandbox_env import BEHAVIOURS, Env, behaving, open_sandbox
from sandbox_payloads import create, product, sized

pytestmark = pytest.mark.asyncio


async def stamp(env: Env, product_id: int) -> datetime:
    reply = await env.client.get(f"/v3/catalog/products/{product_id}")
    return datetime.fromisoformat(reply.data["data"]["date_modified"])


async def first_variant(env: Env, product_id: int) -> dict[str, Any]:
    reply = await env.client.get(f"/v3/catalog/products/{product_id}/variants")
    variant: dict[str, Any] = reply.data["data"][0]
    return variant


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_only_product_level_fields_move_date_modified_when_pessimistic(
    behaviour: BehaviourName,
) -> None:
    config = behaving(behaviour, date_modified_on_product_fields_only=True)
    async with open_sandbox(config) as env:
        mug = await create(
            env.client, product("Mug", "MUG", inventory_tracking="product", inventory_level=5)
        )
        tee = await create(
            env.client,
            product("Tee", "TEE", inventory_tracking="variant", variants=[sized("TEE-S", "S")]),
        )
        variant = await first_variant(env, tee["id"])
        created = {pid: await stamp(env, pid) for pid in (mug["id"], tee["id"])}
        writes = [
            ("PUT", f"/v3/catalog/products/{mug['id']}", {"inventory_level": 7}),
            (
                "PUT",
                "/v3/inventory/adjustments/absolute",
                {"items": [{"location_id": 1, "variant_id": variant["id"], "quantity": 4}]},
            ),
            ("PUT", f"/v3/catalog/products/{tee['id']}/variants/{variant['id']}", {"price": 3}),
            ("PUT", "/v3/catalog/variants", [{"id": variant["id"], "upc": "012345678905"}]),
            ("PUT", f"/v3/catalog/products/{mug['id']}/variants/{mug['base_variant_id']}", {}),
        ]
        for method, path, body in writes:
            await env.clock.advance(60)
            assert (await env.client.request(method, path, json_body=body)).status == 200
        await env.clock.advance(60)
        env.sandbox.place_order(env.store, [CartLine(product_id=mug["id"], quantity=2)])

        # The writes landed: stock and price read back new...
        assert (await env.client.get(f"/v3/catalog/products/{mug['id']}")).data["data"][
            "inventory_level"
        ] == 5
        assert (await first_variant(env, tee["id"]))["inventory_level"] == 4
        moved = {pid: await stamp(env, pid) != created[pid] for pid in created}
        # ...but only the documented store says so in date_modified.
        assert moved == {mug["id"]: behaviour == "documented", tee["id"]: behaviour == "documented"}

        await env.clock.advance(60)
        await env.client.put(f"/v3/catalog/products/{tee['id']}", {"price": 12})
        assert (await stamp(env, tee["id"])) == env.clock.now()  # a product field: both move


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_stock_and_price_writes_show_in_reads_after_the_delay(
    behaviour: BehaviourName,
) -> None:
    config = behaving(behaviour, visibility_delay=5.0)
    async with open_sandbox(config) as env:
        mug = await create(
            env.client, product("Mug", "MUG", inventory_tracking="product", inventory_level=5)
        )
        path = f"/v3/catalog/products/{mug['id']}"
        adjusted = await env.client.put(
            "/v3/inventory/adjustments/absolute",
            {"items": [{"location_id": 1, "product_id": mug["id"], "quantity": 9}]},
        )
        assert adjusted.status == 200
        written = await env.client.put(path, {"price": 12, "name": "Big Mug"})
        # The write's own answer shows what was written, whatever the behaviour.
        assert (written.data["data"]["price"], written.data["data"]["inventory_level"]) == (12, 9)

        async def reads() -> tuple[Any, ...]:
            got = (await env.client.get(path, include="variants")).data["data"]
            [item] = (
                await env.client.get("/v3/inventory/items", **{"product_id:in": str(mug["id"])})
            ).data["data"]
            by_price = await env.client.get("/v3/catalog/products", price="12")
            return (
                got["name"],
                got["price"],
                got["inventory_level"],
                got["variants"][0]["inventory_level"],
                item["locations"][0]["available_to_sell"],
                [p["id"] for p in by_price.data["data"]],
            )

        new = ("Big Mug", 12, 9, 9, 9, [mug["id"]])
        old = ("Big Mug", 10, 5, 5, 5, [])  # the name is not delayed
        assert await reads() == (new if behaviour == "documented" else old)
        await env.clock.advance(4.9)
        assert await reads() == (new if behaviour == "documented" else old)
        await env.clock.advance(0.1)
        assert await reads() == new


async def test_writes_within_the_delay_show_one_after_the_other() -> None:
    async with open_sandbox(behaving("pessimistic", visibility_delay=5.0)) as env:
        tee = await create(
            env.client,
            product("Tee", "TEE", inventory_tracking="variant", variants=[sized("TEE-S", "S")]),
        )
        variant = await first_variant(env, tee["id"])
        for quantity, price in ((3, 11), (8, 13)):
            reply = await env.client.put(
                "/v3/catalog/variants",
                [{"id": variant["id"], "price": price, "inventory_level": quantity}],
            )
            assert reply.status == 200
            await env.clock.advance(2)
        seen = [(await first_variant(env, tee["id"]))]
        await env.clock.advance(1)  # 5 s after the first write
        seen.append(await first_variant(env, tee["id"]))
        await env.clock.advance(2)  # 5 s after the second
        seen.append(await first_variant(env, tee["id"]))
        assert [(v["price"], v["inventory_level"]) for v in seen] == [
            (None, 0),
            (11, 3),
            (13, 8),
        ]
        listed = await env.client.get("/v3/catalog/products", **{"inventory_level:min": "8"})
        assert [p["id"] for p in listed.data["data"]] == [tee["id"]]


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_pages_with_variants_are_clamped_and_meta_stays_truthful(
    behaviour: BehaviourName,
) -> None:
    config = behaving(
        behaviour, SandboxConfig(seed_products=60, quota=None), variants_page_limit=50
    )
    async with open_sandbox(config) as env:
        catalog = env.sandbox.store(env.store).catalog
        all_variants = sum(1 for pid in catalog.product_ids() for _ in catalog.variants_of(pid))
        per_page = 250 if behaviour == "documented" else 50

        first = await env.client.get("/v3/catalog/products", include="variants", limit="250")
        pagination = first.data["meta"]["pagination"]
        assert len(first.data["data"]) == min(60, per_page)
        assert pagination["total"] == 60 and pagination["per_page"] == per_page
        assert pagination["total_pages"] == -(-60 // per_page)
        # A client that follows meta gets every product once; one that stops on a short page
        # or steps page numbers of its own size would not.
        seen: list[int] = [p["id"] for p in first.data["data"]]
        link = pagination["links"].get("next")
        while link is not None:
            reply = await env.client.request("GET", "/v3/catalog/products" + link)
            seen += [p["id"] for p in reply.data["data"]]
            link = reply.data["meta"]["pagination"]["links"].get("next")
        assert seen == catalog.product_ids()

        plain = await env.client.get("/v3/catalog/products", limit="250")
        assert len(plain.data["data"]) == 60  # without variants: no clamp

        variants = await env.client.get("/v3/catalog/variants", limit="250")
        assert len(variants.data["data"]) == min(all_variants, per_page)
        meta = variants.data["meta"]["pagination"]
        assert (meta["total"], meta["per_page"]) == (all_variants, per_page)
        second = await env.client.get("/v3/catalog/variants", limit="250", page="2")
        expected_second = 0 if behaviour == "documented" else min(50, all_variants - 50)
        assert len(second.data["data"]) == expected_second
