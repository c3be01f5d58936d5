"""Webhooks: CRUD, the creation ping, deliveries as WooCommerce sends them (headers, the
signature over the exact body bytes), and disabling after repeated failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from woo_env import STORE, Env
from woo_receiver import receiver

pytestmark = pytest.mark.asyncio

SECRET = "s3cr3t/with-slash"


async def test_crud_and_the_creation_ping(plain: Env) -> None:
    c = plain.oauth()
    async with receiver() as sink:
        made = await c.post(
            "/wc/v3/webhooks",
            {
                "name": "Orders",
                "topic": "order.created",
                "delivery_url": f"{sink.url}/hook",
                "secret": SECRET,
            },
        )
        assert made.status == 201
        hook = made.data
        assert (hook["status"], hook["resource"], hook["event"]) == ("active", "order", "created")
        assert hook["hooks"] == ["woocommerce_new_order"] and "secret" not in hook
        ping = sink.received[0]
        assert ping.body == f"webhook_id={hook['id']}".encode()
        assert ping.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert "X-WC-Webhook-Signature" not in ping.headers
        paused = await c.put(f"/wc/v3/webhooks/{hook['id']}", {"status": "paused"})
        assert paused.data["status"] == "paused"
        listed = await c.get("/wc/v3/webhooks", status="paused")
        assert [h["id"] for h in listed.data] == [hook["id"]]
        no_trash = await c.delete(f"/wc/v3/webhooks/{hook['id']}")
        assert (no_trash.status, no_trash.code) == (501, "woocommerce_rest_trash_not_supported")
        assert (await c.delete(f"/wc/v3/webhooks/{hook['id']}", force="true")).status == 200
        unknown = await c.get(f"/wc/v3/webhooks/{hook['id']}")
        assert (unknown.status, unknown.data["message"]) == (400, "ID is invalid.")


async def test_creation_needs_a_topic_a_url_and_a_secret(plain: Env) -> None:
    c = plain.oauth()
    missing = await c.post(
        "/wc/v3/webhooks", {"topic": "order.created", "delivery_url": "http://x.example"}
    )
    assert (missing.code, missing.data["data"]["params"]) == (
        "rest_missing_callback_param",
        ["secret"],
    )
    bad_topic = await c.post(
        "/wc/v3/webhooks",
        {"topic": "order.shipped", "delivery_url": "http://x.example", "secret": "s"},
    )
    assert bad_topic.code == "woocommerce_rest_shop_webhook_invalid_topic"
    bad_url = await c.post(
        "/wc/v3/webhooks", {"topic": "order.created", "delivery_url": "ftp://x", "secret": "s"}
    )
    assert bad_url.code == "woocommerce_rest_shop_webhook_invalid_delivery_url"


async def test_deliveries_carry_woocommerce_headers_and_a_signature_of_the_exact_bytes(
    plain: Env,
) -> None:
    c = plain.oauth()
    sandbox = plain.sandbox
    sandbox.add_product(STORE, {"name": "Café Mug", "regular_price": "4.00"})
    async with receiver() as sink:
        for topic in ("order.created", "order.updated"):
            await c.post(
                "/wc/v3/webhooks",
                {"topic": topic, "delivery_url": f"{sink.url}/{topic}", "secret": SECRET},
            )
        order = sandbox.place_order(STORE, status="pending")
        sandbox.set_order_status(STORE, order.id, "processing")
        await sandbox.webhooks_idle()
        created = next(
            r for r in sink.received if r.path == "/order.created" and r.body.startswith(b"{")
        )
        headers = created.headers
        assert headers["X-WC-Webhook-Topic"] == "order.created"
        assert (headers["X-WC-Webhook-Resource"], headers["X-WC-Webhook-Event"]) == (
            "order",
            "created",
        )
        assert headers["X-WC-Webhook-Source"] == f"{sandbox.site_url(STORE)}/"
        assert (
            headers["User-Agent"].startswith("WooCommerce/") and "Hookshot" in headers["User-Agent"]
        )
        assert len(headers["X-WC-Webhook-Delivery-ID"]) == 32
        expected = base64.b64encode(
            hmac.new(SECRET.encode(), created.body, hashlib.sha256).digest()
        ).decode()
        assert headers["X-WC-Webhook-Signature"] == expected
        # The body is wp_json_encode's: slashes and non-ASCII escaped. Re-serialising the
        # parsed JSON gives other bytes, and a signature check on those would fail.
        assert b"\\/" in created.body and b"Caf\\u00e9" in created.body
        payload = json.loads(created.body)
        assert payload["id"] == order.id and payload["line_items"][0]["name"] == "Café Mug"
        assert json.dumps(payload).encode() != created.body
        updated = [r for r in sink.received if r.path == "/order.updated"]
        assert json.loads(updated[-1].body)["status"] == "processing"


async def test_product_updated_for_a_variation_is_the_variation_as_a_product(plain: Env) -> None:
    c = plain.oauth()
    tee = (
        await c.post(
            "/wc/v3/products",
            {
                "name": "Tee",
                "type": "variable",
                "attributes": [{"name": "Size", "variation": True, "options": ["S"]}],
            },
        )
    ).data
    small = (
        await c.post(
            f"/wc/v3/products/{tee['id']}/variations",
            {"sku": "T-S", "attributes": [{"name": "Size", "option": "S"}]},
        )
    ).data
    async with receiver() as sink:
        await c.post(
            "/wc/v3/webhooks", {"topic": "product.updated", "delivery_url": sink.url, "secret": "s"}
        )
        await c.put(
            f"/wc/v3/products/{tee['id']}/variations/{small['id']}", {"regular_price": "9.00"}
        )
        await plain.sandbox.webhooks_idle()
        events = [json.loads(r.body) for r in sink.received if r.body.startswith(b"{")]
        assert [(e["id"], e["type"], e["parent_id"], e["price"]) for e in events] == [
            (small["id"], "variation", tee["id"], "9.00")
        ]


async def test_five_failures_in_a_row_disable_a_webhook(plain: Env) -> None:
    c = plain.oauth()
    sandbox = plain.sandbox
    sandbox.add_product(STORE, {"name": "Mug", "regular_price": "4.00"})
    async with receiver() as sink:
        hook = (
            await c.post(
                "/wc/v3/webhooks",
                {"topic": "order.created", "delivery_url": sink.url, "secret": "s"},
            )
        ).data
        sink.status = 500
        for _ in range(4):
            sandbox.place_order(STORE)
        await sandbox.webhooks_idle()
        assert (await c.get(f"/wc/v3/webhooks/{hook['id']}")).data["status"] == "active"
        sink.status = 302  # a redirect counts as success and resets the count
        sandbox.place_order(STORE)
        await sandbox.webhooks_idle()
        sink.status = 500
        for _ in range(5):
            sandbox.place_order(STORE)
        await sandbox.webhooks_idle()
        assert (await c.get(f"/wc/v3/webhooks/{hook['id']}")).data["status"] == "disabled"
        delivered = len(sink.received)
        sandbox.place_order(STORE)
        await sandbox.webhooks_idle()
        assert len(sink.received) == delivered  # disabled: nothing more
        sink.status = 200
        await c.put(f"/wc/v3/webhooks/{hook['id']}", {"status": "active"})
        sandbox.place_order(STORE)
        await sandbox.webhooks_idle()
        assert len(sink.received) == delivered + 1  # delivered again (editing sends no ping)
    outcomes = [o for o in sandbox.deliveries(STORE) if o.kind == "event"]
    assert [o.ok for o in outcomes] == [False] * 4 + [True] + [False] * 5 + [True]


async def test_unreachable_receivers_are_failures_not_errors(plain: Env) -> None:
    c = plain.oauth()
    plain.sandbox.add_product(STORE, {"name": "Mug", "regular_price": "4.00"})
    made = await c.post(
        "/wc/v3/webhooks",
        {"topic": "order.created", "delivery_url": "http://127.0.0.1:9/none", "secret": "s"},
    )
    assert made.status == 201  # the failed ping changes nothing
    plain.sandbox.place_order(STORE)
    await plain.sandbox.webhooks_idle()
    outcome = plain.sandbox.deliveries(STORE)[-1]
    assert outcome.status is None and outcome.error and not outcome.ok


async def test_wordpress_policy_refuses_unsafe_destinations() -> None:
    from flxd_woocommerce.sandbox.outbound import Outbound

    policy = Outbound(policy="wordpress", verify_tls=True, cafile=None, timeout_s=1)
    home = "https://shop.example"
    assert policy.refusal("https://hooks.example/x", home) is None
    assert policy.refusal("https://hooks.example:8080/x", home) is None
    assert policy.refusal("https://hooks.example:8443/x", home) is not None
    assert policy.refusal("http://127.0.0.1/x", home) is not None
    assert policy.refusal("http://10.1.2.3/x", home) is not None
    assert policy.refusal("https://user:pw@hooks.example/x", home) is not None
    assert policy.refusal("https://shop.example/x", home) is None
    loopback = Outbound(policy="loopback", verify_tls=True, cafile=None, timeout_s=1)
    assert loopback.refusal("http://127.0.0.1:8765/x", home) is None
    assert loopback.refusal("http://10.1.2.3/x", home) is not None


async def test_only_the_trash_fires_deleted(plain: Env) -> None:
    c = plain.oauth()
    first = (await c.post("/wc/v3/products", {"name": "A"})).data
    second = (await c.post("/wc/v3/products", {"name": "B"})).data
    plain.sandbox.add_product(STORE, {"name": "Pen", "regular_price": "1.00"})
    order = plain.sandbox.place_order(STORE)
    async with receiver() as sink:
        for topic in ("product.deleted", "order.deleted"):
            await c.post(
                "/wc/v3/webhooks", {"topic": topic, "delivery_url": sink.url, "secret": "s"}
            )
        await c.delete(f"/wc/v3/products/{first['id']}")  # to the trash
        await c.delete(f"/wc/v3/products/{second['id']}", force="true")  # gone, silently
        await c.delete(f"/wc/v3/orders/{order.id}")
        await plain.sandbox.webhooks_idle()
        events = [
            (r.headers["X-WC-Webhook-Topic"], json.loads(r.body))
            for r in sink.received
            if r.body.startswith(b"{")
        ]
        assert events == [
            ("product.deleted", {"id": first["id"]}),
            ("order.deleted", {"id": order.id}),
        ]
