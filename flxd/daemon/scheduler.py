"""When runs happen. The only module that imports APScheduler: it decides *when* and hands run
requests to the runner, which does the work in flxd's own task group."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from flxd.clock import Clock
from flxd.config import Config
from flxd.config.operations import ImportListingsSettings
from flxd.hub.cursors import Cursors
from flxd.operation import Operation
from flxd.plugin.flows.reconcile import RECONCILE_PART, last_reconciled
from flxd.runs.runner import Runner
from flxd.runs.summary import RunKey

__all__ = ["Job", "Scheduler", "plan_jobs"]

log = structlog.get_logger("flxd.daemon.scheduler")


@dataclass(frozen=True, slots=True)
class Job:
    key: RunKey
    interval: float
    jitter: float
    """Seconds of random spread on each fire time, so many stores don't fire at the same moment."""
    due_after: float | None = None
    """The reconciliation pass: the job fires often but asks for a run only once this many
    seconds have passed since the last complete pass (saved in the hub, so across restarts)."""


def plan_jobs(config: Config, reconciling: Collection[str] = frozenset()) -> list[Job]:
    """One job per enabled operation of every enabled connection, and one for the
    reconciliation pass of each enabled import_listings whose channel (in `reconciling`) has a
    reconciliation reader."""
    jobs: list[Job] = []
    for name, connection in sorted(config.connections.items()):
        if not connection.settings.enabled:
            continue
        for op in connection.enabled_operations():
            settings = connection.operations[op]
            interval = settings.interval
            jobs.append(Job(RunKey(name, op), interval, interval * config.daemon.jitter))
            if isinstance(settings, ImportListingsSettings) and connection.channel in reconciling:
                every = min(interval, settings.reconcile_interval)
                key = RunKey(name, op, reconcile=True)
                jobs.append(
                    Job(key, every, every * config.daemon.jitter, settings.reconcile_interval)
                )
    return jobs


class Scheduler:
    def __init__(self, runner: Runner, clock: Clock, *, rng: random.Random | None = None) -> None:
        self._runner = runner
        self._clock = clock
        self._rng = rng or random.Random()
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._jobs: dict[RunKey, Job] = {}

    def start(self, jobs: Iterable[Job]) -> None:
        self._aps.start()
        self.replace(jobs)

    def replace(self, jobs: Iterable[Job]) -> None:
        """Install this set of jobs (on start and on reload); unchanged jobs keep their timing."""
        wanted = {job.key: job for job in jobs}
        for key in list(self._jobs):
            if key not in wanted or wanted[key] != self._jobs[key]:
                self._aps.remove_job(str(key))
                del self._jobs[key]
        now = self._clock.now()
        for key, job in wanted.items():
            if key in self._jobs:
                continue
            # First fire soon after start, spread out so 500 stores do not all start at once.
            first = now + timedelta(seconds=self._rng.uniform(0, min(job.interval, 5.0)))
            self._aps.add_job(
                self._tick,
                IntervalTrigger(seconds=job.interval, jitter=job.jitter or None, timezone="UTC"),
                args=[key],
                id=str(key),
                next_run_time=first,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
            )
            self._jobs[key] = job
        log.info("schedule installed", jobs=len(self._jobs))

    def next_run(self, key: RunKey) -> datetime | None:
        job = self._aps.get_job(str(key))
        return None if job is None else job.next_run_time

    @property
    def running(self) -> bool:
        return bool(self._aps.running)

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    async def _tick(self, key: RunKey) -> None:
        # A coroutine so APScheduler runs it on the event loop, not in a thread; it only asks.
        job = self._jobs.get(key)
        if (
            job is not None
            and job.due_after is not None
            and not await self._due(key, job.due_after)
        ):
            return
        self._runner.request(key, trigger="schedule")

    async def _due(self, key: RunKey, every: float) -> bool:
        """Whether the reconciliation pass is due: an import has run (there is something
        linked to compare) and the last complete pass is `every` seconds old, or none ran."""
        try:
            async with self._runner.db.transaction() as tx:
                cursors = await Cursors(tx, self._clock.now()).of(
                    key.connection, Operation.IMPORT_LISTINGS.value
                )
        except Exception as exc:  # the hub failed: the next tick asks again
            log.warning("cannot read the reconciliation time", key=str(key), error=repr(exc))
            return False
        if "" not in cursors:
            return False
        last = last_reconciled(cursors.get(RECONCILE_PART))
        return last is None or (self._clock.now() - last).total_seconds() >= every
