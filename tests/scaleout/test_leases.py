"""Leases between nodes on one PostgreSQL database, heartbeat by heartbeat (each `beat()` is
driven by the test; the nodes' own monotonic clocks are fake, the database's is real)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import pytest
from structlog.testing import capture_logs

from flxd.cluster.leases import OUTBOX, LeaseManager
from flxd.daemon.metrics import Metrics
from flxd.errors import FencedError
from flxd.store import db_time
from flxd.testing import FakeClock
from tests.scaleout.conftest import OpenNode

pytestmark = pytest.mark.asyncio
CONNECTIONS = [f"shop{n:02d}" for n in range(10)]
PERIOD = 15.0


class Listener:
    """Records what the manager tells the daemon; `drain` stands in for handing a lease over."""

    def __init__(self) -> None:
        self.lost: list[str] = []
        self.drain: Callable[[str], Awaitable[None]] | None = None

    def lease_lost(self, connection: str, why: str) -> None:
        self.lost.append(connection)

    def lease_claimed(self, name: str) -> None:
        return None

    async def hand_over(self, connection: str) -> None:
        if self.drain is not None:
            await self.drain(connection)

    def busy(self, connection: str) -> bool:
        return False


async def node(
    open_node: OpenNode,
    name: str,
    clock: FakeClock,
    listener: Listener | None = None,
    **kw: bool,
) -> LeaseManager:
    manager = LeaseManager(
        await open_node(), clock, node=name, period=PERIOD, listener=listener, **kw
    )
    manager.configure(CONNECTIONS)
    return manager


async def expire(manager: LeaseManager, *names: str) -> None:
    """What a stopped node looks like to the others: its heartbeat and leases ran out."""
    async with manager.db.transaction() as tx:
        await tx.execute("UPDATE nodes SET seen_ms = 0 WHERE node = ?", manager.node)
        await tx.execute(
            "UPDATE leases SET expires_ms = 0 WHERE owner = ? AND connection = ANY(?)",
            manager.node,
            list(names),
        )


async def until_expired(manager: LeaseManager, name: str) -> None:
    """Poll the database's clock (with a deadline) until the lease has run out."""
    with anyio.fail_after(10):
        while True:
            async with manager.db.transaction() as tx:
                left = await tx.fetchval(
                    "SELECT expires_ms - (extract(epoch FROM clock_timestamp()) * 1000)::bigint "
                    "FROM leases WHERE connection = ?",
                    name,
                )
            if left < 0:
                return
            await anyio.sleep(0.02)


async def test_nodes_share_the_connections_fairly(open_node: OpenNode) -> None:
    clock = FakeClock()
    a, b, c = [await node(open_node, n, clock) for n in ("a", "b", "c")]
    await a.beat()
    assert a.held() == CONNECTIONS and a.holds(OUTBOX)  # alone: everything, and the outbox
    await b.beat()  # two nodes now: five each, but all five b wants are a's
    assert b.held() == []
    await a.beat()  # a sees b and hands its extras over (draining nothing: no runs)
    assert len(a.held()) == 5 and a.stats.released == 5
    await b.beat()
    assert len(b.held()) == 5 and not b.holds(OUTBOX)
    await c.beat()
    await a.beat()
    await b.beat()
    await c.beat()
    sizes = sorted(len(m.held()) for m in (a, b, c))
    assert sizes == [2, 4, 4]  # ceil(10 / 3) = 4: nobody holds more than its share
    everyone = a.held() + b.held() + c.held()
    assert sorted(everyone) == CONNECTIONS  # each connection in exactly one node


