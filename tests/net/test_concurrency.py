"""How many requests a connection keeps in flight: fixed, or adaptive to the server."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from flxd.net.concurrency import AdaptiveConcurrency, FixedConcurrency
from flxd.net.ratelimit import Limiter
from flxd.testing import FakeClock

pytestmark = pytest.mark.asyncio


class Round:
    """Tickets handed out in order, as the limiter does."""

    def __init__(self) -> None:
        self.issued = 0

    def next(self) -> int:
        self.issued += 1
        return self.issued


async def saturate(concurrency: AdaptiveConcurrency, rounds: int, latency: float) -> None:
    """`rounds` rounds of answers at the limit, each with `latency`."""
    tickets = Round()
    for _ in range(rounds):
        batch = concurrency.limit
        held = [concurrency.slot() for _ in range(batch)]
        for slot in held:
            await slot.__aenter__()
        numbers = [tickets.next() for _ in range(batch)]
        for slot, ticket in zip(held, numbers, strict=True):
            concurrency.record(ticket, latest=tickets.issued, latency=latency, overloaded=False)
            await slot.__aexit__(None, None, None)


async def test_it_starts_with_one_and_grows_a_round_at_a_time_up_to_the_ceiling() -> None:
    concurrency = AdaptiveConcurrency(6)
    assert concurrency.limit == 1
    await saturate(concurrency, 1, 0.05)
    assert concurrency.limit == 2
    await saturate(concurrency, 2, 0.05)
    assert concurrency.limit == 3
    await saturate(concurrency, 50, 0.05)
    assert concurrency.limit == concurrency.ceiling == 6


async def test_one_request_at_a_time_proves_nothing() -> None:
    concurrency = AdaptiveConcurrency(6, initial=2)
    for ticket in range(1, 30):
        async with concurrency.slot():  # one of two places used
            pass
        concurrency.record(ticket, latest=ticket, latency=0.05, overloaded=False)
    assert concurrency.limit == 2


async def test_slower_answers_take_one_away_and_overload_halves_once_per_round() -> None:
    concurrency = AdaptiveConcurrency(8, initial=8)
    await saturate(concurrency, 1, 0.05)  # measures the fastest
    held = [concurrency.slot() for _ in range(8)]
    for slot in held:
        await slot.__aenter__()
    concurrency.record(9, latest=16, latency=0.5, overloaded=False)  # ten times slower
    assert concurrency.limit == 7
    concurrency.record(17, latest=20, latency=0.0, overloaded=True)  # a 503
    assert concurrency.limit == 3
    # The rest of what was in flight then fails too: no further halving for them.
    for ticket in range(18, 21):
        concurrency.record(ticket, latest=20, latency=0.0, overloaded=True)
    assert concurrency.limit == 3
    concurrency.record(21, latest=21, latency=0.0, overloaded=True)  # sent after the cut
    assert concurrency.limit == 1
    concurrency.record(22, latest=22, latency=0.0, overloaded=True)
    assert concurrency.limit == 1  # never below one
    for slot in held:
        await slot.__aexit__(None, None, None)


async def test_a_smaller_limit_lets_the_ones_in_flight_finish_and_holds_the_next() -> None:
    concurrency = AdaptiveConcurrency(4, initial=4)
    entered: list[int] = []
    release = anyio.Event()

    async def request(n: int) -> None:
        async with concurrency.slot():
            entered.append(n)
            await release.wait()

    async with anyio.create_task_group() as tg:
        for n in range(4):
            tg.start_soon(request, n)
        await anyio.wait_all_tasks_blocked()
        concurrency.record(1, latest=4, latency=0.0, overloaded=True)  # limit 2
        tg.start_soon(request, 4)
        await anyio.wait_all_tasks_blocked()
        assert entered == [0, 1, 2, 3]  # the fifth waits for the four to be down to one
        release.set()
    assert entered == [0, 1, 2, 3, 4]


async def test_the_limiter_holds_requests_to_its_concurrency() -> None:
    clock = FakeClock()
    limiter = Limiter(clock, max_concurrency=4, concurrency=AdaptiveConcurrency(4))
    peak = 0
    busy = 0

    async def one() -> None:
        nonlocal peak, busy
        async with limiter.slot() as ticket:
            busy += 1
            peak = max(peak, busy)
            await anyio.lowlevel.checkpoint()
            busy -= 1
        limiter.finished(ticket, latency=0.01, overloaded=False)

    async with anyio.create_task_group() as tg:
        for _ in range(40):
            tg.start_soon(one)
    assert 1 < peak <= 4
    assert isinstance(Limiter(clock).concurrency, FixedConcurrency)
    assert Limiter(clock, max_concurrency=5).concurrency.limit == 5
