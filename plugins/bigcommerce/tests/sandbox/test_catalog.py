"""Catalog V3 behaviour: uniqueness, limits, custom fields, dates, filters and pagination."""

from __future__ import annotations

from datetime import datetime

import pytest
from sandbox_env import Env
from sandbox_payloads import create, product

pytestmark = pytest.mark.asyncio


async def test_simple_product_has_a_base_variant_mirroring_it(env: Env) -> None:
    made = await create(
        env.client,
        product(
            "Mug", "MUG-1", upc="012345678905", inventory_tracking="product", inventory_level=7
        ),
    )
    variants = (await env.client.get(f"/v3/catalog/products/{made['id']}/variants")).data["data"]
    assert len(variants) == 1
    [base] = variants
    assert made["base_variant_id"] == base["id"]
    assert base["sku_id"] is None and base["option_values"] == []
    assert (base["sku"], base["upc"], base["inventory_level"]) == ("MUG-1", "012345678905", 7)
    store = env.sandbox.store(env.store)
    found = store.product_by_sku("mug-1")
    assert found is not None and found.id == made["id"]
    assert [v.id for v in store.variants_of(made["id"])] == [base["id"]]
    assert store.variant_by_sku("MUG-1") is not None


async def test_product_with_variants_has_no_base_variant(env: Env) -> None:
    made = await create(
        env.client,
        product(
            "Tee",
            "TEE",
            variants=[
                {"sku": "TEE-S", "option_values": [{"option_display_name": "Size", "label": "S"}]},
                {"sku": "TEE-M", "option_values": [{"option_display_name": "Size", "label": "M"}]},
            ],
        ),
    )
    assert made["base_variant_id"] is None
    got = await env.client.get(f"/v3/catalog/products/{made['id']}", include="variants,options")
    variants = got.data["data"]["variants"]
    assert [v["sku"] for v in variants] == ["TEE-S", "TEE-M"]
    assert all(v["sku_id"] is not None for v in variants)
    assert [v["option_values"][0]["label"] for v in variants] == ["S", "M"]
    assert [o["display_name"] for o in got.data["data"]["options"]] == ["Size"]


async def test_duplicate_sku_in_another_case_is_409_across_products_and_variants(env: Env) -> None:
    await create(
        env.client,
        product(
            "First",
            "ABC-1",
            variants=[
                {
                    "sku": "ABC-1-RED",
                    "option_values": [{"option_display_name": "Color", "label": "Red"}],
                },
            ],
        ),
    )
    against_product = await env.client.post("/v3/catalog/products", product("Second", "abc-1"))
    against_variant = await env.client.post("/v3/catalog/products", product("Third", "abc-1-red"))
    assert (against_product.status, against_variant.status) == (409, 409)
    assert "sku" in against_product.data["errors"]
    second = await create(env.client, product("Second", "XYZ"))
    renamed = await env.client.put(f"/v3/catalog/products/{second['id']}", {"sku": "Abc-1-Red"})
    assert renamed.status == 409


async def test_duplicate_name_is_409(env: Env) -> None:
    await create(env.client, product("Canvas Tote"))
    again = await env.client.post("/v3/catalog/products", product("Canvas Tote"))
    assert again.status == 409
    assert "name" in again.data["errors"]


async def test_create_requires_name_type_weight_and_price(env: Env) -> None:
    reply = await env.client.post("/v3/catalog/products", {"name": "Bare", "type": "physical"})
    assert reply.status == 422
    assert set(reply.data["errors"]) == {"weight", "price"}


async def test_custom_field_of_250_characters_is_fine_and_251_is_422(env: Env) -> None:
    ok = await create(
        env.client, product("Fields", custom_fields=[{"name": "n" * 250, "value": "v" * 250}])
    )
    fields_path = f"/v3/catalog/products/{ok['id']}/custom-fields"
    assert (await env.client.get(fields_path)).data["data"][0]["value"] == "v" * 250
    too_long = await env.client.post(fields_path, {"name": "Care", "value": "x" * 251})
    assert too_long.status == 422
    assert "value" in too_long.data["errors"]
    empty = await env.client.post(fields_path, {"name": "", "value": "x"})
    assert empty.status == 422
    inline = await env.client.post(
        "/v3/catalog/products", product("Inline", custom_fields=[{"name": "x" * 251, "value": "v"}])
    )
    assert inline.status == 422
    assert "custom_fields.0.name" in inline.data["errors"]


