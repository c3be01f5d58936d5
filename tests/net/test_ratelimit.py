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


async def flat_out(
    limiter: Limiter, store: StoreQuota, clock: FakeClock, *, share: float, until: float
) -> dict[str, list[float]]:
    """One get_orders worker and three reconciliation workers (a `share`-limited class), all
    sending as fast as the limiter lets them until `until`; when each class's requests were
    served."""
    served: dict[str, list[float]] = {"orders": [], "reconcile": []}
    alive = [4]

    async def work(kind: str, slot_share: float | None) -> None:
        try:
            while clock.monotonic() < until:
                async with limiter.slot(share=slot_share) as ticket:
                    await clock.sleep(0.005)
                    report = store.hit()
                    await clock.sleep(0.005)
                    if report is None:
                        limiter.block(store.window_start + store.window - clock.monotonic())
                    else:
                        served[kind].append(clock.monotonic())
                        limiter.observe(ticket, report)
        finally:
            alive[0] -= 1
            clock.notify()

    async with anyio.create_task_group() as tg:
        tg.start_soon(work, "orders", None)
        for _ in range(3):
            tg.start_soon(work, "reconcile", share)
        tg.start_soon(clock.autojump, lambda: alive[0])
    return served


async def test_a_background_share_leaves_the_rest_of_the_quota_to_orders(
    flxd_clock: FakeClock,
) -> None:
    store = StoreQuota(flxd_clock, quota=100, window=3.0)
    # Six places in flight: the share's three are enough for the three background workers,
    # so what holds them back is the quota share alone.
    limiter = Limiter(flxd_clock, max_concurrency=6)
    served = await flat_out(limiter, store, flxd_clock, share=0.5, until=30.0)
    for start in range(3, 27, 3):  # every whole window after the first (which learns the quota)
        orders = [t for t in served["orders"] if start <= t < start + 3]
        background = [t for t in served["reconcile"] if start <= t < start + 3]
        assert len(orders) >= 50, (start, len(orders), len(background))
        assert len(background) <= 50 + 2, (start, len(background))  # 2: in flight at the turn
        assert len(orders) + len(background) >= 95  # the quota is still used, not wasted


async def test_without_a_share_the_background_class_crowds_orders_out(
    flxd_clock: FakeClock,
) -> None:
    store = StoreQuota(flxd_clock, quota=100, window=3.0)
    limiter = Limiter(flxd_clock, max_concurrency=6)
    served = await flat_out(limiter, store, flxd_clock, share=1.0, until=30.0)
    orders = [t for t in served["orders"] if 3 <= t < 27]
    assert len(orders) < 8 * 35  # three workers to one: orders get about a quarter


async def test_a_background_share_takes_its_share_of_the_places_in_flight(
    flxd_clock: FakeClock,
) -> None:
    limiter = Limiter(flxd_clock, max_concurrency=4)
    inside = {"orders": 0, "reconcile": 0}
    peak = {"orders": 0, "reconcile": 0}

    async def request(kind: str, share: float | None) -> None:
        async with limiter.slot(share=share):
            inside[kind] += 1
            peak[kind] = max(peak[kind], inside[kind])
            await flxd_clock.sleep(1)
            inside[kind] -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(6):
            tg.start_soon(request, "reconcile", 0.5)
        for _ in range(2):
            tg.start_soon(request, "orders", None)
        await flxd_clock.wait_for_sleepers(4)
        assert inside == {"orders": 2, "reconcile": 2}  # no quota known: places are shared
        for _ in range(3):
            await flxd_clock.advance(1)
    assert peak == {"orders": 2, "reconcile": 2}
