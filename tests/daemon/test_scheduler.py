"""The scheduler decides when: one job per enabled operation, spread out, coalescing ticks."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import anyio
import pytest

from flxd.config import parse_config
from flxd.daemon.scheduler import Job, Scheduler, plan_jobs
from flxd.hub.cursors import Cursors
from flxd.operation import Operation
from flxd.plugin.flows.reconcile import RECONCILE_PART
from flxd.plugin.manager import load_plugins
from flxd.runs.summary import RunKey
from flxd.store import Database
from flxd.testing import FakeClock

CONFIG = """
[daemon]
jitter = 0.2
[connections.a]
channel = "memory"
token_env = "T"
[connections.a.get_orders]
enabled = true
interval = "5m"
[connections.a.sync_orders]
enabled = true
interval = 60
[connections.a.import_listings]
interval = 60
[connections.off]
channel = "memory"
token_env = "T"
enabled = false
[connections.off.get_orders]
enabled = true
"""


def test_one_job_per_enabled_operation_of_enabled_connections() -> None:
    config = parse_config(CONFIG, registries=load_plugins(), environ={"T": "x"}, base_dir=Path("/"))
    assert plan_jobs(config) == [
        Job(RunKey("a", Operation.GET_ORDERS), 300.0, 60.0),
        Job(RunKey("a", Operation.SYNC_ORDERS), 60.0, 12.0),
    ]


class RecordingRunner:
    def __init__(self) -> None:
        self.requests: list[tuple[RunKey, str]] = []
        self.asked = anyio.Event()

    def request(self, key: RunKey, *, trigger: str, full: bool = False) -> None:
        self.requests.append((key, trigger))
        self.asked.set()


@pytest.mark.asyncio
async def test_jobs_fire_soon_after_start_then_at_their_interval() -> None:
    clock = FakeClock(start=FakeClock().now().replace(year=2100))  # never due during the test
    runner = RecordingRunner()
    scheduler = Scheduler(runner, clock, rng=random.Random(7))  # type: ignore[arg-type]
    key = RunKey("a", Operation.GET_ORDERS)
    scheduler.start([Job(key, 300.0, 0.0)])
    try:
        first = scheduler.next_run(key)
        assert first is not None
        assert clock.now() <= first <= clock.now() + timedelta(seconds=5)
        # Replacing with the same job keeps its timing; a changed interval reschedules it.
        scheduler.replace([Job(key, 300.0, 0.0)])
        assert scheduler.next_run(key) == first
        scheduler.replace([Job(key, 60.0, 0.0)])
        assert scheduler.next_run(key) is not None
        scheduler.replace([])
        assert scheduler.next_run(key) is None
        # A tick only asks the runner; the runner decides (and coalesces).
        await scheduler._tick(key)
        assert runner.requests == [(key, "schedule")]
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_a_due_job_reaches_the_runner() -> None:
    clock = FakeClock()
    runner = RecordingRunner()
    scheduler = Scheduler(runner, clock, rng=random.Random(1))  # type: ignore[arg-type]
    key = RunKey("a", Operation.SYNC_ORDERS)
    # The fake clock's "now" is in the past for APScheduler, so the first fire is immediate.
    scheduler.start([Job(key, 3600.0, 0.0)])
    try:
        with anyio.fail_after(10):
            await runner.asked.wait()
    finally:
        scheduler.shutdown()
    assert runner.requests[0] == (key, "schedule")


def test_an_enabled_import_gets_its_reconciliation_pass_when_the_channel_has_a_reader() -> None:
    text = CONFIG.replace(
        "[connections.a.import_listings]\ninterval = 60",
        "[connections.a.import_listings]\nenabled = true\ninterval = 60\n"
        'reconcile_interval = "12h"',
    )
    config = parse_config(text, registries=load_plugins(), environ={"T": "x"}, base_dir=Path("/"))
    reconcile = RunKey("a", Operation.IMPORT_LISTINGS, reconcile=True)
    # Asked every import interval; run only once 12 hours passed since the last pass.
    assert Job(reconcile, 60.0, 12.0, 43200.0) in plan_jobs(config, {"memory"})
    assert all(not job.key.reconcile for job in plan_jobs(config))  # no reader: no pass


@pytest.mark.asyncio
async def test_the_reconciliation_pass_is_asked_for_only_when_due(
    flxd_hub: Database, flxd_clock: FakeClock
) -> None:
    runner = RecordingRunner()
    runner.db = flxd_hub  # type: ignore[attr-defined]
    scheduler = Scheduler(runner, flxd_clock)  # type: ignore[arg-type]
    key = RunKey("a", Operation.IMPORT_LISTINGS, reconcile=True)
    scheduler._jobs[key] = Job(key, 60.0, 0.0, 86400.0)  # installed, without APScheduler

    async def save(part: str, value: str) -> None:
        async with flxd_hub.transaction() as tx:
            await Cursors(tx, flxd_clock.now()).save("a", "import_listings", value, part=part)

    await scheduler._tick(key)
    assert runner.requests == []  # nothing imported yet: nothing linked to compare
    await save("", "2026-01-01T00:00:00+00:00")
    await scheduler._tick(key)
    assert runner.requests == [(key, "schedule")]  # never reconciled: due
    await save(RECONCILE_PART, flxd_clock.now().isoformat())
    await flxd_clock.advance(86399)
    await scheduler._tick(key)
    assert len(runner.requests) == 1
    await flxd_clock.advance(1)
    await scheduler._tick(key)
    assert len(runner.requests) == 2
