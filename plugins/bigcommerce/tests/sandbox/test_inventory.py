"""Inventory V3: absolute adjustments land where the tracking mode says."""

from __future__ import annotations

import pytest
from sandbox_env import Env
from sandbox_payloads import create, product, sized

pytestmark = pytest.mark.asyncio


async def test_adjust_by_product_variant_and_sku(env: Env) -> None:
    simple = await create(env.client, product("S", "S-1", inventory_tracking="product"))
    options = await create(
        env.client,
        product(
            "V",
            "V-1",
            inventory_tracking="variant",
            variants=[sized("V-1-S", "S"), sized("V-1-M", "M")],
        ),
    )
    variants = (await env.client.get(f"/v3/catalog/products/{options['id']}/variants")).data
    reply = await env.client.put(
        "/v3/inventory/adjustments/absolute",
        {
            "reason": "recount",
            "items": [
                {"location_id": 1, "product_id": simple["id"], "quantity": 30},
                {"location_id": 1, "variant_id": variants["data"][0]["id"], "quantity": 4},
                {"location_id": 1, "sku": "v-1-m", "quantity": 5},
            ],
        },
    )
    assert reply.status == 200
    assert reply.data["transaction_id"]
    got = await env.client.get("/v3/catalog/products", include="variants")
    by_id = {p["id"]: p for p in got.data["data"]}
    assert by_id[simple["id"]]["inventory_level"] == 30
    assert by_id[options["id"]]["inventory_level"] == 9
    items = await env.client.get("/v3/inventory/items", **{"product_id:in": str(options["id"])})
    levels = {
        i["identity"]["sku"]: i["locations"][0]["available_to_sell"] for i in items.data["data"]
    }
    assert levels == {"V-1-S": 4, "V-1-M": 5}


async def test_wrong_tracking_mode_is_a_422_problem_and_nothing_changes(env: Env) -> None:
    by_product = await create(
        env.client,
        product(
            "P",
            "P-1",
            inventory_tracking="product",
            inventory_level=2,
            variants=[sized("P-1-S", "S")],
        ),
    )
    [variant] = (await env.client.get(f"/v3/catalog/products/{by_product['id']}/variants")).data[
        "data"
    ]
    reply = await env.client.put(
        "/v3/inventory/adjustments/absolute",
        {
            "items": [
                {"location_id": 1, "product_id": by_product["id"], "quantity": 8},
                {"location_id": 1, "variant_id": variant["id"], "quantity": 1},
            ],
        },
    )
    assert reply.status == 422
    assert reply.content_type == "application/problem+json"
    assert "tracked by product, please update stock by product id" in reply.data["title"]
    after = await env.client.get(f"/v3/catalog/products/{by_product['id']}")
    assert after.data["data"]["inventory_level"] == 2


async def test_adjustment_payload_limits(env: Env) -> None:
    made = await create(env.client, product("L", "L-1", inventory_tracking="product"))
    item = {"location_id": 1, "product_id": made["id"], "quantity": 1}
    assert (
        await env.client.put("/v3/inventory/adjustments/absolute", {"items": [item] * 2000})
    ).status == 200
    too_many = await env.client.put("/v3/inventory/adjustments/absolute", {"items": [item] * 2001})
    assert too_many.status == 413
    two_ids = {"location_id": 1, "product_id": made["id"], "sku": "L-1", "quantity": 1}
    assert (
        await env.client.put("/v3/inventory/adjustments/absolute", {"items": [two_ids]})
    ).status == 422
    elsewhere = {"location_id": 2, "product_id": made["id"], "quantity": 1}
    assert (
        await env.client.put("/v3/inventory/adjustments/absolute", {"items": [elsewhere]})
    ).status == 422
    negative = {"location_id": 1, "product_id": made["id"], "quantity": -1}
    assert (
        await env.client.put("/v3/inventory/adjustments/absolute", {"items": [negative]})
    ).status == 422
