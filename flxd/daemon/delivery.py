"""Delivers outbox events to every configured sink: at least once, in order, never skipping.
A failing sink backs off on its own and does not hold up the others."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

import anyio
import structlog
from anyio.abc import TaskStatus

from flxd.clock import Clock
from flxd.hub.outbox import Outbox
from flxd.net.retry import RetryPolicy
from flxd.plugin.registry import Sink
from flxd.store import Database

__all__ = ["Delivery"]

log = structlog.get_logger("flxd.daemon.delivery")
BATCH = 200


class Delivery:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        sinks: Mapping[str, Sink],
        *,
        poll_interval: float = 30.0,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.sinks = dict(sinks)
        self._poll = poll_interval
        self._policy = policy or RetryPolicy(max_delay=300.0)
        self._wake = anyio.Event()
        self._retry_at: dict[str, float] = {}
        self._rng = random.Random()
        self.may_deliver: Callable[[], bool] | None = None
        """With several nodes, one delivers (the one holding the outbox lease), so sinks do
        not get every event once per node."""

    def wake(self) -> None:
        """New events were committed: deliver now rather than at the next poll."""
        self._wake.set()

    async def deliver_pending(self) -> int:
        """Deliver everything pending to every sink that is not backing off; returns events sent."""
        if self.may_deliver is not None and not self.may_deliver():
            return 0
        sent = 0
        for name, sink in self.sinks.items():
            if self._retry_at.get(name, 0.0) > self._clock.monotonic():
                continue
            sent += await self._drain_sink(name, sink)
        return sent

    async def _drain_sink(self, name: str, sink: Sink) -> int:
        sent = 0
        while True:
            async with self._db.transaction() as tx:
                events = await Outbox(tx, self._clock.now()).pending(name, limit=BATCH)
            if not events:
                return sent
            try:
                await sink.deliver(events)
            except Exception as exc:  # a sink is third-party code: contain it, retry later
                async with self._db.transaction() as tx:
                    failures = await Outbox(tx, self._clock.now()).record_failure(name, repr(exc))
                wait = self._policy.backoff(failures, write=False, rng=self._rng)
                self._retry_at[name] = self._clock.monotonic() + wait
                if failures == 1:
                    log.error("sink failing; will retry", sink=name, error=repr(exc))
                return sent
            async with self._db.transaction() as tx:
                await Outbox(tx, self._clock.now()).acknowledge(name, events[-1].id)
            if self._retry_at.pop(name, None) is not None:
                log.info("sink recovered", sink=name)
            sent += len(events)

    async def serve(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        while True:
            # Re-arm before delivering, so a commit during delivery still wakes the next round.
            self._wake = anyio.Event()
            await self.deliver_pending()
            with anyio.move_on_after(self._poll):
                await self._wake.wait()

    async def aclose(self) -> None:
        for sink in self.sinks.values():
            await sink.aclose()
