"""The control API under /__sandbox/ and the in-process Sandbox methods behind it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sandbox_client import StoreClient
from sandbox_env import Env
from sandbox_payloads import create, product

pytestmark = pytest.mark.asyncio


async def control(env: Env, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with env.session.request(
        method, f"{env.base_url}/__sandbox{path}", json=body
    ) as response:
        text = await response.text()
        return response.status, json.loads(text) if text else None


async def test_list_and_create_stores_and_tokens(env: Env) -> None:
    status, listing = await control(env, "GET", "/stores")
    assert status == 200
    [store] = listing["stores"]
    assert store["hash"] == env.store
    assert store["default_token"] == env.sandbox.default_token(env.store)
    assert listing["login_base_url"] == f"{env.base_url}/login"
    status, made = await control(env, "POST", "/stores", {"hash": "extra1", "seed_products": 3})
    assert (status, made["products"]) == (201, 3)
    client = StoreClient(env.session, env.base_url, "extra1", made["default_token"])
    assert len((await client.get("/v3/catalog/products")).data["data"]) == 3
    status, token = await control(
        env, "POST", "/stores/extra1/tokens", {"scopes": ["store_v2_orders_read_only"]}
    )
    assert status == 201
    reader = client.with_token(token["token"])
    assert (await reader.get("/v3/catalog/products")).status == 403
    assert (await control(env, "DELETE", f"/tokens/{token['token']}"))[0] == 204
    assert (await reader.get("/v2/orders")).status == 401
    assert (await control(env, "POST", "/stores", {"hash": "extra1"}))[0] == 400
    assert (await control(env, "POST", "/stores/extra1/tokens", {"scopes": ["root"]}))[0] == 400
    assert (await control(env, "GET", "/stores/nope"))[0] == 404


async def test_shop_change_status_and_read_counters(env: Env) -> None:
    status, seeded = await control(env, "POST", f"/stores/{env.store}/seed", {"products": 5})
    assert (status, seeded["products"]) == (200, 5)
    made = await create(env.client, product("Shop me", "SHOP"))
    status, order = await control(
        env,
        "POST",
        f"/stores/{env.store}/orders",
        {"lines": [{"product_id": made["id"], "quantity": 2}], "status_id": 7},
    )
    assert status == 201 and order["status_id"] == 7
    listed = await env.client.get("/v2/orders")
    assert [o["id"] for o in listed.data] == [order["id"]]
    status, changed = await control(
        env, "PUT", f"/stores/{env.store}/orders/{order['id']}", {"status_id": 11}
    )
    assert (status, changed["status_id"]) == (200, 11)
    status, counters = await control(env, "GET", f"/stores/{env.store}/counters")
    assert counters["GET /v2/orders"] == {"total": 1, "200": 1}
    assert (await control(env, "DELETE", f"/stores/{env.store}/counters"))[0] == 204
    assert (await control(env, "GET", f"/stores/{env.store}/counters"))[1] == {}


async def test_consume_quota_and_faults_over_http(env: Env) -> None:
    status, headers = await control(
        env, "POST", f"/stores/{env.store}/quota/consume", {"units": 150}
    )
    assert status == 200 and headers["X-Rate-Limit-Requests-Left"] == "0"
    assert (await env.client.get("/v2/time")).status == 429
    await env.clock.advance(30)
    assert (
        await control(env, "PUT", f"/stores/{env.store}/faults", {"profile": "429", "rate": 1})
    )[0] == 204
    limited = await env.client.get("/v2/time")
    assert limited.status == 429 and "X-Rate-Limit-Requests-Left" not in limited.headers
    assert (await control(env, "PUT", f"/stores/{env.store}/faults", {"profile": "nope"}))[0] == 400


async def test_a_store_quota_is_set_over_http(env: Env) -> None:
    path = f"/stores/{env.store}/quota"
    assert await control(env, "PUT", path, {"quota": 2, "window_ms": 500}) == (
        200,
        {"quota": 2, "window_ms": 500},
    )
    assert [(await env.client.get("/v2/time")).status for _ in range(3)] == [200, 200, 429]
    await env.clock.advance(0.5)
    answer = await env.client.get("/v2/time")
    assert answer.status == 200 and answer.headers["X-Rate-Limit-Time-Window-Ms"] == "500"
    assert (await control(env, "PUT", path, {"quota": None}))[1]["quota"] is None
    assert all([(await env.client.get("/v2/time")).status == 200 for _ in range(5)])
    assert (await control(env, "PUT", path, {"quota": 0}))[0] == 400
    assert (await control(env, "PUT", path, {"size": 3}))[0] == 400


async def test_reset_over_http(env: Env) -> None:
    await control(env, "POST", "/stores", {"hash": "gone"})
    assert (await control(env, "POST", "/reset"))[0] == 204
    assert [s["hash"] for s in (await control(env, "GET", "/stores"))[1]["stores"]] == [env.store]


async def test_control_api_is_not_under_stores(env: Env) -> None:
    async with env.session.get(f"{env.base_url}/stores/{env.store}/__sandbox/stores") as response:
        assert response.status == 404
