"""The list filters a client relies on: products by sku, status, type, include and dates;
orders by status (one, several, custom) and dates; WordPress's and PHP's ways with them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flxd_woocommerce.sandbox import CartLine, SandboxConfig
from woo_env import START, STORE, Env, open_sandbox

pytestmark = pytest.mark.asyncio


async def _catalog(env: Env) -> dict[str, int]:
    c = env.oauth()
    mug = (
        await c.post("/wc/v3/products", {"name": "Mug", "sku": "MUG-1", "regular_price": "9.00"})
    ).data
    await env.clock.advance(60)
    draft = (
        await c.post("/wc/v3/products", {"name": "Jar", "sku": "JAR-1", "status": "draft"})
    ).data
    await env.clock.advance(60)
    tee = (
        await c.post(
            "/wc/v3/products",
            {
                "name": "Tee",
                "type": "variable",
                "sku": "TEE",
                "attributes": [{"name": "Size", "variation": True, "options": ["S", "M"]}],
            },
        )
    ).data
    small = (
        await c.post(
            f"/wc/v3/products/{tee['id']}/variations",
            {
                "sku": "TEE-S",
                "regular_price": "20.00",
                "attributes": [{"name": "Size", "option": "S"}],
            },
        )
    ).data
    return {"mug": mug["id"], "jar": draft["id"], "tee": tee["id"], "small": small["id"]}


async def test_sku_matches_products_and_variations_without_case(plain: Env) -> None:
    ids = await _catalog(plain)
    c = plain.oauth()
    found = await c.get("/wc/v3/products", sku="mug-1")
    assert [p["id"] for p in found.data] == [ids["mug"]]
    variation = (await c.get("/wc/v3/products", sku="TEE-S")).data
    assert [(p["id"], p["type"], p["parent_id"]) for p in variation] == [
        (ids["small"], "variation", ids["tee"])
    ]
    several = await c.get("/wc/v3/products", sku="MUG-1,TEE-S", orderby="id", order="asc")
    assert [p["id"] for p in several.data] == [ids["mug"], ids["small"]]


async def test_status_type_and_include(plain: Env) -> None:
    ids = await _catalog(plain)
    c = plain.oauth()
    drafts = await c.get("/wc/v3/products", status="draft")
    assert [p["id"] for p in drafts.data] == [ids["jar"]]
    variable = await c.get("/wc/v3/products", type="variable")
    assert [p["id"] for p in variable.data] == [ids["tee"]]
    assert variable.data[0]["variations"] == [ids["small"]]
    chosen = await c.get("/wc/v3/products", include=f"{ids['tee']},{ids['mug']}", orderby="include")
    assert [p["id"] for p in chosen.data] == [ids["tee"], ids["mug"]]
    bad = await c.get("/wc/v3/products", status="trash")
    assert bad.data["data"]["params"]["status"] == (
        "status is not one of any, draft, pending, private, publish."
    )


async def test_default_order_is_newest_first(plain: Env) -> None:
    ids = await _catalog(plain)
    listed = await plain.oauth().get("/wc/v3/products")
    assert [p["id"] for p in listed.data] == [ids["tee"], ids["jar"], ids["mug"]]


async def test_modified_after_is_strict_and_second_resolution(plain: Env) -> None:
    ids = await _catalog(plain)
    c = plain.oauth()
    mug = (await c.get(f"/wc/v3/products/{ids['mug']}")).data
    same = await c.get(
        "/wc/v3/products", modified_after=mug["date_modified_gmt"], dates_are_gmt="true"
    )
    assert ids["mug"] not in [p["id"] for p in same.data]
    before = (START - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    earlier = await c.get("/wc/v3/products", modified_after=before, dates_are_gmt="true")
    assert ids["mug"] in [p["id"] for p in earlier.data]


async def test_dates_are_local_unless_dates_are_gmt(plain: Env) -> None:
    ids = await _catalog(plain)
    c = plain.oauth()
    # The site is at -03:00: the mug was created at 12:00:00 GMT, 09:00:00 site time.
    local = await c.get("/wc/v3/products", after="2025-01-15T08:59:59")
    gmt_naive = await c.get("/wc/v3/products", after="2025-01-15T11:59:59", dates_are_gmt="true")
    assert ids["mug"] in [p["id"] for p in local.data]
    assert ids["mug"] in [p["id"] for p in gmt_naive.data]
    with_offset = await c.get("/wc/v3/products", after="2025-01-15T11:59:59+00:00")
    assert ids["mug"] in [p["id"] for p in with_offset.data]


async def test_an_offset_with_dates_are_gmt_shifts_the_bound_by_the_site_offset(
    plain: Env,
) -> None:
    # WP_Date_Query turns a value with an offset into *site* time, then compares it with the
    # GMT column. The mug was created at 12:00:00 GMT.
    ids = await _catalog(plain)
    c = plain.oauth()
    late = await c.get("/wc/v3/products", after="2025-01-15T13:00:00Z", dates_are_gmt="true")
    assert ids["mug"] in [p["id"] for p in late.data]  # bound read as 10:00 GMT: too early
    plain.sandbox.configure_store(STORE, timezone="+02:00")
    early = await c.get("/wc/v3/products", after="2025-01-15T11:00:00Z", dates_are_gmt="true")
    assert ids["mug"] not in [p["id"] for p in early.data]  # read as 13:00 GMT: missed
    naive = await c.get("/wc/v3/products", after="2025-01-15T11:00:00", dates_are_gmt="true")
    assert ids["mug"] in [p["id"] for p in naive.data]


async def test_a_date_without_time_is_refused(plain: Env) -> None:
    reply = await plain.oauth().get("/wc/v3/products", modified_after="2025-01-15")
    assert reply.status == 400
    assert reply.data["data"]["params"] == {"modified_after": "Invalid date."}
    assert reply.data["data"]["details"]["modified_after"]["code"] == "rest_invalid_date"


async def test_order_status_filters() -> None:
    async with open_sandbox(SandboxConfig(seed_products=6)) as env:
        sandbox = env.sandbox
        line = [CartLine(product_id=_first_simple(env))]
        slug = sandbox.register_order_status(STORE, "wc-awaiting-shipment", "Awaiting shipment")
        placed = {
            status: sandbox.place_order(STORE, line, status=status).id
            for status in ("processing", "on-hold", "completed", "pending")
        }
        custom = sandbox.place_order(STORE, line, status=slug).id
        c = env.oauth()

        async def ids(**params: str) -> set[int]:
            return {o["id"] for o in (await c.get("/wc/v3/orders", **params)).data}

        assert slug == "awaiting-shipment"
        assert await ids(status="processing") == {placed["processing"]}
        assert await ids(status="processing,on-hold") == {placed["processing"], placed["on-hold"]}
        both = await c.request(
            "GET", "/wc/v3/orders", params={"status[0]": "completed", "status[1]": "pending"}
        )
        assert {o["id"] for o in both.data} == {placed["completed"], placed["pending"]}
        assert await ids(status="awaiting-shipment") == {custom}
        assert await ids() == {*placed.values(), custom}
        unknown = await c.get("/wc/v3/orders", status="shipped")
        assert (
            unknown.status == 400
            and "status[0] is not one of any, trash, pending"
            in (unknown.data["data"]["params"]["status"])
        )


async def test_php_keeps_the_last_of_repeated_parameters() -> None:
    async with open_sandbox(SandboxConfig(seed_products=4, tls=True)) as env:
        line = [CartLine(product_id=_first_simple(env))]
        done = env.sandbox.place_order(env.store, line, status="completed").id
        env.sandbox.place_order(env.store, line, status="processing")
        key = env.sandbox.default_key(STORE)
        url = (
            f"{env.sandbox.site_url(STORE)}/wp-json/wc/v3/orders"
            f"?status=processing&status=completed"
            f"&consumer_key={key.consumer_key}&consumer_secret={key.consumer_secret}"
        )
        async with env.session.get(url) as response:
            assert [o["id"] for o in await response.json()] == [done]


async def test_orders_by_creation_and_modification(plain: Env) -> None:
    sandbox = plain.sandbox
    sandbox.add_product(STORE, {"name": "Pen", "regular_price": "2.00"})
    first = sandbox.place_order(STORE, status="processing")
    await plain.clock.advance(3600)
    second = sandbox.place_order(STORE, status="processing")
    await plain.clock.advance(3600)
    sandbox.set_order_status(STORE, first.id, "completed")
    c = plain.oauth()
    created_late = await c.get("/wc/v3/orders", after="2025-01-15T12:30:00", dates_are_gmt="true")
    assert [o["id"] for o in created_late.data] == [second.id]
    touched = await c.get(
        "/wc/v3/orders", modified_after="2025-01-15T13:30:00", dates_are_gmt="true"
    )
    assert [o["id"] for o in touched.data] == [first.id]


def _first_simple(env: Env) -> int:
    catalog = env.sandbox.store(STORE).catalog
    return next(
        p.id
        for p in catalog.products.values()
        if p.type == "simple" and p.status == "publish" and p.price and p.stock_status == "instock"
    )
