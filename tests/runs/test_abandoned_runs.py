"""At start-up a node fails the runs its dead processes left 'running', and only those: a
`run --once` next to the daemon on the same host must not fail the daemon's runs."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import anyio
import pytest

from flxd.runs.journal import Journal, RunOutcome
from flxd.store import Database

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def test_only_runs_of_dead_processes_are_failed(db: Database) -> None:
    done = await anyio.run_process([sys.executable, "-c", "import os; print(os.getpid())"])
    dead_pid = int(done.stdout)
    async with await anyio.open_process([sys.executable, "-c", "input()"]) as alive:
        async with db.transaction() as tx:
            journal = Journal(tx, NOW)
            ids = {}
            for name, pid in [("dead", dead_pid), ("alive", alive.pid), ("old", None)]:
                ids[name] = await journal.start_run(name, "get_orders", "schedule", "host1")
                await tx.execute("UPDATE runs SET pid = ? WHERE id = ?", pid, ids[name])
            other = await journal.start_run("dead", "get_orders", "schedule", "host2")
            await tx.execute("UPDATE runs SET pid = ? WHERE id = ?", dead_pid, other)
        async with db.transaction() as tx:
            assert await Journal(tx, NOW).abandon_running("host1") == 2
            outcomes = {
                r.connection + "/" + str(r.id): r.outcome for r in await Journal(tx, NOW).runs()
            }
        assert alive.stdin is not None
        await alive.stdin.send(b"\n")
    assert outcomes == {
        f"dead/{ids['dead']}": RunOutcome.FAILED,
        f"alive/{ids['alive']}": RunOutcome.RUNNING,
        f"old/{ids['old']}": RunOutcome.FAILED,
        f"dead/{other}": RunOutcome.RUNNING,  # another node's: its leases decide
    }
