"""Variants, options and the batch variant endpoint."""

from __future__ import annotations

import pytest
from sandbox_env import Env
from sandbox_payloads import create, product, sized

pytestmark = pytest.mark.asyncio


async def test_create_variant_by_option_value_ids(env: Env) -> None:
    made = await create(env.client, product("Cap", "CAP", variants=[sized("CAP-S", "S")]))
    base = f"/v3/catalog/products/{made['id']}"
    [option] = (await env.client.get(base + "/options")).data["data"]
    value = (
        await env.client.post(
            f"{base}/options/{option['id']}/values", {"label": "M", "sort_order": 1}
        )
    ).data["data"]
    reply = await env.client.post(
        base + "/variants",
        {
            "sku": "CAP-M",
            "price": 9.5,
            "option_values": [{"id": value["id"], "option_id": option["id"]}],
        },
    )
    assert reply.status == 200
    assert reply.data["data"]["option_values"][0]["label"] == "M"
    assert reply.data["data"]["price"] == 9.5
    same_combo = await env.client.post(
        base + "/variants",
        {"sku": "CAP-M2", "option_values": [{"id": value["id"], "option_id": option["id"]}]},
    )
    assert same_combo.status == 409
    missing = await env.client.post(base + "/variants", {"sku": "CAP-X"})
    assert missing.status == 422


async def test_first_option_variant_replaces_the_base_variant(env: Env) -> None:
    made = await create(env.client, product("Bag", "BAG"))
    base = f"/v3/catalog/products/{made['id']}"
    assert made["base_variant_id"] is not None
    await env.client.post(base + "/variants", sized("BAG-S", "S"))
    after = (await env.client.get(base, include="variants")).data["data"]
    assert after["base_variant_id"] is None
    assert [v["sku"] for v in after["variants"]] == ["BAG-S"]
    [variant] = after["variants"]
    assert (await env.client.delete(f"{base}/variants/{variant['id']}")).status == 204
    restored = (await env.client.get(base, include="variants")).data["data"]
    assert restored["base_variant_id"] == restored["variants"][0]["id"]
    assert restored["variants"][0]["sku"] == "BAG"


async def test_variant_skus_are_unique_case_insensitively(env: Env) -> None:
    await create(env.client, product("One", "ONE", variants=[sized("ONE-S", "S")]))
    two = await create(env.client, product("Two", "TWO", variants=[sized("TWO-S", "S")]))
    clash = await env.client.post(f"/v3/catalog/products/{two['id']}/variants", sized("one-s", "M"))
    assert clash.status == 409


async def test_batch_variants_limit_is_50_and_errors_come_back_as_batch_errors(env: Env) -> None:
    made = await create(
        env.client, product("Many", "MANY", variants=[sized(f"MANY-{i}", str(i)) for i in range(3)])
    )
    variants = (await env.client.get(f"/v3/catalog/products/{made['id']}/variants")).data["data"]
    updates = [{"id": v["id"], "price": 7} for v in variants]
    ok = await env.client.put("/v3/catalog/variants", updates)
    assert ok.status == 200 and {v["price"] for v in ok.data["data"]} == {7}
    fifty_one = [{"id": variants[0]["id"], "price": 1}] * 51
    assert (await env.client.put("/v3/catalog/variants", fifty_one)).status == 413
    fifty = [{"id": variants[0]["id"], "price": 1}] * 50
    assert (await env.client.put("/v3/catalog/variants", fifty)).status == 200
    failed = await env.client.put(
        "/v3/catalog/variants",
        [
            {"id": variants[0]["id"], "price": 3},
            {"id": 9999, "price": 3},
            {"id": variants[1]["id"], "sku": "many-2"},
        ],
    )
    assert failed.status == 422
    statuses = [e["status"] for e in failed.data["batch_errors"]]
    assert statuses == [404, 409]
    unchanged = (await env.client.get(f"/v3/catalog/products/{made['id']}/variants")).data
    assert unchanged["data"][0]["price"] == 1  # nothing of the failed batch was applied


