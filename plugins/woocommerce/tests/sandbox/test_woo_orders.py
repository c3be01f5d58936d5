"""Orders as shoppers place them and clients update them: stock, statuses (custom ones too),
notes to customers, meta_data acknowledgements, the Shipment Tracking extension, and what moves
an order's date_modified."""

from __future__ import annotations

import pytest
from flxd_woocommerce.sandbox import CartLine
from woo_env import STORE, Env

pytestmark = pytest.mark.asyncio


def _mug(env: Env, stock: int = 5) -> int:
    return int(
        env.sandbox.add_product(
            STORE,
            {
                "name": "Mug",
                "sku": "MUG",
                "regular_price": "4.50",
                "manage_stock": True,
                "stock_quantity": stock,
            },
        )["id"]
    )


async def test_checkout_takes_stock_and_cancelling_gives_it_back(plain: Env) -> None:
    mug = _mug(plain, stock=5)
    sandbox = plain.sandbox
    order = sandbox.place_order(STORE, [CartLine(product_id=mug, quantity=2)])
    catalog = sandbox.store(STORE).catalog
    assert catalog.products[mug].stock_quantity == 3
    rendered = (await plain.oauth().get(f"/wc/v3/orders/{order.id}")).data
    assert (rendered["status"], rendered["total"], rendered["shipping_total"]) == (
        "processing",
        "14.00",
        "5.00",
    )
    assert rendered["line_items"][0] | {"id": 0} == {
        "id": 0,
        "name": "Mug",
        "product_id": mug,
        "variation_id": 0,
        "quantity": 2,
        "tax_class": "",
        "subtotal": "9.00",
        "subtotal_tax": "0.00",
        "total": "9.00",
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": [],
        "sku": "MUG",
        "price": 4.5,
    }
    assert rendered["date_paid_gmt"] == "2025-01-15T12:00:00"
    sandbox.set_order_status(STORE, order.id, "cancelled")
    assert catalog.products[mug].stock_quantity == 5
    with pytest.raises(ValueError, match="not enough stock"):
        sandbox.place_order(STORE, [CartLine(product_id=mug, quantity=6)])


async def test_client_updates_status_and_meta_and_the_date_moves(plain: Env) -> None:
    _mug(plain)
    order = plain.sandbox.place_order(STORE)
    await plain.clock.advance(600)
    c = plain.oauth()
    reply = await c.put(
        f"/wc/v3/orders/{order.id}",
        {"status": "completed", "meta_data": [{"key": "flxd_ack", "value": "run-7"}]},
    )
    assert reply.status == 200
    assert reply.data["status"] == "completed"
    assert reply.data["meta_data"][0]["key"] == "flxd_ack"
    assert (
        reply.data["date_modified_gmt"] == reply.data["date_completed_gmt"] == "2025-01-15T12:10:00"
    )
    notes = (await c.get(f"/wc/v3/orders/{order.id}/notes")).data
    assert notes[0]["note"] == "Order status changed from Processing to Completed."
    assert notes[0]["author"] == "system" and notes[0]["customer_note"] is False


async def test_item_edits_do_not_move_the_order_date(plain: Env) -> None:
    _mug(plain)
    order = plain.sandbox.place_order(STORE)
    before = (await plain.oauth().get(f"/wc/v3/orders/{order.id}")).data
    await plain.clock.advance(600)
    plain.sandbox.edit_order_quantities(STORE, order.id, {order.line_items[0].id: 3})
    after = (await plain.oauth().get(f"/wc/v3/orders/{order.id}")).data
    assert after["line_items"][0]["quantity"] == 3 and after["total"] != before["total"]
    assert after["date_modified_gmt"] == before["date_modified_gmt"]  # issue 34798


async def test_custom_statuses_are_usable_by_slug(plain: Env) -> None:
    _mug(plain)
    order = plain.sandbox.place_order(STORE)
    c = plain.oauth()
    unknown = await c.put(f"/wc/v3/orders/{order.id}", {"status": "awaiting-pickup"})
    assert unknown.status == 400 and unknown.code == "rest_invalid_param"
    plain.sandbox.register_order_status(STORE, "awaiting-pickup", "Awaiting pickup")
    known = await c.put(f"/wc/v3/orders/{order.id}", {"status": "awaiting-pickup"})
    assert known.data["status"] == "awaiting-pickup"
    listed = await c.get("/wc/v3/orders", status="awaiting-pickup")
    assert [o["id"] for o in listed.data] == [order.id]