async def test_a_dead_nodes_leases_move_with_a_new_epoch_and_fence_it(
    open_node: OpenNode,
) -> None:
    clock = FakeClock()
    listener = Listener()
    lost = listener.lost
    a, b = await node(open_node, "a", clock, listener), await node(open_node, "b", clock)
    await a.beat()
    fence = a.fence("shop03")
    assert fence is not None
    async with a.db.transaction() as tx:
        await fence.check(tx)  # held: writes commit
    await expire(a, *CONNECTIONS)
    await b.beat()
    assert b.held() == CONNECTIONS  # a counts as gone: b's share is everything
    async with b.db.transaction() as tx:
        epochs = dict(await tx.fetch("SELECT connection, epoch FROM leases"))
    assert epochs["shop03"] == fence.epoch + 1
    with pytest.raises(FencedError, match="held by b"):
        async with a.db.transaction() as tx:
            await tx.execute("UPDATE cursors SET value = 'late' WHERE connection = 'shop03'")
            await fence.check(tx)
    assert a.stats.refused[("shop03", "database")] == 1
    await a.beat()  # a wakes up: its renewals are refused; every lease is lost at once
    assert sorted(lost) == CONNECTIONS and a.held() == []
    with pytest.raises(FencedError):
        a.admit("shop03")  # and nothing more leaves for the store
    assert a.stats.refused[("shop03", "channel")] == 1


async def test_a_claimer_passes_a_lease_by_while_its_holder_commits(
    open_node: OpenNode,
) -> None:
    clock = FakeClock()
    a, b = await node(open_node, "a", clock), await node(open_node, "b", clock)
    await a.beat()
    fence = a.fence("shop00")
    assert fence is not None
    async with a.db.transaction() as tx:
        # The lease runs out while a's transaction is between its fence check and its commit.
        await tx.execute(
            "UPDATE leases SET expires_ms = (extract(epoch FROM clock_timestamp()) * 1000)"
            "::bigint + 200 WHERE connection = 'shop00'"
        )
    async with a.db.transaction() as tx:
        await fence.check(tx)
        await until_expired(b, "shop00")
        await expire(a, *[c for c in CONNECTIONS if c != "shop00"])
        await b.beat()  # shop00 is expired but locked by a's commit: passed by, not waited on
        assert "shop00" not in b.held() and len(b.held()) == 9
    await b.beat()  # committed: now it moves
    assert "shop00" in b.held()


async def test_a_clean_shutdown_hands_everything_over_at_once(open_node: OpenNode) -> None:
    clock = FakeClock()
    a, b = await node(open_node, "a", clock), await node(open_node, "b", clock)
    await a.beat()
    await b.beat()
    await a.beat()
    await b.beat()
    assert len(a.held()) == len(b.held()) == 5
    await a.release_all()
    await b.beat()  # a left the node table too: b's share is everything, right away
    assert b.held() == CONNECTIONS and b.holds(OUTBOX)


async def test_a_node_that_misses_its_renewal_stops_sending_until_it_renews(
    open_node: OpenNode,
) -> None:
    clock = FakeClock()
    listener = Listener()
    lost = listener.lost
    a = await node(open_node, "a", clock, listener)
    await a.beat()
    a.admit("shop01")
    await clock.advance(PERIOD)  # a stall: no heartbeat for a whole period, by a's own clock
    a.check_deadlines()
    with pytest.raises(FencedError, match="lapsed"):
        a.admit("shop01")
    assert a.fence("shop01") is None  # no new runs either
    await a.beat()  # nobody took them: renewed under the same epoch
    a.admit("shop01")
    assert lost == []
    await clock.advance(PERIOD + PERIOD / 3)  # the database stays out of reach
    a.check_deadlines()
    a.check_deadlines()
    assert sorted(lost) == [*CONNECTIONS, OUTBOX] and a.held() == []


async def test_run_once_claims_only_free_connections_and_is_no_node(open_node: OpenNode) -> None:
    clock = FakeClock()
    a = await node(open_node, "a", clock)
    a.configure(CONNECTIONS[:3])
    await a.beat()
    once = LeaseManager(await open_node(), clock, node="cli", period=PERIOD, balance=False)
    holders = await once.claim(["shop01", "shop05", OUTBOX])
    assert holders == {"shop01": "a", OUTBOX: "a"}
    assert once.held() == ["shop05"]
    a.configure(CONNECTIONS)
    await a.beat()  # the once-process is not a node: a's share is still all ten
    assert "shop05" not in a.held() and len(a.held()) == 9
    await once.release_all()
    await a.beat()
    assert a.held() == CONNECTIONS