async def test_batch_variants_can_create_with_product_id(env: Env) -> None:
    made = await create(env.client, product("Grow", "GROW", variants=[sized("GROW-S", "S")]))
    options = (await env.client.get(f"/v3/catalog/products/{made['id']}/options")).data["data"]
    value = (
        await env.client.post(
            f"/v3/catalog/products/{made['id']}/options/{options[0]['id']}/values",
            {"label": "L", "sort_order": 2},
        )
    ).data["data"]
    reply = await env.client.put(
        "/v3/catalog/variants",
        [
            {
                "product_id": made["id"],
                "sku": "GROW-L",
                "option_values": [{"id": value["id"], "option_id": options[0]["id"]}],
            }
        ],
    )
    assert reply.status == 200
    assert reply.data["data"][0]["sku"] == "GROW-L"


async def test_variant_stock_goes_where_tracking_says(env: Env) -> None:
    by_variant = await create(
        env.client,
        product(
            "Var",
            "VAR",
            inventory_tracking="variant",
            variants=[sized("VAR-S", "S"), sized("VAR-M", "M")],
        ),
    )
    path = f"/v3/catalog/products/{by_variant['id']}"
    variants = (await env.client.get(path + "/variants")).data["data"]
    await env.client.put(f"{path}/variants/{variants[0]['id']}", {"inventory_level": 5})
    await env.client.put(f"{path}/variants/{variants[1]['id']}", {"inventory_level": 6})
    assert (await env.client.get(path)).data["data"]["inventory_level"] == 11

    by_product = await create(
        env.client,
        product(
            "Prod",
            "PROD",
            inventory_tracking="product",
            inventory_level=3,
            variants=[sized("PROD-S", "S")],
        ),
    )
    ppath = f"/v3/catalog/products/{by_product['id']}"
    [variant] = (await env.client.get(ppath + "/variants")).data["data"]
    reply = await env.client.put(
        f"{ppath}/variants/{variant['id']}", {"inventory_level": 9, "price": 4}
    )
    assert reply.status == 207
    assert reply.data["data"]["price"] == 4
    assert (await env.client.get(ppath)).data["data"]["inventory_level"] == 3


async def test_base_variant_writes_reach_the_product(env: Env) -> None:
    made = await create(env.client, product("Simple", "SIMPLE", inventory_tracking="product"))
    path = f"/v3/catalog/products/{made['id']}"
    reply = await env.client.put(
        f"{path}/variants/{made['base_variant_id']}",
        {"inventory_level": 12, "sku": "SIMPLE-2", "upc": "999"},
    )
    assert reply.status == 200
    got = (await env.client.get(path)).data["data"]
    assert (got["inventory_level"], got["sku"], got["upc"]) == (12, "SIMPLE-2", "999")


async def test_a_simple_product_is_one_stock_item_whatever_it_tracks(env: Env) -> None:
    made = await create(env.client, product("One", "ONE", inventory_tracking="variant"))
    path = f"/v3/catalog/products/{made['id']}"
    assert (await env.client.put(path, {"inventory_level": 8})).status == 200
    [base] = (await env.client.get(path + "/variants")).data["data"]
    assert base["inventory_level"] == 8
    await env.client.put(f"{path}/variants/{base['id']}", {"inventory_level": 3})
    assert (await env.client.get(path)).data["data"]["inventory_level"] == 3


async def test_deleting_an_option_deletes_its_variants(env: Env) -> None:
    made = await create(env.client, product("Opt", "OPT", variants=[sized("OPT-S", "S")]))
    path = f"/v3/catalog/products/{made['id']}"
    [option] = (await env.client.get(path + "/options")).data["data"]
    assert (await env.client.delete(f"{path}/options/{option['id']}")).status == 204
    variants = (await env.client.get(path + "/variants")).data["data"]
    assert [v["sku"] for v in variants] == ["OPT"]  # back to a simple product
    duplicate = await env.client.post(
        path + "/options", {"display_name": "Color", "type": "swatch"}
    )
    assert duplicate.status == 200
    again = await env.client.post(path + "/options", {"display_name": "color", "type": "swatch"})
    assert again.status == 409
