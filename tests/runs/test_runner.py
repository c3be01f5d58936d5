"""The runner on a fake clock: one run per key at a time, coalescing, outcomes, draining."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from decimal import Decimal

import anyio
import anyio.lowlevel
import pytest
import structlog

from flxd.errors import AuthError, RecordError, TransientError
from flxd.hub.catalog import Catalog
from flxd.hub.cursors import Cursors
from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.hub.model import VariantUpdate
from flxd.logging import configure_logging
from flxd.operation import Operation
from flxd.plugin.channel import ChannelBase
from flxd.plugin.context import RunContext
from flxd.runs.journal import Journal, RunOutcome
from flxd.runs.runner import Runner
from flxd.runs.summary import RunKey
from flxd.store import Database
from flxd.testing import FakeClock
from tests.helpers import runtime

# anyio, not pytest-asyncio: a fixture here holds a task group open across its yield.
pytestmark = pytest.mark.anyio
SYNC = Operation.SYNC_LISTINGS
ORDERS = Operation.GET_ORDERS


class SlowChannel(ChannelBase):
    """Each run takes 10 fake seconds and counts how often it ran and how many ran at once."""

    operations = frozenset({SYNC, ORDERS})

    def __init__(self) -> None:
        self.runs = 0
        self.concurrent = 0
        self.max_concurrent = 0
        self.fail: Exception | None = None

    async def sync_listings(self, ctx: RunContext) -> None:
        self.runs += 1
        self.concurrent += 1
        self.max_concurrent = max(self.max_concurrent, self.concurrent)
        try:
            while not ctx.stopping:
                await ctx.clock.sleep(10)
                ctx.count("pages")
                if self.fail is not None:
                    raise self.fail
                if ctx.result.counts["pages"] >= 1:
                    return
        finally:
            self.concurrent -= 1

    async def get_orders(self, ctx: RunContext) -> None:
        await self.sync_listings(ctx)


@pytest.fixture
async def runner(flxd_hub: Database, flxd_clock: FakeClock) -> AsyncIterator[Runner]:
    runner = Runner(db=flxd_hub, clock=flxd_clock, node="test")
    async with anyio.create_task_group() as tg:
        await tg.start(runner.serve)
        yield runner
        await runner.drain(0)


async def test_a_key_never_runs_twice_at_once_and_ticks_coalesce(
    runner: Runner, flxd_clock: FakeClock
) -> None:
    channel = SlowChannel()
    runner.connections["a"] = runtime("a", channel, flxd_clock)
    key = RunKey("a", SYNC)
    first = runner.request(key, trigger="schedule")
    await flxd_clock.wait_for_sleepers(1)
    queued = [runner.request(key, trigger="schedule") for _ in range(5)]
    assert first is not None and all(q is queued[0] for q in queued)  # five ticks, one follow-up
    await flxd_clock.advance(10)
    await first.wait()
    await flxd_clock.wait_for_sleepers(1)
    await flxd_clock.advance(10)
    assert queued[0] is not None
    await queued[0].wait()
    assert (channel.runs, channel.max_concurrent) == (2, 1)
    async with runner.db.transaction() as tx:
        runs = await Journal(tx, flxd_clock.now()).runs()
    assert [(r.outcome, r.counts) for r in runs] == [(RunOutcome.OK, {"pages": 1})] * 2


async def test_different_keys_run_side_by_side(runner: Runner, flxd_clock: FakeClock) -> None:
    channel = SlowChannel()
    runner.connections["a"] = runtime("a", channel, flxd_clock)
    events = [runner.request(RunKey("a", op), trigger="t") for op in (SYNC, ORDERS)]
    await flxd_clock.wait_for_sleepers(2)
    assert channel.concurrent == 2
    await flxd_clock.advance(10)
    for event in events:
        assert event is not None
        await event.wait()


@pytest.mark.parametrize(
    ("error", "outcome", "message"),
    [
        (TransientError("503 after 5 attempts"), RunOutcome.FAILED, "TransientError: 503"),
        (RecordError("bad", record="x"), RunOutcome.FAILED, "RecordError: bad"),
        (ZeroDivisionError("bug"), RunOutcome.FAILED, "unexpected ZeroDivisionError: bug"),
    ],
)
async def test_errors_become_run_outcomes(
    runner: Runner, flxd_clock: FakeClock, error: Exception, outcome: RunOutcome, message: str
) -> None:
    channel = SlowChannel()
    channel.fail = error
    runner.connections["a"] = runtime("a", channel, flxd_clock)
    done = runner.request(RunKey("a", SYNC), trigger="t")
    await flxd_clock.wait_for_sleepers(1)
    await flxd_clock.advance(10)
    assert done is not None
    await done.wait()
    summary = runner.last_summary(RunKey("a", SYNC))
    assert summary is not None and summary.outcome is outcome
    assert summary.error is not None and summary.error.startswith(message)


async def test_auth_failure_pauses_only_that_connection(
    runner: Runner, flxd_clock: FakeClock
) -> None:
    broken, healthy = SlowChannel(), SlowChannel()
    broken.fail = AuthError("401 token revoked")
    runner.connections["broken"] = runtime("broken", broken, flxd_clock)
    runner.connections["healthy"] = runtime("healthy", healthy, flxd_clock)
    events = [runner.request(RunKey(n, SYNC), trigger="t") for n in ("broken", "healthy")]
    await flxd_clock.wait_for_sleepers(2)
    await flxd_clock.advance(10)
    for event in events:
        assert event is not None
        await event.wait()
    assert runner.last_summary(RunKey("broken", SYNC)).outcome is RunOutcome.NEEDS_REAUTH  # type: ignore[union-attr]
    assert runner.last_summary(RunKey("healthy", SYNC)).outcome is RunOutcome.OK  # type: ignore[union-attr]
    # Further runs of the broken connection are skipped without calling the channel.
    summary = await runner.run_now(RunKey("broken", ORDERS), trigger="t")
    assert summary.outcome is RunOutcome.SKIPPED and broken.runs == 1
    async with runner.db.transaction() as tx:
        health = await HealthBook(tx, flxd_clock.now()).health()
    assert health["broken"][0] is ConnectionHealth.NEEDS_REAUTH
    assert "healthy" not in health
    # New credentials (another fingerprint) resume the connection at the next start.
    runner.connections["broken"].fingerprint = "new"
    await runner.load_health()
    assert runner.health["broken"] is ConnectionHealth.ACTIVE


class SkippingChannel(ChannelBase):
    operations = frozenset({SYNC})

    async def sync_listings(self, ctx: RunContext) -> None:
        for n in range(3):
            if n == 1:
                ctx.skip(RecordError("price is not a number", record="product 7"))
            else:
                ctx.count("pushed")


async def test_skipped_records_make_a_partial_run(runner: Runner, flxd_clock: FakeClock) -> None:
    runner.connections["a"] = runtime("a", SkippingChannel(), flxd_clock)
    summary = await runner.run_now(RunKey("a", SYNC), trigger="t")
    assert summary.outcome is RunOutcome.PARTIAL
    assert summary.counts == {"pushed": 2, "skipped": 1}
    assert summary.error == "1 record(s) skipped; first: product 7: price is not a number"


class CrashBetweenDataAndCursor(ChannelBase):
    operations = frozenset({SYNC})

    async def sync_listings(self, ctx: RunContext) -> None:
        async with ctx.transaction() as hub:
            await hub.catalog.upsert([VariantUpdate(sku="X", quantity=1)])
            hub.set_cursor("42")
            raise TransientError("connection dropped after the data, before the commit")


async def test_a_failure_between_data_and_cursor_leaves_neither(
    runner: Runner, flxd_clock: FakeClock
) -> None:
    runner.connections["a"] = runtime("a", CrashBetweenDataAndCursor(), flxd_clock)
    summary = await runner.run_now(RunKey("a", SYNC), trigger="t")
    assert summary.outcome is RunOutcome.FAILED
    async with runner.db.transaction() as tx:
        assert await Cursors(tx, flxd_clock.now()).get("a", SYNC.value) is None
        assert await Catalog(tx, flxd_clock.now()).count() == (0, 0)


class PagedChannel(ChannelBase):
    """Commits a page with its cursor every 10 fake seconds until told to stop."""

    operations = frozenset({SYNC})

    async def sync_listings(self, ctx: RunContext) -> None:
        page = int(ctx.cursor() or 0)
        while not ctx.stopping:
            await ctx.clock.sleep(10)
            page += 1
            async with ctx.transaction() as hub:
                await hub.catalog.upsert([VariantUpdate(sku=f"P{page}", price=Decimal(page))])
                hub.set_cursor(str(page))


async def test_drain_lets_the_page_finish_and_keeps_its_cursor(
    flxd_hub: Database, flxd_clock: FakeClock
) -> None:
    runner = Runner(db=flxd_hub, clock=flxd_clock, node="test")
    runner.connections["a"] = runtime("a", PagedChannel(), flxd_clock)
    async with anyio.create_task_group() as tg:
        await tg.start(runner.serve)
        done = runner.request(RunKey("a", SYNC), trigger="t")
        for _ in range(3):  # two pages committed, the third under way
            await flxd_clock.wait_for_sleepers(1)
            await flxd_clock.advance(10 if flxd_clock.monotonic() < 20 else 5)
        tg.start_soon(runner.drain, 60)
        await anyio.lowlevel.checkpoint()
        assert runner.request(RunKey("a", SYNC), trigger="t") is None  # no new runs
        await flxd_clock.advance(5)  # the third page finishes, then the run returns
        assert done is not None
        await done.wait()
    summary = runner.last_summary(RunKey("a", SYNC))
    assert summary is not None and summary.outcome is RunOutcome.INTERRUPTED
    assert summary.error is None
    async with flxd_hub.transaction() as tx:
        assert await Cursors(tx, flxd_clock.now()).get("a", SYNC.value) == "3"
        assert await Catalog(tx, flxd_clock.now()).count() == (3, 3)


async def test_drain_past_the_grace_period_cancels_and_rolls_back(
    flxd_hub: Database, flxd_clock: FakeClock
) -> None:
    runner = Runner(db=flxd_hub, clock=flxd_clock, node="test")

    class Stubborn(ChannelBase):
        operations = frozenset({SYNC})

        async def sync_listings(self, ctx: RunContext) -> None:
            await ctx.clock.sleep(3600)  # ignores `stopping`

    runner.connections["a"] = runtime("a", Stubborn(), flxd_clock)
    async with anyio.create_task_group() as tg:
        await tg.start(runner.serve)
        runner.request(RunKey("a", SYNC), trigger="t")
        await flxd_clock.wait_for_sleepers(1)
        await runner.drain(0)
    summary = runner.last_summary(RunKey("a", SYNC))
    assert summary is not None and summary.outcome is RunOutcome.INTERRUPTED


class GroupChannel(ChannelBase):
    """Runs two tasks; one fails with an auth error, the other is cancelled by it."""

    operations = frozenset({SYNC})

    async def sync_listings(self, ctx: RunContext) -> None:
        async def fail() -> None:
            raise AuthError("401 inside a task group")

        async with anyio.create_task_group() as tg:
            tg.start_soon(ctx.clock.sleep, 100)
            tg.start_soon(fail)


async def test_errors_inside_a_channels_task_group_keep_their_meaning(
    runner: Runner, flxd_clock: FakeClock
) -> None:
    runner.connections["a"] = runtime("a", GroupChannel(), flxd_clock)
    summary = await runner.run_now(RunKey("a", SYNC), trigger="t")
    assert summary.outcome is RunOutcome.NEEDS_REAUTH
    assert summary.error == "401 inside a task group"


class CoreLoggingChannel(ChannelBase):
    """Logs through a logger that knows nothing of the run, as core's HTTP/retry code does."""

    operations = frozenset({SYNC})

    async def sync_listings(self, ctx: RunContext) -> None:
        structlog.get_logger("flxd.net.retry").info("retrying", request="GET /v3/catalog/products")


async def test_every_log_line_of_a_run_names_it(runner: Runner, flxd_clock: FakeClock) -> None:
    stream = io.StringIO()
    configure_logging(format="json", stream=stream)
    runner.connections["a"] = runtime("a", CoreLoggingChannel(), flxd_clock)
    summary = await runner.run_now(RunKey("a", SYNC), trigger="t")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    retrying = next(line for line in lines if line["event"] == "retrying")
    assert (retrying["connection"], retrying["operation"], retrying["run_id"]) == (
        "a",
        "sync_listings",
        summary.run_id,
    )