async def test_notes_to_the_customer(plain: Env) -> None:
    _mug(plain)
    order = plain.sandbox.place_order(STORE)
    await plain.clock.advance(60)
    c = plain.oauth()
    made = await c.post(
        f"/wc/v3/orders/{order.id}/notes",
        {"note": "Shipped with UPS, tracking 1Z999", "customer_note": True},
    )
    assert made.status == 201
    assert made.data["customer_note"] is True
    customer = (await c.get(f"/wc/v3/orders/{order.id}/notes", type="customer")).data
    internal = (await c.get(f"/wc/v3/orders/{order.id}/notes", type="internal")).data
    assert [n["id"] for n in customer] == [made.data["id"]]
    assert made.data["id"] not in [n["id"] for n in internal]
    order_after = (await c.get(f"/wc/v3/orders/{order.id}")).data
    assert order_after["date_modified_gmt"] == "2025-01-15T12:00:00"  # a note is a comment
    missing = await c.post(f"/wc/v3/orders/{order.id}/notes", {"customer_note": True})
    assert (missing.status, missing.code) == (400, "rest_missing_callback_param")
    assert missing.data["data"]["params"] == ["note"]
    forced = await c.delete(f"/wc/v3/orders/{order.id}/notes/{made.data['id']}")
    assert (forced.status, forced.data["message"]) == (501, "Webhooks do not support trashing.")


async def test_rest_created_orders_and_unknown_orders(plain: Env) -> None:
    mug = _mug(plain, stock=1)
    c = plain.oauth()
    made = await c.post(
        "/wc/v3/orders",
        {
            "line_items": [{"product_id": mug, "quantity": 4}],
            "billing": {"first_name": "Ann"},
            "set_paid": True,
        },
    )
    assert made.status == 201
    assert (made.data["status"], made.data["created_via"]) == ("processing", "rest-api")
    assert plain.sandbox.store(STORE).catalog.products[mug].stock_quantity == -3  # no stock check
    missing = await c.get("/wc/v3/orders/999999")
    assert (missing.status, missing.code) == (404, "woocommerce_rest_shop_order_invalid_id")
    update_missing = await c.put("/wc/v3/orders/999999", {"status": "completed"})
    assert update_missing.status == 400


async def test_shipment_tracking_is_off_by_default(plain: Env) -> None:
    _mug(plain)
    order = plain.sandbox.place_order(STORE)
    c = plain.oauth()
    index = (await c.with_(auth="none").get("/")).data
    assert "wc-shipment-tracking/v3" not in index["namespaces"] and "wc/v3" in index["namespaces"]
    route = f"/wc-shipment-tracking/v3/orders/{order.id}/shipment-trackings"
    assert (await c.get(route)).code == "rest_no_route"


async def test_shipment_tracking_when_the_extension_is_on(plain: Env) -> None:
    _mug(plain)
    order = plain.sandbox.place_order(STORE)
    plain.sandbox.configure_store(STORE, shipment_tracking=True)
    c = plain.oauth()
    index = (await c.with_(auth="none").get("/")).data
    assert "wc-shipment-tracking/v3" in index["namespaces"]
    route = f"/wc-shipment-tracking/v3/orders/{order.id}/shipment-trackings"
    await plain.clock.advance(86_400)
    made = await c.post(
        route,
        {"tracking_provider": "UPS", "tracking_number": "1Z999", "date_shipped": "2025-01-16"},
    )
    assert made.status == 201
    item = made.data
    assert (item["tracking_provider"], item["tracking_number"], item["date_shipped"]) == (
        "UPS",
        "1Z999",
        "2025-01-16",
    )
    assert item["tracking_link"].endswith("tracknum=1Z999")
    assert len(item["tracking_id"]) == 32
    custom = await c.post(
        route,
        {
            "custom_tracking_provider": "Bike Co",
            "custom_tracking_link": "https://bike.example/t/%1$s",
            "tracking_number": "B7",
        },
    )
    assert (custom.data["tracking_provider"], custom.data["tracking_link"]) == (
        "Bike Co",
        "https://bike.example/t/B7",
    )
    listed = (await c.get(route)).data
    assert [t["tracking_number"] for t in listed] == ["1Z999", "B7"]
    rendered = (await c.get(f"/wc/v3/orders/{order.id}")).data
    meta = {m["key"]: m["value"] for m in rendered["meta_data"]}
    assert [t["tracking_number"] for t in meta["_wc_shipment_tracking_items"]] == ["1Z999", "B7"]
    assert rendered["date_modified_gmt"] == "2025-01-15T12:00:00"  # saved as meta only
    gone = await c.delete(f"{route}/{item['tracking_id']}")
    assert gone.data["tracking_id"] == item["tracking_id"]
    assert [t["tracking_number"] for t in (await c.get(route)).data] == ["B7"]
    assert (await c.post(route, {"tracking_provider": "UPS"})).code == "rest_missing_callback_param"
    providers = (await c.get(f"{route}/providers")).data
    assert "UPS" in providers["United States"]
