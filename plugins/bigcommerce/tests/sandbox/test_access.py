"""Tokens, scopes and per-store rate limits."""

from __future__ import annotations

import pytest
from flxd_bigcommerce.sandbox import SandboxConfig
from sandbox_contract import RATE_HEADERS
from sandbox_env import Env, open_sandbox

pytestmark = pytest.mark.asyncio


async def test_missing_wrong_and_revoked_tokens_are_401(env: Env) -> None:
    assert (await env.client.with_token("").get("/v3/catalog/products")).status == 401
    assert (await env.client.with_token("not-a-token").get("/v2/orders")).status == 401
    token = env.sandbox.create_token(env.store)
    client = env.client.with_token(token)
    assert (await client.get("/v3/catalog/products")).status == 200
    env.sandbox.revoke_token(token)
    revoked = await client.get("/v3/catalog/products")
    assert revoked.status == 401
    assert revoked.data["status"] == 401
    assert all(h in revoked.headers for h in RATE_HEADERS)
    assert (await env.client.get("/v3/catalog/products")).status == 200  # others unaffected


async def test_a_token_only_opens_its_own_store() -> None:
    async with open_sandbox(SandboxConfig(store_hashes=("first", "second"))) as env:
        other = env.sandbox.default_token("second")
        assert (await env.client.with_token(other).get("/v2/orders")).status == 401


async def test_missing_scope_is_403_and_read_only_scopes_read(env: Env) -> None:
    reader = env.client.with_token(
        env.sandbox.create_token(env.store, ["store_v2_products_read_only"])
    )
    assert (await reader.get("/v3/catalog/products")).status == 200
    body = {"name": "x", "type": "physical", "weight": 1, "price": 1}
    assert (await reader.post("/v3/catalog/products", body)).status == 403
    denied = await reader.get("/v2/orders")
    assert denied.status == 403
    assert isinstance(denied.data, list)  # a V2 error array
    assert (await reader.get("/v3/hooks")).status == 200  # webhooks need no scope


async def test_429_past_the_quota_with_headers_and_recovery_after_the_window() -> None:
    async with open_sandbox(SandboxConfig(quota=5, window_ms=200)) as env:
        lefts = []
        for _ in range(5):
            reply = await env.client.get("/v2/time")
            assert reply.status == 200
            lefts.append(int(reply.headers["X-Rate-Limit-Requests-Left"]))
        assert lefts == [4, 3, 2, 1, 0]
        await env.clock.advance(0.05)
        limited = await env.client.get("/v2/time")
        assert limited.status == 429
        assert limited.headers["X-Rate-Limit-Requests-Quota"] == "5"
        assert limited.headers["X-Rate-Limit-Time-Window-Ms"] == "200"
        assert limited.headers["X-Rate-Limit-Time-Reset-Ms"] == "150"
        assert limited.headers["X-Rate-Limit-Requests-Left"] == "0"
        assert limited.headers["X-Retry-After"] == "1"
        assert (await env.client.get("/v3/catalog/products")).status == 429  # per store
        await env.clock.advance(0.15)
        recovered = await env.client.get("/v2/time")
        assert recovered.status == 200
        assert recovered.headers["X-Rate-Limit-Requests-Left"] == "4"
        assert recovered.headers["X-Rate-Limit-Time-Reset-Ms"] == "200"


async def test_other_apps_share_the_quota() -> None:
    async with open_sandbox(SandboxConfig(quota=10, window_ms=1000)) as env:
        env.sandbox.consume_quota(env.store, 9)
        assert (await env.client.get("/v2/time")).headers["X-Rate-Limit-Requests-Left"] == "0"
        assert (await env.client.get("/v2/time")).status == 429


async def test_quota_off_sends_no_rate_headers() -> None:
    async with open_sandbox(SandboxConfig(quota=None)) as env:
        reply = await env.client.get("/v2/time")
        assert reply.status == 200
        assert not any(h in reply.headers for h in RATE_HEADERS)


async def test_concurrency_cap_answers_429_beyond_it() -> None:
    async with open_sandbox(SandboxConfig(concurrency=1)) as env:
        quota = env.sandbox.store(env.store).quota
        assert quota.enter()  # another request of this store is in flight
        try:
            busy = await env.client.get("/v2/time")
            assert busy.status == 429
            assert "concurrent" in busy.data[0]["message"]
        finally:
            quota.leave()
        assert (await env.client.get("/v2/time")).status == 200


async def test_requests_are_counted_per_endpoint(env: Env) -> None:
    await env.client.get("/v3/catalog/products")
    await env.client.get("/v3/catalog/products")
    await env.client.get("/v3/catalog/products/5")
    await env.client.with_token("").get("/v2/orders")
    counters = env.sandbox.counters(env.store)
    assert counters == {
        "GET /v3/catalog/products": 2,
        "GET /v3/catalog/products/{product_id}": 1,
        "GET /v2/orders": 1,
    }
    detail = env.sandbox.store(env.store).counters.snapshot()
    assert detail["GET /v2/orders"] == {"total": 1, "401": 1}