async def test_runs_left_running_by_the_previous_holder_are_failed(open_node: OpenNode) -> None:
    clock = FakeClock()
    a, b = await node(open_node, "a", clock), await node(open_node, "b", clock)
    await a.beat()
    async with a.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO runs (connection, operation, trigger, node, started_at, outcome) "
            "VALUES ('shop02', 'get_orders', 'schedule', 'a', ?, 'running')",
            db_time(clock.now()),
        )
    await expire(a, *CONNECTIONS)
    await b.beat()
    async with b.db.transaction() as tx:
        row = await tx.fetchrow("SELECT outcome, error FROM runs")
    assert row is not None and row["outcome"] == "failed"
    assert "b took it over" in row["error"]


async def test_metrics_show_each_nodes_leases_and_refused_writes(open_node: OpenNode) -> None:
    clock = FakeClock()
    a, b = await node(open_node, "a", clock), await node(open_node, "b", clock)
    await a.beat()
    fence = a.fence("shop00")
    assert fence is not None
    await expire(a, *CONNECTIONS)
    await b.beat()
    with pytest.raises(FencedError):
        async with a.db.transaction() as tx:
            await fence.check(tx)
    rendered = {}
    for manager in (a, b):
        metrics = Metrics(clock)
        metrics.leases = manager
        rendered[manager.node] = metrics.render().decode()
    assert (
        'flxd_fenced_writes_total{connection="shop00",node="a",where="database"} 1.0'
        in (rendered["a"])
    )
    assert 'flxd_node_leases{node="a"} 10.0' in rendered["a"]  # a has not noticed yet
    assert 'flxd_node_leases{node="b"} 10.0' in rendered["b"]
    assert 'flxd_lease_changes_total{change="claimed",node="b"} 10.0' in rendered["b"]
    assert 'flxd_lease_held{connection="shop07",node="b"} 1.0' in rendered["b"]
    assert 'flxd_nodes_live{node="b"} 1.0' in rendered["b"]


async def test_two_processes_with_one_node_id_are_told_apart(open_node: OpenNode) -> None:
    clock = FakeClock()
    first, second = await node(open_node, "same", clock), await node(open_node, "same", clock)
    with capture_logs() as logs:
        await first.beat()
        await second.beat()  # a restarted process takes over its predecessor's row: fine
        await first.beat()  # but both beating means two processes share the id
    said = [line for line in logs if "another flxd process" in line["event"]]
    assert len(said) == 1 and said[0]["node"] == "same"


async def test_a_node_that_takes_a_lost_lease_back_fails_its_own_runs_from_before(
    open_node: OpenNode,
) -> None:
    """A node starved past its lease loses it and claims it again: the run it had in flight
    could not record its end (fenced), so the claim fails it rather than leave it 'running'."""
    clock = FakeClock()
    a = await node(open_node, "a", clock)
    await a.beat()
    async with a.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO runs (connection, operation, trigger, node, started_at, outcome) "
            "VALUES ('shop02', 'get_orders', 'schedule', 'a', ?, 'running')",
            db_time(clock.now()),
        )
    await expire(a, *CONNECTIONS)
    await clock.advance(a.period * 2)  # no heartbeat got through: the node drops its leases
    a.check_deadlines()
    assert a.held() == []
    await a.beat()  # and claims them again, under new epochs
    assert a.held() == CONNECTIONS
    async with a.db.transaction() as tx:
        row = await tx.fetchrow("SELECT outcome, error FROM runs")
    assert row is not None and row["outcome"] == "failed"
    assert "a took it over" in row["error"]


async def test_a_lease_that_lapses_while_it_is_handed_over_is_still_released(
    open_node: OpenNode,
) -> None:
    """A renewal running late while a connection drains for balance: the hand-over must
    still release it, or the node keeps it (shedding, so never counted) for good."""
    clock = FakeClock()
    listener = Listener()
    a, b = await node(open_node, "a", clock, listener), await node(open_node, "b", clock)
    await a.beat()
    await b.beat()  # two nodes: a is five over its share

    late = [PERIOD + 0.1]

    async def drain_while_lapsing(name: str) -> None:
        if late:  # the next renewal is overdue by the time the first drain ends
            await clock.advance(late.pop())
        a.check_deadlines()  # the watcher: lapsed, not yet lost

    listener.drain = drain_while_lapsing
    await a.beat()  # hands five over; their leases lapse while they drain
    assert len(a.held()) == 5
    await b.beat()
    assert len(b.held()) == 5
