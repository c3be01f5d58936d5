"""A shop's server of limited capacity: PHP workers, a short queue, then refusals; latency is
slept on the sandbox clock, so a test decides when answers come back."""

from __future__ import annotations

import anyio
import pytest
from flxd_woocommerce.sandbox import CapacityConfig, SandboxConfig
from woo_client import Reply
from woo_env import STORE, Env, open_sandbox

pytestmark = pytest.mark.asyncio


async def _burst(env: Env, count: int) -> list[tuple[Reply, float]]:
    """``count`` requests at once; each reply with the fake time it took."""
    results: list[tuple[Reply, float]] = []
    client = env.client

    async def one() -> None:
        start = env.clock.monotonic()
        reply = await client.get("/wc/v3/products", per_page="1")
        results.append((reply, env.clock.monotonic() - start))
        env.clock.notify()

    async with anyio.create_task_group() as group:
        for _ in range(count):
            group.start_soon(one)
        await env.clock.autojump(lambda: count - len(results))
    return results


async def test_workers_queue_and_refusals() -> None:
    capacity = CapacityConfig(workers=2, backlog=2, service_ms=100, retry_after_s=7)
    async with open_sandbox(SandboxConfig(tls=True, seed_products=2, capacity=capacity)) as env:
        results = await _burst(env, 6)
        served = sorted(round(t, 3) for r, t in results if r.status == 200)
        refused = [r for r, _ in results if r.status != 200]
        assert served == [0.1, 0.1, 0.2, 0.2]  # two workers, then one round of waiting
        assert [r.status for r in refused] == [503, 503]
        assert all(r.headers["Retry-After"] == "7" for r in refused)
        assert all(r.content_type == "text/html" for r in refused)
        stats = env.sandbox.store(STORE).capacity.stats()
        assert (stats["admitted"], stats["refused"], stats["peak_in_flight"]) == (4, 2, 4)
        assert stats["in_flight"] == 0


async def test_a_429_host_and_a_gateway_timeout() -> None:
    capacity = CapacityConfig(
        workers=1, backlog=5, service_ms=100, overload_status=429, gateway_timeout_s=0.25
    )
    async with open_sandbox(SandboxConfig(tls=True, capacity=capacity)) as env:
        results = await _burst(env, 8)
        by_status: dict[int, list[float]] = {}
        for reply, took in results:
            by_status.setdefault(reply.status, []).append(round(took, 3))
        assert sorted(by_status[200]) == [0.1, 0.2]
        assert sorted(by_status[504]) == [0.25] * 4  # waits of 0.3 and more end at the proxy
        assert by_status[429] == [0.0, 0.0]


async def test_below_capacity_nothing_waits_or_fails() -> None:
    capacity = CapacityConfig(workers=4, service_ms=50)
    async with open_sandbox(SandboxConfig(tls=True, capacity=capacity)) as env:
        results = await _burst(env, 4)
        assert {(r.status, round(t, 3)) for r, t in results} == {(200, 0.05)}


async def test_capacity_can_change_while_serving(https: Env) -> None:
    https.sandbox.set_capacity(STORE, CapacityConfig(workers=1, backlog=0, service_ms=10))
    results = await _burst(https, 3)
    assert sorted(r.status for r, _ in results) == [200, 503, 503]
    https.sandbox.set_capacity(STORE, CapacityConfig())
    results = await _burst(https, 3)
    assert [r.status for r, _ in results] == [200, 200, 200]
