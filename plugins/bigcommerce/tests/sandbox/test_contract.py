"""Contract: every endpoint the sandbox serves, success and error answers, validated against
BigCommerce's OpenAPI documents (see ``sandbox_contract`` for how and for the errata), under
both behaviours: the pessimistic one must answer in documented shapes too (its 207s, clamped
pages, 429s without headers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio
from flxd_bigcommerce.sandbox import PessimisticSettings, SandboxConfig
from flxd_bigcommerce.sandbox.routes.app import ENDPOINTS
from sandbox_contract import ContractChecker, documented_operation, require_documents
from sandbox_env import BEHAVIOURS, Env, open_sandbox
from sandbox_payloads import product, sized


@pytest.fixture(autouse=True)
def _documents() -> None:
    require_documents()


@pytest_asyncio.fixture(params=BEHAVIOURS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Env, ContractChecker]]:
    behaviour = request.param
    config = SandboxConfig(seed_products=12, seed_orders=30, quota=10_000, behaviour=behaviour)
    async with open_sandbox(config) as opened:
        yield opened, ContractChecker(opened.store, bare_429=behaviour == "pessimistic")


def _simple_and_complex(env: Env) -> tuple[int, int]:
    catalog = env.sandbox.store(env.store).catalog
    simple = next(p.id for p in catalog.products.values() if p.base_variant_id is not None)
    complex_ = next(p.id for p in catalog.products.values() if p.base_variant_id is None)
    return simple, complex_


@pytest.mark.asyncio
async def test_products(store: tuple[Env, ContractChecker]) -> None:
    env, check = store
    c = env.client
    simple, complex_ = _simple_and_complex(env)
    check.check(await c.get("/v3/catalog/products", include="variants,custom_fields", limit="5"))
    check.check(await c.get("/v3/catalog/products", sort="date_modified", direction="desc"))
    check.check(await c.get("/v3/catalog/products", **{"id:in": f"{simple},{complex_}"}))
    check.check(await c.get("/v3/catalog/products", include="options", limit="50"))
    check.check(await c.get("/v3/catalog/products", limit="251"), request=False)
    check.check(await c.get(f"/v3/catalog/products/{simple}", include="variants,custom_fields"))
    check.check(await c.get(f"/v3/catalog/products/{complex_}", include="variants"))
    check.check(await c.get("/v3/catalog/products/999999"))

    # request=False: the spec types POST variants as productVariant_Full, which requires the
    # id and product_id a variant cannot have before it is created.
    created = check.check(
        await c.post(
            "/v3/catalog/products",
            {
                "name": "Contract Mug",
                "type": "physical",
                "weight": 1,
                "price": 12.5,
                "sku": "CONTRACT-1",
                "custom_fields": [{"name": "Material", "value": "Ceramic"}],
                "variants": [
                    {
                        "sku": "CONTRACT-1-S",
                        "option_values": [{"option_display_name": "Size", "label": "S"}],
                    },
                    {
                        "sku": "CONTRACT-1-L",
                        "option_values": [{"option_display_name": "Size", "label": "L"}],
                    },
                ],
            },
        ),
        request=False,
    )
    assert created.status == 200
    new_id = created.data["data"]["id"]
    check.check(
        await c.post("/v3/catalog/products", {"name": "No price", "type": "physical"}),
        request=False,
    )
    duplicate = await c.post(
        "/v3/catalog/products",
        {"name": "Other", "type": "physical", "weight": 1, "price": 1, "sku": "contract-1"},
    )
    assert check.check(duplicate).status == 409
    too_long = await c.post(
        "/v3/catalog/products",
        {
            "name": "Long",
            "type": "physical",
            "weight": 1,
            "price": 1,
            "custom_fields": [{"name": "n", "value": "x" * 251}],
        },
    )
    assert check.check(too_long, request=False).status == 422

    check.check(await c.put(f"/v3/catalog/products/{new_id}", {"price": 13}))
    partial = await c.put(
        f"/v3/catalog/products/{new_id}", {"inventory_tracking": "variant", "inventory_level": 5}
    )
    assert check.check(partial).status == 207
    check.check(await c.put(f"/v3/catalog/products/{new_id}", {"sku": "CONTRACT-1-S"}))
    check.check(await c.put("/v3/catalog/products/999999", {"price": 1}))

    batch = await c.put(
        "/v3/catalog/products", [{"id": simple, "price": 20}, {"id": new_id, "is_visible": False}]
    )
    # request=False: a batch item must carry its id, which the schema marks read-only.
    assert check.check(batch, request=False).status == 200
    too_many = await c.put("/v3/catalog/products", [{"id": simple}] * 11)
    assert check.check(too_many, request=False).status == 413
    check.check(await c.put("/v3/catalog/products", [{"price": 1}]), request=False)

    check.check(await c.delete(f"/v3/catalog/products/{new_id}"))
    check.check(await c.delete("/v3/catalog/products", **{"id:in": str(simple)}))
    ids = ",".join(str(i) for i in range(1, 252))
    check.check(await c.delete("/v3/catalog/products", **{"id:in": ids}), request=False)


@pytest.mark.asyncio
async def test_variants_options_and_custom_fields(store: tuple[Env, ContractChecker]) -> None:
    env, check = store
    c = env.client
    simple, complex_ = _simple_and_complex(env)
    base = f"/v3/catalog/products/{complex_}"
    check.check(await c.get(base + "/variants"))
    check.check(await c.get("/v3/catalog/variants", limit="10"))
    check.check(await c.get("/v3/catalog/variants", sku="SBX-00001"))
    options = check.check(await c.get(base + "/options")).data["data"]
    option = options[0]
    check.check(await c.get(f"{base}/options/{option['id']}"))
    value = check.check(
        await c.post(f"{base}/options/{option['id']}/values", {"label": "Extra", "sort_order": 9})
    ).data["data"]
    check.check(await c.get(f"{base}/options/{option['id']}/values"))
    check.check(await c.get(f"{base}/options/{option['id']}/values/{value['id']}"))
    check.check(
        await c.put(
            f"{base}/options/{option['id']}/values/{value['id']}",
            {"label": "Extra!", "sort_order": 9},
        )
    )
    refs = [{"id": value["id"], "option_id": option["id"]}]
    refs += [{"id": o["option_values"][0]["id"], "option_id": o["id"]} for o in options[1:]]
    made = check.check(await c.post(base + "/variants", {"sku": "CT-NEW", "option_values": refs}))
    variant_id = made.data["data"]["id"]
    check.check(await c.get(f"{base}/variants/{variant_id}"))
    check.check(await c.put(f"{base}/variants/{variant_id}", {"price": 3.5, "upc": "012345678905"}))
    check.check(
        await c.post(base + "/variants", {"sku": "ct-new", "option_values": refs}), request=False
    )
    check.check(await c.get(f"{base}/variants/999999"))
    batch = await c.put("/v3/catalog/variants", [{"id": variant_id, "price": 4}])
    assert check.check(batch).status == 200
    over = await c.put("/v3/catalog/variants", [{"id": variant_id}] * 51)
    assert check.check(over, request=False).status == 413
    invalid = await c.put("/v3/catalog/variants", [{"id": 999999, "price": 1}])
    assert check.check(invalid).status == 422
    check.check(await c.delete(f"{base}/variants/{variant_id}"))
    check.check(await c.delete(f"{base}/options/{option['id']}/values/{value['id']}"))
    made_option = check.check(
        await c.post(
            f"/v3/catalog/products/{simple}/options",
            {
                "display_name": "Finish",
                "type": "dropdown",
                "option_values": [{"label": "Matte", "sort_order": 0}],
            },
        )
    ).data["data"]
    check.check(
        await c.put(
            f"/v3/catalog/products/{simple}/options/{made_option['id']}",
            {"display_name": "Surface"},
        )
    )
    check.check(await c.delete(f"/v3/catalog/products/{simple}/options/{made_option['id']}"))

    fields = f"/v3/catalog/products/{simple}/custom-fields"
    check.check(await c.get(fields))
    field = check.check(await c.post(fields, {"name": "Fit", "value": "Regular"})).data["data"]
    check.check(await c.get(f"{fields}/{field['id']}"))
    check.check(await c.put(f"{fields}/{field['id']}", {"value": "Slim"}))
    check.check(await c.post(fields, {"name": "Fit", "value": "Slim"}))
    check.check(await c.post(fields, {"name": "Fit", "value": "y" * 251}), request=False)
    check.check(await c.delete(f"{fields}/{field['id']}"))


@pytest.mark.asyncio
async def test_inventory(store: tuple[Env, ContractChecker]) -> None:
    env, check = store
    c = env.client
    catalog = env.sandbox.store(env.store).catalog
    by_product = next(p for p in catalog.products.values() if p.inventory_tracking == "product")
    by_variant = next(
        p
        for p in catalog.products.values()
        if p.inventory_tracking == "variant" and p.base_variant_id is None
    )
    variant = next(catalog.variants_of(by_variant.id))
    check.check(await c.get("/v3/inventory/items", limit="5"))
    check.check(await c.get("/v3/inventory/items", **{"product_id:in": str(by_product.id)}))
    ok = await c.put(
        "/v3/inventory/adjustments/absolute",
        {
            "reason": "contract",
            "items": [
                {"location_id": 1, "product_id": by_product.id, "quantity": 7},
                {"location_id": 1, "variant_id": variant.id, "quantity": 3},
            ],
        },
    )
    assert check.check(ok).status == 200
    wrong_mode = await c.put(
        "/v3/inventory/adjustments/absolute",
        {
            "items": [{"location_id": 1, "product_id": by_variant.id, "quantity": 1}],
        },
    )
    assert check.check(wrong_mode).status == 422
    assert wrong_mode.content_type == "application/problem+json"


@pytest.mark.asyncio
async def test_orders(store: tuple[Env, ContractChecker]) -> None:
    env, check = store
    c = env.client
    book = env.sandbox.store(env.store).orders
    order_id = book.listed_ids()[0]
    check.check(await c.get("/v2/orders", limit="5"))
    check.check(
        await c.get(
            "/v2/orders",
            include="consignments.line_items",
            consignment_structure="object",
            limit="3",
        )
    )
    check.check(await c.get("/v2/orders", sort="date_modified:asc"), request=False)
    check.check(await c.get("/v2/orders", min_date_modified="Tue, 20 Nov 2012 00:00:00 +0000"))
    empty = await c.get("/v2/orders", min_id="999999")
    assert check.check(empty).status == 204
    check.check(await c.get("/v2/orders", limit="251"), request=False)
    check.check(await c.get("/v2/orders/count", status_id="11"))
    check.check(await c.get(f"/v2/orders/{order_id}"))
    check.check(await c.get("/v2/orders/999999"))
    check.check(await c.put(f"/v2/orders/{order_id}", {"status_id": 9}))
    check.check(await c.put(f"/v2/orders/{order_id}", {"status_id": 99}))
    check.check(await c.get(f"/v2/orders/{order_id}/products", limit="2"))
    addresses = check.check(await c.get(f"/v2/orders/{order_id}/shipping_addresses")).data
    check.check(await c.get(f"/v2/orders/{order_id}/shipping_addresses/{addresses[0]['id']}"))
    line_id = book.orders[order_id].lines[0].id
    check.check(await c.get(f"/v2/orders/{order_id}/products/{line_id}"))
    check.check(await c.get(f"/v2/orders/{order_id}/consignments"))
    check.check(await c.get("/v2/order_statuses"))
    check.check(await c.get("/v2/order_statuses/11"))


@pytest.mark.asyncio
async def test_shipments(store: tuple[Env, ContractChecker]) -> None:
    env, check = store
    c = env.client
    order = env.sandbox.place_order(env.store, status_id=11)
    path = f"/v2/orders/{order.id}/shipments"
    assert check.check(await c.get(path)).status == 204
    line = order.lines[0]
    body = {
        "order_address_id": line.order_address_id,
        "items": [{"order_product_id": line.id, "quantity": line.quantity}],
        "tracking_number": "1Z999",
        "shipping_provider": "ups",
    }
    created = await c.post(path, body)
    assert check.check(created).status == 201
    assert check.check(await c.post(path, body)).status == 400
    check.check(await c.get(path))
    check.check(await c.get(path + "/count"))
    shipment_id = created.data["id"]
    check.check(await c.get(f"{path}/{shipment_id}"))
    check.check(await c.put(f"{path}/{shipment_id}", {"tracking_number": "1Z998"}))
    check.check(await c.delete(f"{path}/{shipment_id}"))


@pytest.mark.asyncio
async def test_order_metafields(store: tuple[Env, ContractChecker]) -> None:
    env, check = store
    c = env.client
    order_id = env.sandbox.store(env.store).orders.listed_ids()[0]
    path = f"/v3/orders/{order_id}/metafields"
    body = {"permission_set": "app_only", "namespace": "flxd", "key": "ack", "value": "1"}
    made = check.check(await c.post(path, body)).data["data"]
    assert check.check(await c.post(path, body)).status == 409
    check.check(await c.post(path, {"namespace": "flxd"}), request=False)
    check.check(await c.get(path))
    check.check(await c.get(f"{path}/{made['id']}"))
    check.check(await c.put(f"{path}/{made['id']}", {**body, "value": "2"}))
    check.check(await c.get(f"{path}/999999"))
    check.check(await c.delete(f"{path}/{made['id']}"))


@pytest.mark.asyncio
async def test_webhooks_and_store(store: tuple[Env, ContractChecker]) -> None:
    env, check = store
    c = env.client
    body = {
        "scope": "store/order/*",
        "destination": "https://example.com/hooks",
        "headers": {"X-Secret": "s3cret"},
    }
    hook = check.check(await c.post("/v3/hooks", body)).data["data"]
    check.check(await c.post("/v3/hooks", {"scope": "store/order/*"}), request=False)
    check.check(await c.post("/v3/hooks", {**body, "destination": "https://example.com:8443/h"}))
    check.check(await c.get("/v3/hooks"))
    check.check(await c.get(f"/v3/hooks/{hook['id']}"))
    check.check(await c.put(f"/v3/hooks/{hook['id']}", {"is_active": False}))
    check.check(await c.delete(f"/v3/hooks/{hook['id']}"))
    check.check(await c.get("/v3/hooks/999999"))
    check.check(await c.get("/v2/store"))
    check.check(await c.get("/v2/time"))


@pytest.mark.asyncio
async def test_auth_and_rate_limit_errors(store: tuple[Env, ContractChecker]) -> None:
    env, check = store
    c = env.client
    # request=False: without a valid token the request breaks the spec's security rule.
    check.check(await c.with_token("").get("/v3/catalog/products"), request=False)
    check.check(await c.with_token("nope").get("/v2/orders"), request=False)
    read_only = env.sandbox.create_token(env.store, ["store_v2_products_read_only"])
    denied = await c.with_token(read_only).post(
        "/v3/catalog/products", {"name": "x", "type": "physical", "weight": 1, "price": 1}
    )
    assert check.check(denied).status == 403
    check.check(await c.with_token(read_only).get("/v2/orders"))
    env.sandbox.consume_quota(env.store, 10_000)
    assert check.check(await c.get("/v3/catalog/products")).status == 429
    assert check.check(await c.get("/v2/orders")).status == 429
    assert check.check(await c.get("/v3/inventory/items")).status == 429


@pytest.mark.asyncio
async def test_partial_writes_and_clamped_pages(store: tuple[Env, ContractChecker]) -> None:
    """Every stock-carrying write is a 207 when pessimistic (rate 1), pages are clamped small
    enough to show on a small store; documented, the same requests answer 200 unclamped."""
    env, check = store
    c = env.client
    pessimistic = env.sandbox.behaviour.name == "pessimistic"
    if pessimistic:
        env.sandbox.set_behaviour(
            "pessimistic",
            replace(
                PessimisticSettings(),
                partial_write_rate=1.0,
                variants_page_limit=5,
                v2_page_limit=7,
            ),
        )
    partial = 207 if pessimistic else 200

    made = await c.post(
        "/v3/catalog/products",
        product("Shape Mug", "SHAPE-1", inventory_tracking="product", inventory_level=3),
    )
    assert check.check(made).status == partial
    # A create's 207 carries the product in an array, as documented (its 200: the object).
    mug = (made.data["data"][0] if pessimistic else made.data["data"])["id"]
    # Stock on a product tracked by variant is a 207 under both behaviours.
    tracked = await c.post(
        "/v3/catalog/products",
        product(
            "Shape Cap",
            "SHAPE-3",
            inventory_tracking="variant",
            inventory_level=2,
            variants=[sized("SHAPE-3-S", "S")],
        ),
    )
    assert check.check(tracked, request=False).status == 207
    assert [p["sku"] for p in tracked.data["data"]] == ["SHAPE-3"]
    batch = await c.put("/v3/catalog/products", [{"id": mug, "inventory_level": 4, "price": 5}])
    assert check.check(batch, request=False).status == partial
    tee = check.check(
        await c.post(
            "/v3/catalog/products",
            product(
                "Shape Tee",
                "SHAPE-2",
                inventory_tracking="variant",
                variants=[sized("SHAPE-2-S", "S")],
            ),
        ),
        request=False,
    ).data["data"]
    base = f"/v3/catalog/products/{tee['id']}/variants"
    [variant] = check.check(await c.get(base)).data["data"]
    one = await c.put(f"{base}/{variant['id']}", {"inventory_level": 2, "price": 3})
    assert check.check(one).status == partial
    option = variant["option_values"][0]
    new_value = check.check(
        await c.post(
            f"/v3/catalog/products/{tee['id']}/options/{option['option_id']}/values",
            {"label": "M", "sort_order": 1},
        )
    ).data["data"]
    added = await c.post(
        base,
        {
            "sku": "SHAPE-2-M",
            "inventory_level": 6,
            "option_values": [{"id": new_value["id"], "option_id": option["option_id"]}],
        },
    )
    assert check.check(added).status == partial
    variants_batch = await c.put(
        "/v3/catalog/variants", [{"id": variant["id"], "inventory_level": 1}]
    )
    assert check.check(variants_batch).status == partial

    per_page = 5 if pessimistic else 250
    listed = check.check(await c.get("/v3/catalog/products", include="variants", limit="250"))
    meta = listed.data["meta"]["pagination"]
    assert (meta["per_page"], meta["total"], len(listed.data["data"])) == (
        per_page,
        15,
        min(15, per_page),
    )
    assert meta["total_pages"] == -(-15 // per_page)
    variants = check.check(await c.get("/v3/catalog/variants", limit="250", page="2"))
    assert variants.data["meta"]["pagination"]["per_page"] == per_page
    orders = check.check(await c.get("/v2/orders", limit="250"))
    listed_orders = len(env.sandbox.store(env.store).orders.listed_ids())
    assert len(orders.data) == (7 if pessimistic else listed_orders)


def test_every_sandbox_endpoint_is_a_documented_bigcommerce_operation() -> None:
    """Paths and methods are exactly BigCommerce's (one alias aside: the order payload's own
    ``shippingaddresses`` link, D:OV2#L3569)."""
    undocumented = [
        e.name
        for e in ENDPOINTS
        if not documented_operation(e.method, e.path) and not e.path.endswith("/shippingaddresses")
    ]
    assert undocumented == []