async def test_custom_field_name_value_pair_is_unique_per_product(env: Env) -> None:
    made = await create(
        env.client, product("Pairs", custom_fields=[{"name": "Origin", "value": "Portugal"}])
    )
    path = f"/v3/catalog/products/{made['id']}/custom-fields"
    assert (await env.client.post(path, {"name": "Origin", "value": "Portugal"})).status == 422
    assert (await env.client.post(path, {"name": "Origin", "value": "Italy"})).status == 200
    other = await create(
        env.client, product("Other", custom_fields=[{"name": "Origin", "value": "Portugal"}])
    )
    assert other["id"] != made["id"]


async def test_date_modified_is_whole_seconds_with_offset_and_bumps_on_change(env: Env) -> None:
    await env.clock.advance(0.75)  # a sub-second moment must not leak into the API
    made = await create(env.client, product("Dated"))
    assert made["date_modified"] == made["date_created"]
    stamp = datetime.fromisoformat(made["date_modified"])
    assert stamp.tzinfo is not None and stamp.microsecond == 0
    assert made["date_modified"].endswith("+00:00")
    await env.clock.advance(60)
    path = f"/v3/catalog/products/{made['id']}"
    updated = (await env.client.put(path, {"price": 11})).data["data"]
    assert (datetime.fromisoformat(updated["date_modified"]) - stamp).total_seconds() == 60
    assert updated["date_created"] == made["date_created"]
    await env.clock.advance(60)
    await env.client.post(f"{path}/custom-fields", {"name": "Fit", "value": "Slim"})
    again = (await env.client.get(path)).data["data"]
    assert (datetime.fromisoformat(again["date_modified"]) - stamp).total_seconds() == 120


async def test_date_modified_filters_and_sort(env: Env) -> None:
    first = await create(env.client, product("Early"))
    await env.clock.advance(3600)
    second = await create(env.client, product("Late"))
    boundary = datetime.fromisoformat(second["date_modified"])
    since = await env.client.get(
        "/v3/catalog/products", **{"date_modified:min": boundary.isoformat()}
    )
    assert [p["id"] for p in since.data["data"]] == [second["id"]]
    until = await env.client.get(
        "/v3/catalog/products", **{"date_modified:max": "2025-01-15T12:30:00Z"}
    )
    assert [p["id"] for p in until.data["data"]] == [first["id"]]
    newest = await env.client.get("/v3/catalog/products", sort="date_modified", direction="desc")
    assert [p["id"] for p in newest.data["data"]] == [second["id"], first["id"]]


async def test_date_only_filter_gets_the_current_time_of_day(env: Env) -> None:
    """BigCommerce appends the time of the request to a date-only filter (D:PROD#L9893)."""
    await create(env.client, product("Morning"))  # created at 12:00:00 on 2025-01-15
    same_day = await env.client.get("/v3/catalog/products", **{"date_modified:min": "2025-01-15"})
    assert len(same_day.data["data"]) == 1  # 12:00:00 >= 2025-01-15T12:00:00
    await env.clock.advance(1)
    later = await env.client.get("/v3/catalog/products", **{"date_modified:min": "2025-01-15"})
    assert later.data["data"] == []


async def test_sku_filter_matches_product_level_skus_only(env: Env) -> None:
    await create(
        env.client,
        product(
            "Shirt",
            "SHIRT",
            variants=[
                {"sku": "SHIRT-L", "option_values": [{"option_display_name": "Size", "label": "L"}]}
            ],
        ),
    )
    by_product = await env.client.get("/v3/catalog/products", sku="shirt")
    by_variant_sku = await env.client.get("/v3/catalog/products", sku="SHIRT-L")
    variants = await env.client.get("/v3/catalog/variants", sku="SHIRT-L")
    assert len(by_product.data["data"]) == 1
    assert by_variant_sku.data["data"] == []
    assert [v["sku"] for v in variants.data["data"]] == ["SHIRT-L"]


async def test_filters_used_by_flxd(env: Env) -> None:
    a = await create(env.client, product("A", "A-1", upc="111", mpn="M-A", availability="preorder"))
    b = await create(env.client, product("B", "B-1", upc="222", mpn="M-B"))
    c = await create(env.client, product("C", "C-1", availability="disabled"))

    async def ids(**query: str) -> list[int]:
        reply = await env.client.get("/v3/catalog/products", **query)
        return [p["id"] for p in reply.data["data"]]

    assert await ids(**{"id:in": f"{a['id']},{c['id']}"}) == [a["id"], c["id"]]
    assert await ids(**{"sku:in": "a-1,B-1"}) == [a["id"], b["id"]]
    assert await ids(upc="222") == [b["id"]]
    assert await ids(mpn="M-A") == [a["id"]]
    assert await ids(availability="disabled") == [c["id"]]
    assert await ids(sort="name", direction="desc") == [c["id"], b["id"], a["id"]]
    await env.client.put(f"/v3/catalog/products/{b['id']}", {"price": 12.5})
    assert await ids(price="12.5") == [b["id"]]
    bad = await env.client.get("/v3/catalog/products", **{"id:in": "x"})
    assert bad.status == 422


