"""Every fault the sandbox serves is seen by flxd's retry policy exactly once, with its kind.

Regression for two gaps found by the reliability suite (issue 9): aiohttp re-sent a dropped
idempotent request once on its own (a retry nobody logged or paced), and log lines did not say
what kind of failure they were about.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import anyio
import pytest
import structlog
from flxd_bigcommerce.policy import BigCommercePolicy
from flxd_bigcommerce.sandbox import Sandbox, SandboxConfig

from flxd.plugin import TransientError
from flxd.testing import FakeClock, HttpClient, Limiter, RetryPolicy, open_session

pytestmark = pytest.mark.asyncio
STORE = "kinds1"
# The sandbox's fault names as flxd classifies them.
KINDS = {
    "server_error": "server_error",
    "bare_429": "rate_limited_bare",
    "truncated": "invalid_json",
    "invalid_json": "invalid_json",
    "drop": "dropped",
    "slow": "timeout",
}
CLASSIFIED = {"retrying", "giving up", "rate limited", "not retried"}


async def jumping(clock: FakeClock, call: Callable[[], Awaitable[Any]]) -> Any:
    """Run `call`, moving the fake clock over its retry waits; its result or its error."""
    outcome: list[Any] = []
    busy = [1]

    async def task() -> None:
        try:
            outcome.append(await call())
        except Exception as exc:
            outcome.append(exc)
        finally:
            busy[0] = 0
            clock.notify()

    async with anyio.create_task_group() as tg:
        tg.start_soon(task)
        await clock.autojump(lambda: busy[0])
    return outcome[0]


def client(
    sandbox: Sandbox, session: aiohttp.ClientSession, clock: FakeClock, **options: Any
) -> HttpClient:
    """flxd's HTTP client for the sandbox's store on a fake clock, as a connection has it."""
    return HttpClient(
        session=session,
        limiter=Limiter(clock),
        policy=BigCommercePolicy(),
        clock=clock,
        headers={"X-Auth-Token": sandbox.default_token(STORE)},
        **options,
    )


@pytest.mark.parametrize("profile", ["5xx", "429", "truncated", "drop", "slow"])
async def test_each_fault_is_one_classified_line(profile: str) -> None:
    config = SandboxConfig(
        store_hashes=(STORE,), quota=None, faults=profile, fault_rate=0.4, seed=5, fault_slow_ms=900
    )
    sandbox = Sandbox(config)
    clock = FakeClock()
    async with sandbox.serve() as base_url, open_session() as session:
        http = client(
            sandbox,
            session,
            clock,
            timeout=0.3,
            retry=RetryPolicy(attempts=8),
            rng=random.Random(2),
        )
        with structlog.testing.capture_logs() as logs:
            for _ in range(12):
                await jumping(
                    clock, lambda: http.request("GET", f"{base_url}/stores/{STORE}/v2/time")
                )
    store = sandbox.store(STORE)
    served: Counter[str] = Counter()
    for fault, count in store.faults.injected.items():
        if fault in KINDS:
            served[KINDS[fault]] += count
    lines = [line for line in logs if line["event"] in CLASSIFIED]
    assert served, f"the {profile} profile served no fault in 12 requests"
    assert Counter(line["kind"] for line in lines) == served
    # No hidden retry: the store saw one request per attempt flxd made and logged.
    assert store.counters.by_endpoint["GET /v2/time"] == 12 + sum(served.values())


async def test_a_write_whose_answer_is_lost_is_logged_once_and_not_resent() -> None:
    config = SandboxConfig(store_hashes=(STORE,), quota=None, faults="truncated", fault_rate=1.0)
    sandbox = Sandbox(config)
    clock = FakeClock()
    async with sandbox.serve() as base_url, open_session() as session:
        http = client(sandbox, session, clock)
        body = {"name": "Lost answer", "type": "physical", "weight": 1, "price": 5, "sku": "LA-1"}
        with structlog.testing.capture_logs() as logs:
            failure = await jumping(
                clock,
                lambda: http.request(
                    "POST", f"{base_url}/stores/{STORE}/v3/catalog/products", json_body=body
                ),
            )
    assert isinstance(failure, TransientError) and failure.kind == "invalid_json"
    assert [(line["event"], line["kind"]) for line in logs] == [("not retried", "invalid_json")]
    assert sandbox.store(STORE).counters.by_endpoint["POST /v3/catalog/products"] == 1
    assert sandbox.store(STORE).product_by_sku("LA-1") is not None  # it did land


async def test_the_429_that_ends_the_retries_has_its_line_too() -> None:
    config = SandboxConfig(store_hashes=(STORE,), quota=None, faults="429", fault_rate=1.0)
    sandbox = Sandbox(config)
    clock = FakeClock()
    async with sandbox.serve() as base_url, open_session() as session:
        http = client(sandbox, session, clock, retry=RetryPolicy(max_throttles=2))
        with structlog.testing.capture_logs() as logs:
            failure = await jumping(
                clock, lambda: http.request("GET", f"{base_url}/stores/{STORE}/v2/time")
            )
    assert isinstance(failure, TransientError)
    events = [(line["event"], line["kind"]) for line in logs]
    assert events == [("rate limited", "rate_limited_bare")] * 2 + [
        ("giving up", "rate_limited_bare")
    ]
    assert sandbox.store(STORE).faults.injected["bare_429"] == 3
