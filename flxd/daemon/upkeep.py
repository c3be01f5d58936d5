"""Channel upkeep (e.g. keeping a store's webhooks registered): at start, after a reload or a
lease claimed, and every `interval`. A connection whose upkeep fails is logged once until it
recovers; upkeep never stops the daemon."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import structlog

from flxd.clock import Clock
from flxd.cluster.leases import LeaseManager
from flxd.plugin.channel import Maintains
from flxd.runs.connections import check_context
from flxd.runs.runner import Runner

__all__ = ["MAINTENANCE_INTERVAL", "Upkeep"]

log = structlog.get_logger("flxd.daemon.upkeep")
MAINTENANCE_INTERVAL = 600.0


class Upkeep:
    def __init__(
        self,
        runner: Runner,
        clock: Clock,
        *,
        admin_url: Callable[[], str],
        leases: LeaseManager | None = None,
        interval: float = MAINTENANCE_INTERVAL,
    ) -> None:
        self._runner = runner
        self._clock = clock
        self._admin_url = admin_url
        self._leases = leases
        self._interval = interval
        self._wake = anyio.Event()
        self._failing: set[str] = set()

    def wake(self) -> None:
        """Do the upkeep now (new or changed connections, a lease that came here)."""
        self._wake.set()

    async def serve(self) -> None:
        while True:
            await self.once()
            self._wake = anyio.Event()
            with anyio.move_on_after(self._interval):
                await self._wake.wait()

    async def once(self) -> None:
        for name, runtime in list(self._runner.connections.items()):
            if not isinstance(runtime.channel, Maintains):
                continue
            if self._leases is not None and not self._leases.holds(name):
                continue  # the node holding it keeps it up
            ctx = check_context(runtime, self._clock, admin_url=self._admin_url())
            try:
                changed = await runtime.channel.maintain(ctx)
            except Exception as exc:  # upkeep must never stop the daemon
                if name not in self._failing:
                    self._failing.add(name)
                    log.error("channel upkeep failed", connection=name, error=str(exc))
                continue
            if name in self._failing:
                self._failing.discard(name)
                log.info("channel upkeep recovered", connection=name)
            if any(changed.values()):
                log.info("channel upkeep", connection=name, **changed)
