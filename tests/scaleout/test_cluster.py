"""Three flxd nodes on one PostgreSQL schema, thirty sandbox stores, continuous orders, hub
price and stock changes and shipments; one node SIGKILLed, another SIGSTOPped past its lease
and continued. Afterwards: every order imported once, every shipment pushed once, every hub
price and quantity on every store.

What happens is waited on, never slept through: lease moves are read from the lease table
(polled, with a deadline), a node's reactions from its log lines. The lease period is 2 s so
the moves take seconds. `FLXD_SCALEOUT_SEED` picks the workload (default 8).
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import anyio
import pytest
import pytest_asyncio

from flxd.hub.catalog import Catalog
from flxd.store.postgres import PostgresDatabase
from tests.scaleout.cluster import NodeProcess, SandboxProcess, StoreClient, node_config
from tests.scaleout.conftest import DSN
from tests.scaleout.endstate import EndState, check
from tests.scaleout.workload import Workload, seed_catalog

pytestmark = pytest.mark.asyncio

SEED = int(os.environ.get("FLXD_SCALEOUT_SEED", "8"))
STORES = 30
NODES = ("n1", "n2", "n3")
LEASE_PERIOD = 2.0
# Generous bounds that only turn a hang into a failure; nothing asserts how long things took.
DEADLINE = 90.0
REFUSED = "write refused: this node no longer holds the lease"


async def until(what: str, probe: Callable[[], Awaitable[bool]], within: float = DEADLINE) -> None:
    """Poll `probe` (the database, the stores) until it says yes; fail after `within` s."""
    with anyio.move_on_after(within):
        while True:
            if await probe():
                return
            await anyio.sleep(0.05)  # the next look; what it waits for is the probe
    raise AssertionError(f"not within {within:.0f} s: {what}")


class Leases:
    """The lease table, as the test sees it."""

    def __init__(self, hub: PostgresDatabase) -> None:
        self.hub = hub

    async def holders(self) -> dict[str, tuple[str | None, int]]:
        """connection -> (owner with an unexpired lease, or None; epoch)."""
        async with self.hub.transaction() as tx:
            rows = await tx.fetch(
                "SELECT connection, owner, epoch, expires_ms > "
                "(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS live FROM leases "
                "WHERE connection NOT LIKE '~%'"
            )
        return {r["connection"]: (r["owner"] if r["live"] else None, r["epoch"]) for r in rows}

    async def held_by(self, node: str) -> dict[str, int]:
        return {c: e for c, (o, e) in (await self.holders()).items() if o == node}

    async def balanced(self, nodes: tuple[str, ...]) -> bool:
        counts = Counter(owner for owner, _ in (await self.holders()).values())
        share = -(-STORES // len(nodes))
        return sum(counts[n] for n in nodes) == STORES and all(
            STORES - share * (len(nodes) - 1) <= counts[n] <= share for n in nodes
        )


@pytest_asyncio.fixture
async def hub(schema: str) -> AsyncIterator[PostgresDatabase]:
    db = PostgresDatabase(DSN, schema=schema, max_size=4)
    async with db:
        yield db


async def test_three_nodes_lose_and_stall_one_each_and_converge(
    tmp_path: Path, schema: str, hub: PostgresDatabase, scaleout_report: Callable[[str], None]
) -> None:
    rng = random.Random(SEED)
    async with hub.transaction() as tx:
        await Catalog(tx, datetime.now(UTC)).upsert(seed_catalog(rng, 6))
    sandbox = SandboxProcess(
        "--stores", str(STORES), "--quota", "12", "--window-ms", "1000", "--seed", str(SEED),
        "--no-webhooks",
    )  # fmt: skip
    nodes: dict[str, NodeProcess] = {}
    try:
        async with aiohttp.ClientSession() as session:
            stores = StoreClient(session, sandbox.base_url)
            tokens = await stores.tokens()
            connections = {f"c{n:02d}": (h, t) for n, (h, t) in enumerate(tokens.items())}
            env = {f"TOKEN_{c[1:]}": token for c, (_, token) in connections.items()}
            configs = {
                name: node_config(
                    tmp_path / f"{name}.toml",
                    node=name,
                    dsn=DSN,
                    schema=schema,
                    api_base_url=sandbox.base_url,
                    stores=list(tokens),
                    lease_period=f"{LEASE_PERIOD:g}s",
                )
                for name in NODES
            }

            def start(name: str) -> NodeProcess:
                nodes[name] = NodeProcess(name, configs[name], env, tmp_path / f"{name}.log")
                return nodes[name]

            for name in NODES:
                start(name)
            leases = Leases(hub)
            await until("three nodes share the 30 connections", lambda: leases.balanced(NODES))
            figures = await _chaos(rng, hub, stores, connections, leases, nodes, start)
            state = await _converge(hub, stores, connections)
            codes = {name: await node.stop() for name, node in nodes.items()}
            left = {c: o for c, (o, _) in (await leases.holders()).items() if o is not None}
            async with hub.transaction() as tx:
                unfinished = [
                    dict(r)
                    for r in await tx.fetch(
                        "SELECT id, connection, operation, node, pid, started_at FROM runs "
                        "WHERE outcome = 'running'"
                    )
                ]
    finally:
        for node in nodes.values():
            node.kill()
        sandbox.stop()
    scaleout_report(
        " ".join(f"{k}={v}" for k, v in figures.items())
        + f" orders={state.orders} shipments={state.shipments} variants={state.variants}"
        + f" duplicates={state.duplicates} lost={state.lost}"
    )
    assert state.problems == [], "\n".join(state.problems[:20])
    assert codes == dict.fromkeys(NODES, 0)
    assert left == {}, "a clean stop hands every lease back"
    assert unfinished == [], "runs of the killed node are failed by the nodes that took over"
    assert figures["late_writes_rejected"] > 0, "the stopped node had runs in flight"


async def _chaos(
    rng: random.Random,
    hub: PostgresDatabase,
    stores: StoreClient,
    connections: dict[str, tuple[str, str]],
    leases: Leases,
    nodes: dict[str, NodeProcess],
    start: Callable[[str], NodeProcess],
) -> dict[str, object]:
    """Traffic throughout; n1 SIGKILLed and restarted, then n2 stopped past its lease."""
    work = Workload(rng, hub, stores, connections)
    figures: dict[str, object] = {}
    async with anyio.create_task_group() as tg:

        async def traffic() -> None:
            while True:
                await work.step()
                await anyio.sleep(0.05)  # a shopper's pace, not a wait for anything

        tg.start_soon(traffic)
        await until("some orders in the hub", lambda: _count(hub, "orders", 10))

        # SIGKILL: n1's connections move once its leases run out, with a new epoch.
        victim = await leases.held_by("n1")
        killed = time.monotonic()
        nodes["n1"].kill()

        async def moved() -> bool:
            now = await leases.holders()
            return all(now[c][0] not in (None, "n1") and now[c][1] > e for c, e in victim.items())

        await until("n1's connections move", moved)
        figures["killed_connections"] = len(victim)
        figures["moved_after_kill_s"] = round(time.monotonic() - killed, 2)
        start("n1")
        rejoined = time.monotonic()
        await until("n1 back with its share", lambda: leases.balanced(NODES))
        figures["rebalanced_after_restart_s"] = round(time.monotonic() - rejoined, 2)

        # SIGSTOP past the lease, while n2 is busy: then SIGCONT. Busy for sure: another app
        # spends its stores' quota, so n2's runs wait for the window to refill (a run in
        # flight at any moment is the normal state of a node whose stores are API-bound).
        stalled = nodes["n2"]
        mark = stalled.mark
        before = await leases.held_by("n2")
        for connection in before:
            await stores.consume_quota(connections[connection][0], 100)
        await stalled.wait_for("rate limited", since=mark)
        stalled.send(signal.SIGSTOP)
        stopped = time.monotonic()

        async def taken() -> bool:
            now = await leases.holders()
            return all(now[c][0] not in (None, "n2") for c in before)

        await until("n2's connections taken over while it is stopped", taken)
        figures["stalled_connections"] = len(before)
        figures["moved_after_stop_s"] = round(time.monotonic() - stopped, 2)
        stalled.send(signal.SIGCONT)
        await stalled.wait_for("lease lost", since=mark)
        await until("n2 back with its share", lambda: leases.balanced(NODES))
        refused = stalled.matching(REFUSED, since=mark)
        figures["late_writes_rejected"] = len(refused)
        figures["rejected_where"] = dict(Counter(line["where"] for line in refused))
        figures["stalled_runs_stopped"] = sum(
            1
            for line in stalled.matching("run finished", since=mark)
            if "lost the connection's lease" in (line.get("error") or "")
        )
        tg.cancel_scope.cancel()
    figures["workload"] = dict(work.done)
    return figures


async def _count(hub: PostgresDatabase, table: str, at_least: int) -> bool:
    async with hub.transaction() as tx:
        return int(await tx.fetchval(f"SELECT count(*) FROM {table}")) >= at_least


async def _converge(
    hub: PostgresDatabase, stores: StoreClient, connections: dict[str, tuple[str, str]]
) -> EndState:
    """The traffic has stopped: the end state must come about by itself."""
    latest: list[EndState] = []

    async def settled() -> bool:
        latest[:] = [await check(hub, stores, connections)]
        if latest[0].problems:
            await anyio.sleep(1)  # the check reads every store: not in a tight loop
        return not latest[0].problems

    with suppress(AssertionError):  # the caller reports what is still wrong
        await until("every store and the hub agree", settled)
    return latest[0]
