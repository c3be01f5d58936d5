"""Orders V2: listing, filters, dates, status changes and shipments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flxd_bigcommerce.sandbox import CartLine
from sandbox_env import Env
from sandbox_payloads import create, product, sized

pytestmark = pytest.mark.asyncio


async def test_empty_order_list_is_204_with_no_body(env: Env) -> None:
    reply = await env.client.get("/v2/orders")
    assert reply.status == 204
    assert reply.body == b""
    assert (await env.client.get("/v2/orders/count")).data["count"] == 0


async def test_orders_are_a_bare_array_with_rfc2822_dates_and_string_money(seeded: Env) -> None:
    reply = await seeded.client.get("/v2/orders", limit="5")
    assert reply.status == 200
    assert isinstance(reply.data, list) and len(reply.data) == 5
    order = reply.data[0]
    created = parsedate_to_datetime(order["date_created"])
    assert created.utcoffset() == timedelta(0)
    assert order["date_created"].endswith("+0000")
    assert order["total_inc_tax"].count(".") == 1 and len(order["total_inc_tax"].split(".")[1]) == 4
    assert order["products"]["resource"] == f"/orders/{order['id']}/products"


async def test_default_listing_hides_incomplete_and_archived_orders(seeded: Env) -> None:
    book = seeded.sandbox.store(seeded.store).orders
    incomplete = {o.id for o in book.orders.values() if o.status_id == 0}
    assert incomplete, "the seed covers every status"
    listed: set[int] = set()
    page = 1
    while True:
        reply = await seeded.client.get("/v2/orders", limit="7", page=str(page))
        if reply.status == 204:
            break
        listed |= {o["id"] for o in reply.data}
        page += 1
    assert listed == set(book.orders) - incomplete
    only_incomplete = await seeded.client.get("/v2/orders", status_id="0")
    assert {o["id"] for o in only_incomplete.data} == incomplete
    victim = min(listed)
    seeded.sandbox.archive_order(seeded.store, victim)
    again = await seeded.client.get("/v2/orders", limit="250")
    assert victim not in {o["id"] for o in again.data}
    assert (await seeded.client.get(f"/v2/orders/{victim}")).data["is_deleted"] is True


async def test_date_filters_accept_rfc2822_and_iso_and_sort_by_date_modified(env: Env) -> None:
    await create(
        env.client, product("Thing", "T-1", inventory_tracking="product", inventory_level=10)
    )
    first = env.sandbox.place_order(env.store)
    await env.clock.advance(3600)
    second = env.sandbox.place_order(env.store)
    await env.clock.advance(3600)
    env.sandbox.set_order_status(env.store, first.id, 9)  # first is now the most recent change
    boundary = second.date_created
    rfc = boundary.strftime("%a, %d %b %Y %H:%M:%S +0000")
    iso = boundary.astimezone(UTC).isoformat()
    for value in (rfc, iso, str(int(boundary.timestamp()))):
        reply = await env.client.get("/v2/orders", min_date_created=value)
        assert [o["id"] for o in reply.data] == [second.id], value
    by_modified = await env.client.get("/v2/orders", sort="date_modified:asc")
    assert [o["id"] for o in by_modified.data] == [second.id, first.id]
    newest_first = await env.client.get("/v2/orders", sort="date_modified:desc")
    assert [o["id"] for o in newest_first.data] == [first.id, second.id]
    since = await env.client.get(
        "/v2/orders", min_date_modified=(boundary + timedelta(minutes=30)).isoformat()
    )
    assert [o["id"] for o in since.data] == [first.id]
    assert (await env.client.get("/v2/orders", min_date_created="yesterday")).status == 400
    assert (await env.client.get("/v2/orders", min_id=str(second.id))).data[0]["id"] == second.id
    assert (await env.client.get("/v2/orders", limit="251")).status == 413


async def test_order_ids_start_at_100_and_count_by_status(env: Env) -> None:
    await create(env.client, product("Thing", "T-1"))
    first = env.sandbox.place_order(env.store, status_id=11)
    env.sandbox.place_order(env.store, status_id=7)
    assert first.id == 100
    count = await env.client.get("/v2/orders/count")
    assert count.data["count"] == 2
    per_status = {s["id"]: s["count"] for s in count.data["statuses"]}
    assert (per_status[11], per_status[7], per_status[2]) == (1, 1, 0)
    assert (await env.client.get("/v2/orders/count", status_id="11")).data["count"] == 1
    env.sandbox.place_order(env.store, status_id=0)  # an abandoned checkout
    with_incomplete = (await env.client.get("/v2/orders/count")).data
    assert with_incomplete["count"] == 2  # what GET /v2/orders would list
    assert {s["id"]: s["count"] for s in with_incomplete["statuses"]}[0] == 1


async def test_put_status_and_v2_errors_are_arrays(env: Env) -> None:
    await create(env.client, product("Thing", "T-1"))
    order = env.sandbox.place_order(env.store)
    await env.clock.advance(5)
    reply = await env.client.put(f"/v2/orders/{order.id}", {"status_id": 9})
    assert reply.status == 200
    assert (reply.data["status_id"], reply.data["status"]) == (9, "Awaiting Shipment")
    modified = parsedate_to_datetime(reply.data["date_modified"])
    assert modified - order.date_created == timedelta(seconds=5)
    bad = await env.client.put(f"/v2/orders/{order.id}", {"status_id": 42})
    assert bad.status == 400
    assert bad.data[0]["status"] == 400 and "status_id" in bad.data[0]["message"]
    read_only = await env.client.put(f"/v2/orders/{order.id}", {"items_total": 3})
    assert "cannot be written" in read_only.data[0]["message"]
    missing = await env.client.get("/v2/orders/5")
    assert missing.status == 404
    assert missing.data == [{"status": 404, "message": "The requested resource was not found."}]


async def test_order_products_shipping_addresses_and_consignments(env: Env) -> None:
    tee = await create(
        env.client,
        product(
            "Tee",
            "TEE",
            inventory_tracking="variant",
            variants=[sized("TEE-S", "S", inventory_level=5)],
        ),
    )
    mug = await create(
        env.client, product("Mug", "MUG", inventory_tracking="product", inventory_level=9)
    )
    variant_id = (await env.client.get(f"/v3/catalog/products/{tee['id']}/variants")).data["data"][
        0
    ]["id"]
    order = env.sandbox.place_order(
        env.store,
        [
            CartLine(product_id=tee["id"], variant_id=variant_id, quantity=2),
            CartLine(product_id=mug["id"], quantity=3),
        ],
    )
    products = await env.client.get(f"/v2/orders/{order.id}/products", limit="1")
    assert len(products.data) == 1  # paged
    all_products = (await env.client.get(f"/v2/orders/{order.id}/products")).data
    assert [(p["sku"], p["quantity"]) for p in all_products] == [("TEE-S", 2), ("MUG", 3)]
    assert all_products[0]["product_options"][0]["display_value"] == "S"
    [address] = (await env.client.get(f"/v2/orders/{order.id}/shipping_addresses")).data
    assert address["email"] == "sam.shopper@example.com"
    assert address["items_total"] == 5
    legacy = await env.client.get(f"/v2/orders/{order.id}/shippingaddresses")
    assert legacy.data == [address]
    with_consignments = await env.client.get(
        f"/v2/orders/{order.id}",
        include="consignments.line_items",
        consignment_structure="object",
    )
    shipping = with_consignments.data["consignments"]["shipping"]
    assert [li["sku"] for li in shipping[0]["line_items"]] == ["TEE-S", "MUG"]
    # checkout took the stock
    stock = (await env.client.get("/v3/catalog/products", include="variants")).data["data"]
    assert [p["inventory_level"] for p in stock] == [3, 6]


async def test_shipments_move_the_order_to_partially_shipped_then_shipped(env: Env) -> None:
    await create(
        env.client, product("Box", "BOX", inventory_tracking="product", inventory_level=10)
    )
    order = env.sandbox.place_order(env.store, [CartLine(product_id=1, quantity=3)])
    line = order.lines[0]
    path = f"/v2/orders/{order.id}/shipments"
    assert (await env.client.get(path)).status == 204
    body = {
        "order_address_id": line.order_address_id,
        "items": [{"order_product_id": line.id, "quantity": 2}],
        "tracking_number": "1Z1",
        "shipping_provider": "ups",
    }
    first = await env.client.post(path, body)
    assert first.status == 201
    assert first.data["items"] == [{"order_product_id": line.id, "product_id": 1, "quantity": 2}]
    assert (await env.client.get(f"/v2/orders/{order.id}")).data["status_id"] == 3
    too_many = await env.client.post(path, body)  # only 1 left unshipped
    assert too_many.status == 400
    assert "exceeds" in too_many.data[0]["message"]
    rest = await env.client.post(
        path, {**body, "items": [{"order_product_id": line.id, "quantity": 1}]}
    )
    assert rest.status == 201
    shipped = (await env.client.get(f"/v2/orders/{order.id}")).data
    assert (shipped["status_id"], shipped["items_shipped"]) == (2, 3)
    assert shipped["date_shipped"] != ""
    assert len((await env.client.get(path)).data) == 2


async def test_shipment_requires_address_and_items(env: Env) -> None:
    await create(env.client, product("Box", "BOX"))
    order = env.sandbox.place_order(env.store)
    path = f"/v2/orders/{order.id}/shipments"
    line = order.lines[0]
    assert (
        await env.client.post(path, {"items": [{"order_product_id": line.id, "quantity": 1}]})
    ).status == 400
    assert (await env.client.post(path, {"order_address_id": line.order_address_id})).status == 400
    wrong_address = await env.client.post(
        path, {"order_address_id": 999, "items": [{"order_product_id": line.id, "quantity": 1}]}
    )
    assert wrong_address.status == 400
    wrong_line = await env.client.post(
        path,
        {
            "order_address_id": line.order_address_id,
            "items": [{"order_product_id": 999, "quantity": 1}],
        },
    )
    assert wrong_line.status == 400
    assert (await env.client.post("/v2/orders/999/shipments", {})).status == 404


async def test_order_statuses(env: Env) -> None:
    statuses = (await env.client.get("/v2/order_statuses")).data
    assert [s["id"] for s in statuses] == list(range(15))
    assert statuses[11]["name"] == "Awaiting Fulfillment"
    assert (await env.client.get("/v2/order_statuses/3")).data["name"] == "Partially Shipped"


async def test_v2_time_and_store(env: Env) -> None:
    now = (await env.client.get("/v2/time")).data["time"]
    assert now == int(datetime(2025, 1, 15, 12, tzinfo=UTC).timestamp())
    await env.clock.advance(90)
    assert (await env.client.get("/v2/time")).data["time"] == now + 90
    store = (await env.client.get("/v2/store")).data
    assert store["id"] == env.store and store["timezone"]["name"] == "Etc/UTC"


async def test_order_metafields_belong_to_the_client(env: Env) -> None:
    await create(env.client, product("Box", "BOX"))
    order = env.sandbox.place_order(env.store)
    path = f"/v3/orders/{order.id}/metafields"
    body = {"permission_set": "app_only", "namespace": "flxd", "key": "ack", "value": "h-1"}
    made = await env.client.post(path, body)
    assert made.status == 200 and made.data["data"]["resource_id"] == order.id
    assert (await env.client.post(path, body)).status == 409
    other_app = env.client.with_token(env.sandbox.create_token(env.store, client_id="other-app"))
    assert (await other_app.post(path, body)).status == 200  # unique per client
    listed = await env.client.get(path, namespace="flxd")
    assert len(listed.data["data"]) == 2
    too_long = await env.client.post(path, {**body, "key": "k" * 65})
    assert too_long.status == 422
    assert (await env.client.get("/v3/orders/999/metafields")).status == 404
