"""Products and variations: the fields flxd needs, WooCommerce's refusals, and when
date_modified moves (and when, as WooCommerce's issue tracker shows, it does not)."""

from __future__ import annotations

from typing import Any

import pytest
from flxd_woocommerce.sandbox import CartLine, SandboxConfig
from woo_client import WooClient
from woo_env import STORE, Env, open_sandbox

pytestmark = pytest.mark.asyncio

TEE = {
    "name": "Tee",
    "type": "variable",
    "sku": "TEE",
    "attributes": [
        {"name": "Size", "variation": True, "visible": True, "options": ["S", "M"]},
        {"name": "Fabric", "variation": False, "options": ["Cotton"]},
    ],
}


async def _variable(c: WooClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    tee = (await c.post("/wc/v3/products", TEE)).data
    variations = []
    for size in ("S", "M"):
        reply = await c.post(
            f"/wc/v3/products/{tee['id']}/variations",
            {
                "sku": f"TEE-{size}",
                "regular_price": "20.00" if size == "S" else "22.00",
                "manage_stock": True,
                "stock_quantity": 5,
                "attributes": [{"name": "Size", "option": size}, {"name": "Color", "option": "x"}],
            },
        )
        assert reply.status == 201, reply.data
        variations.append(reply.data)
    return tee, variations


async def test_simple_product_round_trip(plain: Env) -> None:
    c = plain.oauth()
    created = await c.post(
        "/wc/v3/products",
        {
            "name": "Mug",
            "sku": "MUG-1",
            "global_unique_id": "4006381333931",
            "regular_price": "12.50",
            "sale_price": "10",
            "manage_stock": True,
            "stock_quantity": 3,
            "catalog_visibility": "hidden",
            "meta_data": [{"key": "hub_id", "value": "h-1"}],
        },
    )
    assert created.status == 201
    product = created.data
    assert created.headers["Location"].endswith(f"/wp-json/wc/v3/products/{product['id']}")
    assert (product["type"], product["status"], product["catalog_visibility"]) == (
        "simple",
        "publish",
        "hidden",
    )
    assert (product["regular_price"], product["sale_price"], product["price"]) == (
        "12.50",
        "10",
        "10",
    )
    assert product["on_sale"] is True and product["purchasable"] is True
    assert (product["stock_quantity"], product["stock_status"]) == (3, "instock")
    assert product["global_unique_id"] == "4006381333931"
    assert product["meta_data"][0]["key"] == "hub_id" and isinstance(
        product["meta_data"][0]["id"], int
    )
    assert product["date_created"] == "2025-01-15T09:00:00"  # site time, -03:00
    assert product["date_created_gmt"] == "2025-01-15T12:00:00"
    fetched = await c.get(f"/wc/v3/products/{product['id']}")
    assert fetched.data == product


async def test_unparseable_price_is_silently_blank(plain: Env) -> None:
    reply = await plain.oauth().post("/wc/v3/products", {"name": "Odd", "regular_price": "abc"})
    assert reply.status == 201
    assert (reply.data["regular_price"], reply.data["price"], reply.data["purchasable"]) == (
        "",
        "",
        False,
    )


async def test_duplicate_sku_is_refused_across_products_and_variations(plain: Env) -> None:
    c = plain.oauth()
    tee, variations = await _variable(c)
    for body in ({"name": "Copy", "sku": "tee-s"}, {"name": "Copy", "sku": "TEE"}):
        refused = await c.post("/wc/v3/products", body)
        assert refused.status == 400
        assert refused.code == "product_invalid_sku"
        assert refused.data["message"] == "Invalid or duplicated SKU."
        assert refused.data["data"]["resource_id"] in (tee["id"], variations[0]["id"])
    on_variation = await c.put(
        f"/wc/v3/products/{tee['id']}/variations/{variations[1]['id']}", {"sku": "TEE-S"}
    )
    assert on_variation.code == "product_invalid_sku"
    unchanged = await c.get(f"/wc/v3/products/{tee['id']}/variations/{variations[1]['id']}")
    assert unchanged.data["sku"] == "TEE-M"


async def test_gtin_is_checked_for_format_and_uniqueness(plain: Env) -> None:
    c = plain.oauth()
    assert (
        await c.post("/wc/v3/products", {"name": "A", "global_unique_id": "123-45"})
    ).status == 201
    duplicate = await c.post("/wc/v3/products", {"name": "B", "global_unique_id": "12345"})
    assert duplicate.status == 201  # "123-45" and "12345" are different strings
    again = await c.post("/wc/v3/products", {"name": "C", "global_unique_id": "123-45"})
    assert again.code == "product_invalid_global_unique_id"
    bad = await c.post("/wc/v3/products", {"name": "D", "global_unique_id": "12X4"})
    assert bad.code == "product_invalid_global_unique_id_format"


async def test_variable_products_and_their_variations(plain: Env) -> None:
    c = plain.oauth()
    tee, variations = await _variable(c)
    parent = (await c.get(f"/wc/v3/products/{tee['id']}")).data
    assert parent["variations"] == [v["id"] for v in variations]
    assert (parent["regular_price"], parent["price"]) == ("", "20.00")
    assert parent["attributes"][0] == {
        "id": 0,
        "name": "Size",
        "position": 0,
        "visible": True,
        "variation": True,
        "options": ["S", "M"],
    }
    # "Color" is not one of the parent's variation attributes: WooCommerce drops it.
    assert variations[0]["attributes"] == [{"id": 0, "name": "Size", "option": "S"}]
    listed = await c.get(f"/wc/v3/products/{tee['id']}/variations", orderby="id", order="asc")
    assert [v["sku"] for v in listed.data] == ["TEE-S", "TEE-M"]
    as_product = (await c.get(f"/wc/v3/products/{variations[0]['id']}")).data
    assert (as_product["type"], as_product["parent_id"]) == ("variation", tee["id"])
    wrong_route = await c.put(f"/wc/v3/products/{variations[0]['id']}", {"name": "x"})
    assert (wrong_route.status, wrong_route.code) == (404, "woocommerce_rest_invalid_product_id")
    wrong_parent = await c.get(f"/wc/v3/products/99999/variations/{variations[0]['id']}")
    assert wrong_parent.code == "woocommerce_rest_product_variation_invalid_id"
    orphan = await c.post("/wc/v3/products/99999/variations", {"sku": "X"})
    assert (orphan.status, orphan.code) == (
        404,
        "woocommerce_rest_product_variation_invalid_parent",
    )


async def test_deletes(plain: Env) -> None:
    c = plain.oauth()
    tee, variations = await _variable(c)
    no_trash = await c.delete(f"/wc/v3/products/{tee['id']}/variations/{variations[0]['id']}")
    assert (no_trash.status, no_trash.code) == (501, "woocommerce_rest_trash_not_supported")
    gone = await c.delete(
        f"/wc/v3/products/{tee['id']}/variations/{variations[0]['id']}", force="true"
    )
    assert gone.status == 200 and gone.data["id"] == variations[0]["id"]
    trashed = await c.delete(f"/wc/v3/products/{tee['id']}")
    assert trashed.data["status"] == "trash"
    assert tee["id"] not in [p["id"] for p in (await c.get("/wc/v3/products")).data]
    # WooCommerce's SKU check skips the trash: a trashed product's SKU is free again.
    assert (await c.post("/wc/v3/products", {"name": "New", "sku": "TEE"})).status == 201
    deleted = await c.delete(f"/wc/v3/products/{tee['id']}", force="true")
    assert deleted.status == 200
    assert (
        await c.get(f"/wc/v3/products/{tee['id']}")
    ).code == "woocommerce_rest_product_invalid_id"


async def test_a_product_edit_moves_date_modified(plain: Env) -> None:
    c = plain.oauth()
    mug = (await c.post("/wc/v3/products", {"name": "Mug", "regular_price": "5.00"})).data
    await plain.clock.advance(120)
    edited = (await c.put(f"/wc/v3/products/{mug['id']}", {"regular_price": "6.00"})).data
    assert edited["date_modified_gmt"] == "2025-01-15T12:02:00"
    await plain.clock.advance(120)
    stock_only = (
        await c.put(f"/wc/v3/products/{mug['id']}", {"manage_stock": True, "stock_quantity": 4})
    ).data
    assert stock_only["date_modified_gmt"] == "2025-01-15T12:04:00"  # documented: any save


async def test_stock_taken_by_orders_moves_no_date() -> None:
    async with open_sandbox(SandboxConfig()) as env:
        c = env.oauth()
        mug = (
            await c.post(
                "/wc/v3/products",
                {"name": "Mug", "regular_price": "5.00", "manage_stock": True, "stock_quantity": 2},
            )
        ).data
        await env.clock.advance(3600)
        env.sandbox.place_order(STORE, [CartLine(product_id=mug["id"], quantity=2)])
        after = (await c.get(f"/wc/v3/products/{mug['id']}")).data
        assert (after["stock_quantity"], after["stock_status"]) == (0, "outofstock")
        assert after["date_modified_gmt"] == mug["date_modified_gmt"]  # issue 40060
        found = await c.get(
            "/wc/v3/products", modified_after=mug["date_modified_gmt"], dates_are_gmt="true"
        )
        assert found.data == []  # modified_after cannot see the drift


async def test_a_variation_edit_does_not_move_its_own_date(plain: Env) -> None:
    c = plain.oauth()
    tee, variations = await _variable(c)
    small = variations[0]
    await plain.clock.advance(300)
    route = f"/wc/v3/products/{tee['id']}/variations/{small['id']}"
    priced = (await c.put(route, {"regular_price": "25.00", "stock_quantity": 9})).data
    assert priced["regular_price"] == "25.00" and priced["stock_quantity"] == 9
    assert priced["date_modified_gmt"] == small["date_modified_gmt"]  # issues 19427, 19562
    parent = (await c.get(f"/wc/v3/products/{tee['id']}")).data
    assert parent["date_modified_gmt"] == "2025-01-15T12:05:00"  # documented: parent syncs
    await plain.clock.advance(60)
    hidden = (await c.put(route, {"status": "private"})).data
    assert hidden["date_modified_gmt"] == "2025-01-15T12:06:00"  # a post field: it moves


async def test_meta_data_update_by_key_and_id_and_delete_by_null(plain: Env) -> None:
    c = plain.oauth()
    mug = (
        await c.post("/wc/v3/products", {"name": "Mug", "meta_data": [{"key": "a", "value": "1"}]})
    ).data
    meta_id = mug["meta_data"][0]["id"]
    by_key = (
        await c.put(f"/wc/v3/products/{mug['id']}", {"meta_data": [{"key": "a", "value": "2"}]})
    ).data
    assert by_key["meta_data"] == [{"id": meta_id, "key": "a", "value": "2"}]
    by_id = (
        await c.put(
            f"/wc/v3/products/{mug['id']}",
            {
                "meta_data": [
                    {"id": meta_id, "key": "b", "value": {"x": [1]}},
                    {"key": "c", "value": "3"},
                ]
            },
        )
    ).data
    assert [(m["key"], m["value"]) for m in by_id["meta_data"]] == [("b", {"x": [1]}), ("c", "3")]
    removed = (
        await c.put(f"/wc/v3/products/{mug['id']}", {"meta_data": [{"key": "c", "value": None}]})
    ).data
    assert [m["key"] for m in removed["meta_data"]] == ["b"]


async def test_json_sent_without_its_content_type_is_ignored(plain: Env) -> None:
    c = plain.oauth()
    mug = (await c.post("/wc/v3/products", {"name": "Mug"})).data
    reply = await c.request(
        "PUT",
        f"/wc/v3/products/{mug['id']}",
        raw_body=b'{"name": "Renamed"}',
        headers={"Content-Type": "text/plain"},
    )
    assert reply.status == 200 and reply.data["name"] == "Mug"
    broken = await c.request(
        "PUT",
        f"/wc/v3/products/{mug['id']}",
        raw_body=b'{"name": ',
        headers={"Content-Type": "application/json"},
    )
    assert (broken.status, broken.code) == (400, "rest_invalid_json")
