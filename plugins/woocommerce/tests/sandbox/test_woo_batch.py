"""Batch endpoints: 100 items per request in all, per-item errors in place, and what the
store's request log says about items WordPress never checks."""

from __future__ import annotations

import pytest
from woo_env import STORE, Env

pytestmark = pytest.mark.asyncio


async def test_a_full_batch_goes_through_and_one_more_is_413(plain: Env) -> None:
    c = plain.oauth()
    full = await c.post(
        "/wc/v3/products/batch",
        {
            "create": [
                {"name": f"P{i}", "sku": f"P-{i}", "regular_price": "1.00"} for i in range(100)
            ]
        },
    )
    assert full.status == 200 and len(full.data["create"]) == 100
    ids = [p["id"] for p in full.data["create"]]
    over = await c.post(
        "/wc/v3/products/batch",
        {
            "update": [{"id": i, "regular_price": "2.00"} for i in ids[:60]],
            "delete": ids[60:],
            "create": [{"name": "one too many"}],
        },
    )
    assert over.status == 413
    assert over.data == {
        "code": "woocommerce_rest_request_entity_too_large",
        "message": "Unable to accept more than 100 items for this request.",
        "data": {"status": 413},
    }
    assert {p.regular_price for p in plain.sandbox.store(STORE).catalog.products.values()} == {
        "1.00"
    }


async def test_per_item_errors_leave_the_others_applied(plain: Env) -> None:
    c = plain.oauth()
    first = (await c.post("/wc/v3/products", {"name": "A", "sku": "A"})).data
    second = (await c.post("/wc/v3/products", {"name": "B", "sku": "B"})).data
    reply = await c.post(
        "/wc/v3/products/batch",
        {
            "create": [{"name": "C", "sku": "a"}, {"name": "D", "sku": "D"}],
            "update": [{"id": first["id"], "regular_price": "3.00"}, {"id": 999999, "name": "?"}],
            "delete": [second["id"], 888888],
        },
    )
    assert reply.status == 200
    created, updated, deleted = reply.data["create"], reply.data["update"], reply.data["delete"]
    assert created[0] == {
        "id": 0,
        "error": {
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {"status": 400, "resource_id": first["id"]},
        },
    }
    assert created[1]["sku"] == "D"
    assert updated[0]["regular_price"] == "3.00"
    assert updated[1] == {
        "id": 999999,
        "error": {
            "code": "woocommerce_rest_product_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 400},
        },
    }
    assert deleted[0]["id"] == second["id"]
    assert deleted[1]["error"]["code"] == "woocommerce_rest_product_invalid_id"
    assert second["id"] not in plain.sandbox.store(STORE).catalog.products  # forced delete


async def test_items_wordpress_never_checks_are_logged_not_refused(plain: Env) -> None:
    c = plain.oauth()
    mug = (await c.post("/wc/v3/products", {"name": "Mug"})).data
    reply = await c.post(
        "/wc/v3/products/batch",
        {
            "update": [
                {
                    "id": mug["id"],
                    "regular_price": 7.5,
                    "manage_stock": "yes",
                    "stock_quantity": "4",
                }
            ]
        },
    )
    assert reply.status == 200
    updated = reply.data["update"][0]
    # WooCommerce's setters coerce what the schema would refuse.
    assert (updated["regular_price"], updated["manage_stock"], updated["stock_quantity"]) == (
        "7.5",
        True,
        4,
    )
    log = plain.sandbox.requests(STORE)
    assert log.entries[-1].problems == [
        "update[0]: regular_price is not of type string.",
        "update[0]: manage_stock is not of type boolean.",
    ]
    with pytest.raises(AssertionError, match="regular_price is not of type string"):
        log.assert_valid()


async def test_variation_and_order_batches(plain: Env) -> None:
    c = plain.oauth()
    tee = (
        await c.post(
            "/wc/v3/products",
            {
                "name": "Tee",
                "type": "variable",
                "attributes": [{"name": "Size", "variation": True, "options": ["S", "M"]}],
            },
        )
    ).data
    made = await c.post(
        f"/wc/v3/products/{tee['id']}/variations/batch",
        {
            "create": [
                {
                    "sku": f"T-{s}",
                    "regular_price": "9.00",
                    "attributes": [{"name": "Size", "option": s}],
                }
                for s in "SM"
            ]
        },
    )
    assert [v["sku"] for v in made.data["create"]] == ["T-S", "T-M"]
    small = made.data["create"][0]["id"]
    priced = await c.post(
        f"/wc/v3/products/{tee['id']}/variations/batch",
        {"update": [{"id": small, "regular_price": "8.00"}]},
    )
    assert priced.data["update"][0]["price"] == "8.00"
    plain.sandbox.store(STORE)
    order = plain.sandbox.place_order(STORE, status="processing")
    acked = await c.post(
        "/wc/v3/orders/batch",
        {"update": [{"id": order.id, "meta_data": [{"key": "_flxd_imported", "value": "1"}]}]},
    )
    assert acked.data["update"][0]["meta_data"][0]["key"] == "_flxd_imported"
    plain.sandbox.requests(STORE).assert_valid()


async def test_a_batch_section_that_is_not_a_list_is_refused(plain: Env) -> None:
    reply = await plain.oauth().post("/wc/v3/products/batch", {"update": {"id": 1}})
    assert (reply.status, reply.code) == (400, "rest_invalid_param")
