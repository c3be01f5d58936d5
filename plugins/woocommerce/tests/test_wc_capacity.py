"""Adaptive concurrency (core's limiter, as the WooCommerce channel has it) against the
emulated store's server model, on a fake clock: it finds how many requests the host's PHP
workers take, keeps them busy, and backs off when the host refuses (503 with Retry-After)
rather than running into refusals again and again."""

from __future__ import annotations

import anyio
import pytest
from flxd_woocommerce.sandbox import CapacityConfig
from flxd_woocommerce.sandbox.capacity import ServerCapacity

from flxd.testing import AdaptiveConcurrency, FakeClock, Limiter

pytestmark = pytest.mark.asyncio
STEP = 0.01


async def drive(server: ServerCapacity, limiter: Limiter, clock: FakeClock, requests: int) -> float:
    """`requests` requests from 16 workers through the limiter; a refused one waits its
    Retry-After (as core's retry policy does) and goes again. Returns the time it all took."""
    remaining = [requests]
    alive = [16]

    async def worker() -> None:
        try:
            while remaining[0] > 0:
                remaining[0] -= 1
                while True:
                    async with limiter.slot() as ticket:
                        started = clock.monotonic()
                        admission = server.admit()
                        if not admission.refused:
                            await clock.sleep(admission.latency_s)
                            server.leave()
                        limiter.finished(
                            ticket,
                            latency=clock.monotonic() - started,
                            overloaded=admission.refused,
                        )
                    if not admission.refused:
                        break
                    limiter.block(float(server.config.retry_after_s or 1))
        finally:
            alive[0] -= 1

    start = clock.monotonic()
    async with anyio.create_task_group() as tg:
        for _ in range(16):
            tg.start_soon(worker)
        while alive[0]:
            # Time moves only when every worker waits: on the clock, or for a place.
            await anyio.wait_all_tasks_blocked()
            await clock.advance(STEP)
    return clock.monotonic() - start


async def test_it_keeps_the_hosts_workers_busy_without_running_into_refusals() -> None:
    clock = FakeClock()
    server = ServerCapacity(
        CapacityConfig(workers=4, backlog=0, service_ms=100, overload_status=503, retry_after_s=1)
    )
    concurrency = AdaptiveConcurrency(12)
    limiter = Limiter(clock, max_concurrency=12, concurrency=concurrency)
    took = await drive(server, limiter, clock, 400)
    ideal = 400 / 4 * 0.1  # every worker busy all the time
    assert server.peak_in_flight == 4
    assert server.refused <= 6, server.stats()  # learnt early, then none
    assert took <= ideal * 1.5, (took, ideal)
    assert concurrency.peak <= 8


async def test_a_queue_that_grows_slower_answers_holds_it_near_the_workers() -> None:
    clock = FakeClock()
    server = ServerCapacity(
        CapacityConfig(workers=3, backlog=20, service_ms=200, gateway_timeout_s=60)
    )
    concurrency = AdaptiveConcurrency(16)
    limiter = Limiter(clock, max_concurrency=16, concurrency=concurrency)
    took = await drive(server, limiter, clock, 300)
    assert server.refused == 0
    assert server.peak_in_flight <= 7, server.stats()  # not the 16 it could have sent
    assert took <= 300 / 3 * 0.2 * 1.3, took
