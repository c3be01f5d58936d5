"""The limiter on a fake clock against a simulated store quota."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from flxd.net.ratelimit import Limiter, QuotaReport
from flxd.testing import FakeClock

pytestmark = pytest.mark.asyncio


class StoreQuota:
    """A store's quota as BigCommerce keeps it: `quota` requests per `window` seconds, shared
    by every client; returns what the response headers would say, or None for a 429."""

    def __init__(self, clock: FakeClock, quota: int, window: float) -> None:
        self.clock, self.quota, self.window = clock, quota, window
        self.window_start = 0.0
        self.used = 0
        self.served = 0
        self.rejected: list[float] = []

    def hit(self) -> QuotaReport | None:
        now = self.clock.monotonic()
        while now >= self.window_start + self.window:
            self.window_start += self.window
            self.used = 0
        reset = self.window_start + self.window - now
        if self.used >= self.quota:
            self.rejected.append(now)
            return None
        self.used += 1
        self.served += 1
        return QuotaReport(
            left=self.quota - self.used, reset_after=reset, quota=self.quota, window=self.window
        )


async def drive(
    limiter: Limiter,
    store: StoreQuota,
    clock: FakeClock,
    requests: int,
    latency: float = 0.01,
    workers: int = 3,
    other: Any = None,
) -> None:
    """Three workers send `requests` through the limiter; `other` is another busy task."""
    remaining = [requests]
    alive = [workers + (other is not None)]

    async def busy(job: Any) -> None:
        try:
            await job()
        finally:
            alive[0] -= 1
            clock.notify()

    async def work() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            async with limiter.slot() as ticket:
                await clock.sleep(latency / 2)
                report = store.hit()
                await clock.sleep(latency / 2)
                if report is None:
                    limiter.block(store.window_start + store.window - clock.monotonic())
                    remaining[0] += 1
                else:
                    limiter.observe(ticket, report)

    async with anyio.create_task_group() as tg:
        for _ in range(workers):
            tg.start_soon(busy, work)
        if other is not None:
            tg.start_soon(busy, other)
        tg.start_soon(clock.autojump, lambda: alive[0])


async def test_uses_the_quota_without_429s_after_the_first_window(flxd_clock: FakeClock) -> None:
    store = StoreQuota(flxd_clock, quota=150, window=3.0)
    limiter = Limiter(flxd_clock, max_concurrency=3)
    await drive(limiter, store, flxd_clock, requests=3000)
    assert store.served == 3000
    assert [t for t in store.rejected if t >= store.window] == []
    windows = flxd_clock.monotonic() / store.window
    utilisation = store.served / (windows * store.quota)
    assert utilisation >= 0.95, utilisation


async def test_another_app_on_the_same_store_slows_us_down(flxd_clock: FakeClock) -> None:
    store = StoreQuota(flxd_clock, quota=100, window=3.0)
    limiter = Limiter(flxd_clock, max_concurrency=3)

    async def other_app() -> None:
        # Spends 40 of every window's 100 requests at the start of each window.
        while flxd_clock.monotonic() < 30:
            for _ in range(40):
                store.hit()
            await flxd_clock.sleep(3.0)

    await drive(limiter, store, flxd_clock, requests=1000, other=other_app)
    assert store.served >= 1000
    late = [t for t in store.rejected if t >= 2 * store.window]
    assert len(late) <= 3, late  # it learns within a window and stops running into the limit


async def test_a_block_holds_every_request_on_the_connection(flxd_clock: FakeClock) -> None:
    limiter = Limiter(flxd_clock, max_concurrency=3)
    limiter.block(5.0)
    started: list[float] = []

    async def request() -> None:
        async with limiter.slot():
            started.append(flxd_clock.monotonic())

    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(request)
        await flxd_clock.wait_for_sleepers(1)
        await flxd_clock.advance(4.9)
        assert started == []
        await flxd_clock.advance(0.2)
    assert started == [5.0, 5.0, 5.0]
    assert limiter.stats.throttled == 1


async def test_concurrency_is_capped(flxd_clock: FakeClock) -> None:
    limiter = Limiter(flxd_clock, max_concurrency=2)
    inside = [0]
    peak = [0]

    async def request() -> None:
        async with limiter.slot():
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
            await flxd_clock.sleep(1)
            inside[0] -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(6):
            tg.start_soon(request)
        for _ in range(3):
            await flxd_clock.wait_for_sleepers(2)
            assert flxd_clock.sleepers == 2  # the other four wait for a slot, not the clock
            await flxd_clock.advance(1)
    assert peak[0] == 2 and flxd_clock.monotonic() == 3.0
