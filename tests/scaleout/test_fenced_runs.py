"""Runs under leases: a run whose node lost the connection commits nothing more, whichever way
it finds out, and a connection handed over for balance finishes its page first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
import anyio.lowlevel
import pytest

from flxd.cluster.leases import LeaseManager
from flxd.hub.cursors import Cursors
from flxd.operation import Operation
from flxd.plugin.channel import ChannelBase
from flxd.plugin.context import RunContext
from flxd.runs.journal import Journal, RunOutcome
from flxd.runs.runner import Runner
from flxd.runs.summary import RunKey
from flxd.store import Database
from flxd.testing import FakeClock
from tests.helpers import runtime
from tests.scaleout.conftest import OpenNode
from tests.scaleout.test_leases import expire

# anyio, not pytest-asyncio: a fixture here holds a task group open across its yield.
pytestmark = pytest.mark.anyio
SYNC = Operation.SYNC_LISTINGS
KEY = RunKey("shop", SYNC)


class PagedChannel(ChannelBase):
    """Each page waits for the test, then commits its cursor; a run is `pages` pages."""

    operations = frozenset({SYNC})

    def __init__(self, pages: int = 1) -> None:
        self.pages = pages
        self.waiting = anyio.Event()
        self.go = anyio.Event()

    async def sync_listings(self, ctx: RunContext) -> None:
        for page in range(1, self.pages + 1):
            self.waiting.set()
            await self.go.wait()
            async with ctx.transaction() as hub:
                hub.set_cursor(str(page))
            if ctx.stopping:
                return


@dataclass
class Node:
    leases: LeaseManager
    runner: Runner


@dataclass
class RunnerListener:
    """What the daemon does when leases come and go, for a bare runner."""

    runner: Runner | None = None

    def lease_lost(self, connection: str, why: str) -> None:
        assert self.runner is not None
        self.runner.revoke(connection, why)

    def lease_claimed(self, name: str) -> None:
        return None

    async def hand_over(self, connection: str) -> None:
        assert self.runner is not None
        await self.runner.release(connection, grace=30)

    def busy(self, connection: str) -> bool:
        return self.runner is not None and self.runner.busy(connection)


@pytest.fixture
async def nodes(open_node: OpenNode) -> AsyncIterator[tuple[Node, Node, PagedChannel]]:
    clock = FakeClock()
    channel = PagedChannel()
    made = []
    async with anyio.create_task_group() as tg:
        for name in ("a", "b"):
            db = await open_node()
            listener = RunnerListener()
            leases = LeaseManager(db, clock, node=name, period=15.0, listener=listener)
            leases.configure(["shop"])
            runner = Runner(db=db, clock=clock, node=name, leases=leases)
            listener.runner = runner
            runner.connections["shop"] = runtime("shop", channel, clock)
            await tg.start(runner.serve)
            made.append(Node(leases, runner))
        yield made[0], made[1], channel
        for node in made:
            await node.runner.drain(0)


async def cursor_and_runs(db: Database, clock: FakeClock) -> tuple[str | None, list[RunOutcome]]:
    async with db.transaction() as tx:
        cursor = await Cursors(tx, clock.now()).get("shop", SYNC.value)
        return cursor, [r.outcome for r in await Journal(tx, clock.now()).runs()]


async def test_a_run_whose_lease_moved_commits_nothing(
    nodes: tuple[Node, Node, PagedChannel],
) -> None:
    a, b, channel = nodes
    await a.leases.beat()
    done = a.runner.request(KEY, trigger="t")
    assert done is not None and b.runner.request(KEY, trigger="t") is None  # b does not hold it
    await channel.waiting.wait()
    await expire(a.leases, "shop")  # a stalls past its lease ...
    await b.leases.beat()  # ... and b takes the connection over
    assert b.leases.held() == ["shop"]
    channel.go.set()  # a goes on, not knowing yet: its commit meets the fence in the database
    await done.wait()
    summary = a.runner.last_summary(KEY)
    assert summary is not None and summary.outcome is RunOutcome.FAILED
    assert summary.error is not None and "lost the connection's lease" in summary.error
    assert a.leases.stats.refused[("shop", "database")] == 2  # the page, then the run record
    cursor, runs = await cursor_and_runs(a.leases.db, FakeClock())
    assert cursor is None  # the page a read is not in the hub: b will read it again
    assert runs == [RunOutcome.FAILED]  # failed by b when it took over


async def test_losing_the_lease_cancels_the_run_at_once(
    nodes: tuple[Node, Node, PagedChannel],
) -> None:
    a, b, channel = nodes
    await a.leases.beat()
    done = a.runner.request(KEY, trigger="t")
    assert done is not None
    await channel.waiting.wait()
    follow_up = a.runner.request(KEY, trigger="webhook")
    assert follow_up is not None and follow_up is not done
    await expire(a.leases, "shop")
    await b.leases.beat()
    await a.leases.beat()  # a's renewal is refused: the lease is lost, its run cancelled
    await done.wait()
    await follow_up.wait()  # dropped, and whoever waited for it is told
    summary = a.runner.last_summary(KEY)
    assert summary is not None and summary.outcome is RunOutcome.FAILED
    assert summary.error == "lost the connection's lease: another node holds it now"
    assert a.runner.request(KEY, trigger="t") is None
    channel.go.set()
    again = b.runner.request(KEY, trigger="t")
    assert again is not None
    await again.wait()
    cursor, runs = await cursor_and_runs(b.leases.db, FakeClock())
    assert cursor == "1" and sorted(runs) == [RunOutcome.FAILED, RunOutcome.OK]


async def test_a_connection_handed_over_finishes_its_page_first(
    nodes: tuple[Node, Node, PagedChannel],
) -> None:
    a, b, channel = nodes
    channel.pages = 3
    await a.leases.beat()
    done = a.runner.request(KEY, trigger="t")
    assert done is not None
    await channel.waiting.wait()
    a.leases.configure([])  # e.g. a reload took it out of a's config: a hands it over
    async with anyio.create_task_group() as tg:
        tg.start_soon(a.leases.beat)
        while a.leases.holds("shop"):  # no new runs from here on
            await anyio.lowlevel.checkpoint()
        assert a.runner.request(KEY, trigger="t") is None
        channel.go.set()  # the running one finishes its page, commits, and stops
    await done.wait()
    summary = a.runner.last_summary(KEY)
    assert summary is not None and summary.outcome is RunOutcome.INTERRUPTED
    assert a.leases.held() == [] and a.leases.stats.released == 1
    await b.leases.beat()
    assert b.leases.held() == ["shop"]
    cursor, runs = await cursor_and_runs(b.leases.db, FakeClock())
    assert cursor == "1" and runs == [RunOutcome.INTERRUPTED]
