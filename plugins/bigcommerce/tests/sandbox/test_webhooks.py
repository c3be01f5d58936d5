"""Webhooks: registration rules, and deliveries in BigCommerce's payload shape with the hook's
custom headers."""

from __future__ import annotations

import jsonschema
import pytest
from flxd_bigcommerce.sandbox import CartLine
from sandbox_contract import documents_present, webhook_schema
from sandbox_env import Env
from sandbox_hooks import receiver, register
from sandbox_payloads import create, product, sized

pytestmark = pytest.mark.asyncio


async def test_order_product_and_sku_events_are_delivered(env: Env) -> None:
    async with receiver() as (url, received):
        for scope in ("store/order/*", "store/product/*", "store/sku/updated"):
            await register(env, scope, url)
        made = await create(
            env.client,
            product("Hooked", "HK", inventory_tracking="variant", variants=[sized("HK-S", "S")]),
        )
        variant = (await env.client.get(f"/v3/catalog/products/{made['id']}/variants")).data[
            "data"
        ][0]
        await env.client.put(
            f"/v3/catalog/products/{made['id']}/variants/{variant['id']}", {"price": 3}
        )
        order = env.sandbox.place_order(
            env.store, [CartLine(product_id=made["id"], variant_id=variant["id"])]
        )
        env.sandbox.set_order_status(env.store, order.id, 9)
        await env.sandbox.dispatcher.wait_idle()

    scopes = [payload["scope"] for _, payload in received]
    assert scopes == [
        "store/product/created",
        "store/sku/updated",
        "store/order/created",
        "store/order/updated",
        "store/order/statusUpdated",
    ]
    by_scope = {payload["scope"]: payload for _, payload in received}
    status = by_scope["store/order/statusUpdated"]
    assert status["data"] == {
        "type": "order",
        "id": order.id,
        "status": {"previous_status_id": 11, "new_status_id": 9},
    }
    assert status["producer"] == f"stores/{env.store}"
    assert status["store_id"] == str(env.sandbox.store(env.store).store_id)
    assert status["created_at"] == int(env.clock.now().timestamp())
    assert len(status["hash"]) == 40
    sku = by_scope["store/sku/updated"]["data"]
    assert sku["sku"] == {"product_id": made["id"], "variant_id": variant["id"]}
    assert all(headers["X-Flxd-Secret"] == "s3cret" for headers, _ in received)
    assert all(o.ok for o in env.sandbox.deliveries(env.store))
    if documents_present():
        for _, payload in received:
            jsonschema.validate(payload, webhook_schema(payload["scope"]))


async def test_inactive_hooks_and_other_scopes_get_nothing(env: Env) -> None:
    async with receiver() as (url, received):
        hook = await register(env, "store/order/created", url)
        await env.client.put(f"/v3/hooks/{hook['id']}", {"is_active": False})
        await register(env, "store/shipment/created", url)
        await create(env.client, product("Quiet", "Q"))
        env.sandbox.place_order(env.store)
        await env.sandbox.dispatcher.wait_idle()
    assert received == []


async def test_failed_deliveries_are_logged(env: Env) -> None:
    async with receiver(status=500) as (url, received):
        await register(env, "store/product/created", url)
        await create(env.client, product("Failing", "F"))
        await env.sandbox.dispatcher.wait_idle()
    [outcome] = env.sandbox.deliveries(env.store)
    assert (outcome.status, outcome.ok) == (500, False)
    assert len(received) == 1


async def test_destination_rules(env: Env) -> None:
    async def status(destination: str) -> int:
        reply = await env.client.post(
            "/v3/hooks", {"scope": "store/order/created", "destination": destination}
        )
        return reply.status

    assert await status("https://example.com/hooks") == 200
    assert await status("https://example.com:443/other") == 200
    assert await status("http://localhost:8080/hooks") == 200  # sandbox: loopback HTTP is fine
    assert await status("http://[::1]:8080/hooks") == 200
    assert await status("http://example.com/hooks") == 422
    assert await status("https://example.com:8443/hooks") == 422
    assert await status("https://example.com/hooks") == 422  # same scope and destination again
    missing = await env.client.post("/v3/hooks", {"scope": "store/order/created"})
    assert missing.status == 422 and "destination" in missing.data["errors"]


async def test_hooks_belong_to_the_client_that_made_them(env: Env) -> None:
    hook = await register(env, "store/order/created", "https://example.com/a")
    other = env.client.with_token(env.sandbox.create_token(env.store, client_id="another"))
    assert (await other.get("/v3/hooks")).data["data"] == []
    assert (await other.get(f"/v3/hooks/{hook['id']}")).status == 404
    listed = (await env.client.get("/v3/hooks")).data["data"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert listed[0]["client_id"] == "flxd-sandbox-account"
    deleted = await env.client.delete(f"/v3/hooks/{hook['id']}")
    assert deleted.status == 200 and deleted.data["data"]["id"] == hook["id"]
    assert (await env.client.get("/v3/hooks")).data["data"] == []


async def test_inventory_events_follow_the_tracking_mode(env: Env) -> None:
    by_product = await create(env.client, product("Stocked", "ST", inventory_tracking="product"))
    by_variant = await create(
        env.client,
        product("Sized", "SZ", inventory_tracking="variant", variants=[sized("SZ-S", "S")]),
    )
    variant = (await env.client.get(f"/v3/catalog/products/{by_variant['id']}/variants")).data[
        "data"
    ][0]
    async with receiver() as (url, received):
        await register(env, "store/product/inventory/updated", url)
        await register(env, "store/sku/inventory/updated", url)
        reply = await env.client.put(
            "/v3/inventory/adjustments/absolute",
            {
                "items": [
                    {"location_id": 1, "product_id": by_product["id"], "quantity": 12},
                    {"location_id": 1, "variant_id": variant["id"], "quantity": 4},
                ]
            },
        )
        assert reply.status == 200
        await env.sandbox.dispatcher.wait_idle()
    data = {payload["scope"]: payload["data"] for _, payload in received}
    assert data["store/product/inventory/updated"]["inventory"] == {
        "product_id": by_product["id"],
        "method": "absolute",
        "value": 12,
    }
    assert data["store/sku/inventory/updated"]["inventory"] == {
        "product_id": by_variant["id"],
        "variant_id": variant["id"],
        "method": "absolute",
        "value": 4,
    }
    if documents_present():
        for _, payload in received:
            jsonschema.validate(payload, webhook_schema(payload["scope"]))
