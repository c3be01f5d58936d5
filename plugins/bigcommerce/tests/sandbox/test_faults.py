"""Fault injection: each fault as a client sees it, and reproducibility from the seed."""

from __future__ import annotations

import json

import aiohttp
import pytest
from flxd_bigcommerce.sandbox import SandboxConfig
from sandbox_contract import RATE_HEADERS
from sandbox_env import open_sandbox


async def statuses(profile: str, seed: int, count: int = 60) -> list[int]:
    config = SandboxConfig(faults=profile, fault_rate=0.3, seed=seed, quota=None)
    async with open_sandbox(config) as env:
        return [(await env.client.get("/v2/time")).status for _ in range(count)]


@pytest.mark.asyncio
async def test_same_seed_same_faults_other_seed_other_faults() -> None:
    first = await statuses("5xx", seed=7)
    assert first == await statuses("5xx", seed=7)
    assert first != await statuses("5xx", seed=8)
    assert {s for s in first if s != 200} <= {500, 502, 503, 504}
    assert any(s != 200 for s in first)


@pytest.mark.asyncio
async def test_bare_429_has_no_rate_headers() -> None:
    async with open_sandbox(SandboxConfig(faults="429", fault_rate=1.0)) as env:
        reply = await env.client.get("/v3/catalog/products")
        assert reply.status == 429
        assert not any(h in reply.headers for h in RATE_HEADERS)
        env.sandbox.set_faults(env.store, None)
        assert (await env.client.get("/v3/catalog/products")).status == 200


@pytest.mark.asyncio
async def test_truncated_and_invalid_json_bodies() -> None:
    async with open_sandbox(SandboxConfig(faults="truncated", fault_rate=1.0, quota=None)) as env:
        for _ in range(4):
            reply = await env.client.get("/v3/catalog/products")
            assert reply.status == 200
            assert reply.content_type == "application/json"
            with pytest.raises(json.JSONDecodeError):
                json.loads(reply.body)


@pytest.mark.asyncio
async def test_dropped_connection() -> None:
    async with open_sandbox(SandboxConfig(faults="drop", fault_rate=1.0)) as env:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await env.client.get("/v2/orders")
        counters = env.sandbox.store(env.store).counters
        # aiohttp may retry a GET once on a dropped connection: every attempt was dropped.
        dropped = counters.by_status[("GET /v2/orders", 0)]
        assert dropped >= 1 and counters.by_endpoint["GET /v2/orders"] == dropped


@pytest.mark.asyncio
async def test_slow_answer_outlasts_the_client_timeout() -> None:
    config = SandboxConfig(faults="slow", fault_rate=1.0, fault_slow_ms=300)
    async with open_sandbox(config) as env:
        url = f"{env.base_url}/stores/{env.store}/v2/time"
        headers = {"X-Auth-Token": env.client.token}
        with pytest.raises(TimeoutError):
            async with env.session.get(
                url, headers=headers, timeout=aiohttp.ClientTimeout(total=0.05)
            ) as response:
                await response.read()


@pytest.mark.asyncio
async def test_faults_stay_off_the_control_api_and_login() -> None:
    async with open_sandbox(SandboxConfig(faults="5xx", fault_rate=1.0)) as env:
        session = env.session
        async with session.get(f"{env.base_url}/__sandbox/stores") as response:
            assert response.status == 200
        async with session.post(f"{env.base_url}/login/oauth2/token", json={}) as response:
            assert response.status == 400  # a real answer, not an injected 5xx
        assert (await env.client.get("/v2/time")).status >= 500


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="faults must be one of"):
        SandboxConfig(faults="gremlins")


@pytest.mark.asyncio
async def test_faults_served_are_counted_by_kind() -> None:
    config = SandboxConfig(faults="truncated", fault_rate=1.0, quota=None, seed=3)
    async with open_sandbox(config) as env:
        for _ in range(3):
            await env.client.get("/v3/catalog/products")
        # An error answer corrupted: nothing a client could tell apart from the error itself.
        await env.client.get("/v3/catalog/products/999")
        env.sandbox.set_faults(env.store, "5xx", 1.0)
        await env.client.get("/v2/time")
        async with env.session.get(f"{env.base_url}/__sandbox/stores/{env.store}/faults") as got:
            answer = await got.json()
    injected = answer["injected"]
    assert answer["profile"] == "5xx" and answer["rate"] == 1.0
    assert injected["server_error"] == 1
    assert injected.get("truncated", 0) + injected.get("invalid_json", 0) == 3
    masked = injected.get("truncated_masked", 0) + injected.get("invalid_json_masked", 0)
    assert masked == 1