async def test_pagination_meta_and_limits(env: Env) -> None:
    for index in range(5):
        await create(env.client, product(f"P{index}"))
    page = await env.client.get("/v3/catalog/products", limit="2", page="2", include="variants")
    meta = page.data["meta"]["pagination"]
    assert meta == {
        "total": 5,
        "count": 2,
        "per_page": 2,
        "current_page": 2,
        "total_pages": 3,
        "links": {
            "current": "?page=2&limit=2&include=variants",
            "previous": "?page=1&limit=2&include=variants",
            "next": "?page=3&limit=2&include=variants",
        },
    }
    assert [p["name"] for p in page.data["data"]] == ["P2", "P3"]
    assert (await env.client.get("/v3/catalog/products", limit="250")).status == 200
    too_big = await env.client.get("/v3/catalog/products", limit="251")
    assert too_big.status == 413


async def test_batch_update_limit_is_10(env: Env) -> None:
    made = [await create(env.client, product(f"Batch {i}")) for i in range(11)]
    ten = [{"id": p["id"], "price": 5} for p in made[:10]]
    ok = await env.client.put("/v3/catalog/products", ten)
    assert ok.status == 200
    assert {p["price"] for p in ok.data["data"]} == {5}
    eleven = await env.client.put("/v3/catalog/products", [*ten, {"id": made[10]["id"]}])
    assert eleven.status == 413
    assert "10" in eleven.data["title"]


async def test_delete_by_filter_requires_a_filter_and_at_most_250(env: Env) -> None:
    made = [await create(env.client, product(f"Gone {i}")) for i in range(3)]
    assert (await env.client.delete("/v3/catalog/products")).status == 422
    not_a_filter = await env.client.delete("/v3/catalog/products", include="variants")
    assert not_a_filter.status == 422
    ids = ",".join(str(i) for i in range(1000, 1251))
    assert (await env.client.delete("/v3/catalog/products", **{"id:in": ids})).status == 413
    doomed = f"{made[0]['id']},{made[1]['id']}"
    assert (await env.client.delete("/v3/catalog/products", **{"id:in": doomed})).status == 204
    left = await env.client.get("/v3/catalog/products")
    assert [p["id"] for p in left.data["data"]] == [made[2]["id"]]
    assert (await env.client.get(f"/v3/catalog/products/{made[0]['id']}")).status == 404


async def test_include_fields_trims_the_product(env: Env) -> None:
    await create(env.client, product("Trim", "TRIM"))
    reply = await env.client.get("/v3/catalog/products", include_fields="sku,price")
    assert reply.data["data"] == [{"id": 1, "sku": "TRIM", "price": 10}]


async def test_product_level_stock_on_a_variant_tracked_product_is_a_207(env: Env) -> None:
    made = await create(
        env.client,
        product(
            "Tracked",
            variants=[
                {
                    "sku": "TR-1",
                    "inventory_level": 4,
                    "option_values": [{"option_display_name": "Size", "label": "S"}],
                }
            ],
        ),
    )
    reply = await env.client.put(
        f"/v3/catalog/products/{made['id']}",
        {"inventory_tracking": "variant", "inventory_level": 50, "price": 12},
    )
    assert reply.status == 207
    assert "inventory_level" in reply.data["errors"]["errors"]
    assert reply.data["data"]["price"] == 12  # the rest was saved
    assert reply.data["data"]["inventory_level"] == 4  # the sum of its variants


async def test_availability_and_inventory_tracking_values(env: Env) -> None:
    bad = await env.client.post("/v3/catalog/products", product("Bad", availability="soon"))
    assert bad.status == 422
    made = await create(
        env.client, product("Tracking", inventory_tracking="product", inventory_level=2**31 + 5)
    )
    assert made["inventory_level"] == 2_147_483_647  # the Catalog API clamps


async def test_unknown_product_is_404_and_bad_json_is_400(env: Env) -> None:
    assert (await env.client.get("/v3/catalog/products/77")).status == 404
    garbage = await env.client.request("POST", "/v3/catalog/products", raw_body=b"{nope")
    assert garbage.status == 400
    wrong_type = await env.client.request(
        "POST", "/v3/catalog/products", raw_body=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert wrong_type.status == 415
