"""Contract: the store against WooCommerce's published documents in ../shared/woocommerce/docs.

1. Requests: the store's argument schemas agree with the route index (_index.md, with the
   documented errata); a workload touching every emulated route leaves a request log that both
   the store and the index find valid; invalid requests are refused by the store *and* flagged
   by the index.
2. Answers: every answer's fields are documented (property tables), with documented types.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flxd_woocommerce.sandbox import SandboxConfig, contract
from flxd_woocommerce.sandbox.contract import DocumentedFields, RouteIndex, schema_differences
from flxd_woocommerce.sandbox.routes.app import ENDPOINTS
from woo_client import WooClient
from woo_env import STORE, Env, open_sandbox


@pytest.fixture(autouse=True)
def documents() -> Iterator[Path]:
    yield contract.require_docs()


def test_store_schemas_agree_with_the_index() -> None:
    from flxd_woocommerce.sandbox import Sandbox

    sandbox = Sandbox()
    store = sandbox.store("shop1")
    store.statuses.register("awaiting-pickup")
    declared = [(e.route, e.methods, e.args(store)) for e in ENDPOINTS]
    assert schema_differences(RouteIndex.load(), declared, ["awaiting-pickup"]) == []
    # The comparison does find a disagreement when there is one.
    wrong = [("/wc/v3/products", ("GET",), {"per_page": {"type": "integer", "maximum": 500}})]
    assert schema_differences(RouteIndex.load(), wrong) != []


@pytest.mark.asyncio
async def test_the_served_index_lists_only_documented_routes(plain: Env) -> None:
    index = RouteIndex.load()
    served = (await plain.client.with_(auth="none").get("/wc/v3")).data["routes"]
    assert served
    for route, description in served.items():
        documented = next(r for r in index.routes if r.pattern == route)
        for endpoint in description["endpoints"]:
            for method in endpoint["methods"]:
                assert documented.args_for(method) is not None, (method, route)


async def _workload(c: WooClient, env: Env) -> list[tuple[str, Any]]:
    """Touch every emulated wc/v3 route with valid requests; return (table, answer) pairs."""
    answers: list[tuple[str, Any]] = []

    async def keep(table: str, reply: Any) -> Any:
        assert reply.status < 300, (reply.url, reply.body[:300])
        items = reply.data if isinstance(reply.data, list) else [reply.data]
        answers.extend((table, item) for item in items)
        return reply.data

    mug = await keep(
        "Product",
        await c.post(
            "/wc/v3/products",
            {
                "name": "Mug",
                "sku": "C-MUG",
                "regular_price": "5.00",
                "manage_stock": True,
                "stock_quantity": 4,
                "global_unique_id": "0123456789012",
                "meta_data": [{"key": "hub", "value": "x"}],
            },
        ),
    )
    tee = await keep(
        "Product",
        await c.post(
            "/wc/v3/products",
            {
                "name": "Tee",
                "type": "variable",
                "sku": "C-TEE",
                "attributes": [
                    {"name": "Size", "variation": True, "visible": True, "options": ["S", "M"]}
                ],
            },
        ),
    )
    base = f"/wc/v3/products/{tee['id']}/variations"
    small = await keep(
        "Product variation",
        await c.post(
            base,
            {
                "sku": "C-TEE-S",
                "regular_price": "9.00",
                "stock_status": "instock",
                "attributes": [{"name": "Size", "option": "S"}],
            },
        ),
    )
    await keep(
        "Product variation",
        await c.get(base, per_page="10", orderby="id", order="asc", stock_status="instock"),
    )
    await keep("Product variation", await c.get(f"{base}/{small['id']}"))
    await keep(
        "Product variation",
        await c.put(f"{base}/{small['id']}", {"sale_price": "8.00", "status": "private"}),
    )
    batch = await c.post(
        f"{base}/batch",
        {
            "create": [
                {
                    "sku": "C-TEE-M",
                    "regular_price": "9.50",
                    "attributes": [{"name": "Size", "option": "M"}],
                }
            ],
            "update": [{"id": small["id"], "stock_quantity": 3, "manage_stock": True}],
        },
    )
    assert batch.status == 200
    answers += [("Product variation", v) for v in batch.data["create"] + batch.data["update"]]
    await keep(
        "Product",
        await c.get(
            "/wc/v3/products",
            per_page="100",
            status="any",
            type="variable",
            orderby="title",
            order="asc",
        ),
    )
    await keep("Product", await c.get("/wc/v3/products", sku="C-TEE-S,C-MUG"))
    await keep(
        "Product",
        await c.get(
            "/wc/v3/products",
            modified_after="2025-01-01T00:00:00",
            dates_are_gmt="true",
            include=str(mug["id"]),
        ),
    )
    await keep(
        "Product",
        await c.put(
            f"/wc/v3/products/{mug['id']}", {"catalog_visibility": "hidden", "status": "draft"}
        ),
    )
    products = await c.post(
        "/wc/v3/products/batch",
        {
            "update": [{"id": mug["id"], "regular_price": "6.00"}],
            "create": [{"name": "Jar", "regular_price": "2.00"}],
        },
    )
    answers += [("Product", p) for p in products.data["update"] + products.data["create"]]
    env.sandbox.register_order_status(STORE, "awaiting-pickup")
    order = env.sandbox.place_order(STORE, status="processing")
    await keep(
        "Order",
        await c.get(
            "/wc/v3/orders",
            status="processing,awaiting-pickup",
            after="2024-01-01T00:00:00",
            per_page="50",
        ),
    )
    await keep("Order", await c.get(f"/wc/v3/orders/{order.id}", dp="3"))
    await keep(
        "Order",
        await c.put(
            f"/wc/v3/orders/{order.id}",
            {"status": "awaiting-pickup", "meta_data": [{"key": "flxd", "value": "1"}]},
        ),
    )
    orders = await c.post(
        "/wc/v3/orders/batch", {"update": [{"id": order.id, "status": "completed"}]}
    )
    answers += [("Order", o) for o in orders.data["update"]]
    await keep(
        "Order",
        await c.post(
            "/wc/v3/orders",
            {
                "line_items": [{"product_id": mug["id"], "quantity": 1}],
                "billing": {"first_name": "A"},
            },
        ),
    )
    note = await keep(
        "Order note",
        await c.post(f"/wc/v3/orders/{order.id}/notes", {"note": "Shipped", "customer_note": True}),
    )
    await keep("Order note", await c.get(f"/wc/v3/orders/{order.id}/notes", type="customer"))
    await keep("Order note", await c.get(f"/wc/v3/orders/{order.id}/notes/{note['id']}"))
    await keep(
        "Order note", await c.delete(f"/wc/v3/orders/{order.id}/notes/{note['id']}", force="true")
    )
    hook = await keep(
        "Webhook",
        await c.post(
            "/wc/v3/webhooks",
            {
                "name": "x",
                "topic": "order.updated",
                "delivery_url": "http://127.0.0.1:9/x",
                "secret": "s",
            },
        ),
    )
    await keep("Webhook", await c.get("/wc/v3/webhooks", status="active"))
    await keep("Webhook", await c.put(f"/wc/v3/webhooks/{hook['id']}", {"status": "paused"}))
    await keep("Webhook", await c.get(f"/wc/v3/webhooks/{hook['id']}"))
    await keep("Webhook", await c.delete(f"/wc/v3/webhooks/{hook['id']}", force="true"))
    await keep("Product variation", await c.delete(f"{base}/{small['id']}", force="true"))
    await keep("Product", await c.delete(f"/wc/v3/products/{mug['id']}"))
    return answers


@pytest.mark.asyncio
async def test_a_valid_workload_is_valid_by_the_store_and_by_the_index() -> None:
    async with open_sandbox(SandboxConfig(tls=True, seed_products=5, seed_orders=3)) as env:
        answers = await _workload(env.client, env)
        log = env.sandbox.requests(STORE)
        assert len(log) >= 28
        log.assert_valid()
        RouteIndex.load().assert_valid(log, ["awaiting-pickup"])
        fields = DocumentedFields.load()
        problems = [p for table, answer in answers for p in fields.problems(table, answer)]
        assert problems == []


INVALID: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", "/wc/v3/products", {"per_page": "0"}, None),
    ("GET", "/wc/v3/products", {"status": "deleted"}, None),
    ("GET", "/wc/v3/products", {"include": "a,b"}, None),
    ("GET", "/wc/v3/orders", {"status": "shipped"}, None),
    ("GET", "/wc/v3/orders", {"after": "yesterday"}, None),
    ("POST", "/wc/v3/products", {}, {"name": "X", "regular_price": 5}),
    ("POST", "/wc/v3/products", {}, {"name": "X", "manage_stock": "maybe"}),
    ("POST", "/wc/v3/products", {}, {"name": "X", "stock_quantity": 1.5}),
    ("POST", "/wc/v3/webhooks", {}, {"topic": "order.created", "delivery_url": "http://x.example"}),
]


@pytest.mark.asyncio
async def test_invalid_requests_are_refused_and_flagged_by_both() -> None:
    async with open_sandbox(SandboxConfig(tls=True, seed_products=2)) as env:
        order = env.sandbox.place_order(STORE)
        cases = [*INVALID, ("POST", f"/wc/v3/orders/{order.id}/notes", {}, {"customer_note": True})]
        index = RouteIndex.load()
        for method, route, params, body in cases:
            reply = await env.client.request(method, route, params=params, json_body=body)
            assert reply.status == 400, (route, params, body)
            assert reply.code in ("rest_invalid_param", "rest_missing_callback_param")
            entry = env.sandbox.requests(STORE).entries[-1]
            assert entry.problems, (route, params, body)
            assert index.problems(entry), (route, params, body)


def test_documented_fields_catch_what_is_not_documented() -> None:
    fields = DocumentedFields.load()
    assert fields.problems("Order note", {"id": 1, "note": "x", "bogus": 1}) == [
        "bogus: not a documented field of Order note"
    ]
    assert fields.problems("Order", {"id": "7", "billing": {"city": 3}}) == [
        "id: '7' is not a documented integer",
        "billing.city: 3 is not a documented string",
    ]
    assert fields.problems("Product", {"date_created": "2025-01-15 12:00:00"}) != []


def test_missing_documents_skip_with_a_reason_or_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLXD_SHARED_DIR", str(tmp_path))
    reason = contract.missing_reason()
    assert reason is not None and str(tmp_path / "woocommerce" / "docs") in reason
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        contract.require_docs()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        contract.require_docs()


def test_the_documents_are_found_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLXD_SHARED_DIR", raising=False)
    assert contract.docs_dir() == contract.REPO_ROOT.parent / "shared" / "woocommerce" / "docs"
    assert (contract.REPO_ROOT / "plugins" / "woocommerce").is_dir()
