"""Fault profiles: what a struggling WordPress host sends, reproducibly."""

from __future__ import annotations

import json

import aiohttp
import anyio
import pytest
from flxd_woocommerce.sandbox import SandboxConfig
from woo_env import STORE, Env, open_sandbox

pytestmark = pytest.mark.asyncio


async def test_server_errors(https: Env) -> None:
    https.sandbox.set_faults(STORE, "5xx", rate=1.0)
    replies = [await https.client.get("/wc/v3/products") for _ in range(12)]
    assert {r.status for r in replies} <= {500, 502, 503, 504}
    for reply in replies:
        if reply.status == 500:  # WordPress's fatal error handler answers REST with JSON
            assert reply.code == "internal_server_error"
        else:
            assert reply.content_type == "text/html"
    assert https.sandbox.store(STORE).faults.injected["server_error"] == 12


async def test_the_wordpress_classics(https: Env) -> None:
    https.sandbox.set_faults(STORE, "notice", rate=1.0)
    notice = await https.client.get("/wc/v3/products/10")
    assert notice.status == 200 and notice.content_type == "application/json"
    assert notice.body.startswith(b"<br />\n<b>Notice</b>")
    with pytest.raises(json.JSONDecodeError):
        json.loads(notice.body)
    assert json.loads(notice.body[notice.body.index(b"{") :])["id"] == 10
    https.sandbox.set_faults(STORE, "html", rate=1.0)
    page = await https.client.get("/wc/v3/products/10")
    assert (page.status, page.content_type) == (200, "text/html")
    https.sandbox.set_faults(STORE, "truncated", rate=1.0)
    cut = await https.client.get("/wc/v3/products/10")
    assert cut.status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.body)


async def test_dropped_connections(https: Env) -> None:
    https.sandbox.set_faults(STORE, "drop", rate=1.0)
    with pytest.raises(aiohttp.ClientError):
        await https.client.get("/wc/v3/products")
    assert https.sandbox.requests(STORE).entries[-1].fault == "drop"


async def test_a_slow_answer_waits_for_the_clock() -> None:
    async with open_sandbox(SandboxConfig(tls=True, fault_slow_ms=40_000, seed_products=1)) as env:
        env.sandbox.set_faults(STORE, "slow", rate=1.0)
        got: list[int] = []

        async def ask() -> None:
            got.append((await env.client.get("/wc/v3/products")).status)

        async with anyio.create_task_group() as group:
            group.start_soon(ask)
            await env.clock.wait_for_sleepers(1)
            await env.clock.advance(39.9)
            assert got == []
            await env.clock.advance(0.2)
        assert got == [200]


async def test_faults_are_reproducible_and_leave_the_control_api_alone() -> None:
    statuses = []
    for _ in range(2):
        config = SandboxConfig(tls=True, faults="truncated", fault_rate=0.5, seed=3)
        async with open_sandbox(config) as env:
            run = []
            for _ in range(20):
                reply = await env.client.get("/wc/v3/products/999")
                run.append(len(reply.body))
            statuses.append(run)
            async with env.session.get(
                f"{env.base_url}/__sandbox/stores/{STORE}/faults"
            ) as response:
                assert response.status == 200
                assert sum((await response.json())["injected"].values()) > 0
    assert statuses[0] == statuses[1]
    assert len(set(statuses[0])) == 2  # whole answers and cut ones, in the same order
