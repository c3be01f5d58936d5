"""The daemon's lifecycle: start the hub, connections, scheduler and sinks; reload on SIGHUP;
on SIGTERM/SIGINT stop starting runs, let running ones finish their page, commit, exit 0.

What serves alongside the daemon from a higher layer (the admin server) is attached by whoever
builds it (`attachments`): the daemon knows nothing above itself.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path

import aiohttp
import anyio
import structlog
from anyio.abc import TaskGroup

from flxd.clock import Clock, SystemClock
from flxd.cluster.leases import OUTBOX, LeaseManager
from flxd.config import Config, load_config
from flxd.daemon.delivery import Delivery
from flxd.daemon.feeds import FeedRunner
from flxd.daemon.metrics import Metrics
from flxd.daemon.notify import Notifier
from flxd.daemon.once import claim_for_once, once_stages
from flxd.daemon.scheduler import Scheduler, plan_jobs
from flxd.daemon.selection import Selection
from flxd.daemon.upkeep import Upkeep
from flxd.errors import ConfigError
from flxd.hub.database import open_hub
from flxd.logging import Redactor
from flxd.net.http import open_session
from flxd.plugin.context import SinkServices
from flxd.plugin.manager import PluginHost
from flxd.plugin.registry import Sink
from flxd.runs.connections import ConnectionRuntime, build_runtimes
from flxd.runs.journal import Journal
from flxd.runs.runner import Runner
from flxd.runs.summary import RunKey, RunProgress, RunSummary
from flxd.store import Database

__all__ = ["Attachment", "Daemon", "Selection"]

log = structlog.get_logger("flxd.daemon")

Attachment = Callable[["Daemon"], AbstractAsyncContextManager[None]]
"""Something that serves while the daemon does (entered before READY, left after the drain)."""


class Daemon:
    def __init__(
        self,
        config: Config,
        host: PluginHost,
        *,
        clock: Clock | None = None,
        redactor: Redactor | None = None,
        notifier: Notifier | None = None,
        admin_listen: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        self._admin_listen = admin_listen  # `run --admin-listen`: wins over [admin] listen
        self.config = self._overridden(config)
        self.host = host
        self.clock = clock or SystemClock()
        self.metrics = Metrics(self.clock)
        self.node = config.daemon.node_id or socket.gethostname()
        self.redactor = redactor
        self._notifier = notifier or Notifier()
        self._attachments = tuple(attachments)
        self.session: aiohttp.ClientSession | None = None
        self.db: Database | None = None
        self.runner: Runner | None = None
        self.delivery: Delivery | None = None
        self.leases: LeaseManager | None = None
        self.scheduler: Scheduler | None = None
        self._tg: TaskGroup | None = None
        self._upkeep: Upkeep | None = None
        self._feeds: FeedRunner | None = None

    # ---- shared set-up -------------------------------------------------------------------

    @asynccontextmanager
    async def _started(self, *, balance: bool) -> AsyncIterator[tuple[Database, TaskGroup]]:
        """The hub, the runner and (on PostgreSQL) the node's leases: `balance` for the
        daemon's fair share, else (`run --once`) only the connections it claims itself."""
        async with open_hub(self.config) as db, open_session() as session:
            self.session, self.db = session, db
            async with db.transaction() as tx:
                abandoned = await Journal(tx, self.clock.now()).abandon_running(self.node)
            if abandoned:
                log.warning(
                    "runs left unfinished by a previous process marked failed", count=abandoned
                )
            delivery = Delivery(db, self.clock, self._build_sinks(self.config))
            leases = self._lease_manager(db, balance=balance)
            runner = Runner(
                db=db,
                clock=self.clock,
                node=self.node,
                max_concurrent_runs=self.config.daemon.max_concurrent_runs,
                on_events=delivery.wake,
                on_finished=self.metrics.run_finished,
                leases=leases,
            )
            self.runner, self.delivery, self.leases = runner, delivery, leases
            if leases is not None:
                delivery.may_deliver = partial(leases.holds, OUTBOX)
                self.metrics.leases = leases
            runner.connections = self._build_connections(self.config, {})
            await runner.load_health()
            try:
                async with anyio.create_task_group() as tg:
                    await tg.start(runner.serve)
                    if leases is not None:
                        await tg.start(leases.serve)
                    yield db, tg
                    tg.cancel_scope.cancel()
            finally:
                with anyio.CancelScope(shield=True):
                    if leases is not None:
                        # Every run has ended: hand the connections to the other nodes now
                        # rather than when the leases expire.
                        await leases.release_all()
                    await self._close(runner.connections.values())
                    await delivery.aclose()

    def _lease_manager(self, db: Database, *, balance: bool) -> LeaseManager | None:
        """Leases only where several nodes can share the hub (PostgreSQL); on SQLite this one
        node holds everything and nothing is fenced."""
        if db.dialect != "postgresql":
            return None
        leases = LeaseManager(
            db,
            self.clock,
            # `run --once` on a host where the daemon runs has the daemon's node id (the host
            # name): its own name, so it can never take what the daemon holds for itself.
            node=self.node if balance else f"{self.node}/once-{os.getpid()}",
            period=self.config.daemon.lease_period,
            balance=balance,
            listener=self,
        )
        if balance:
            leases.configure(_leased(self.config))
        return leases

    # ---- LeaseListener: what leases coming and going does to this node ---------------------

    def lease_lost(self, connection: str, why: str) -> None:
        if self.runner is not None:
            self.runner.revoke(connection, why)

    def lease_claimed(self, name: str) -> None:
        """A lease came here: deliver the outbox now, or do the connection's upkeep (e.g. point
        its webhooks here) rather than at the next round."""
        if name == OUTBOX and self.delivery is not None:
            self.delivery.wake()
        elif self._upkeep is not None:
            self._upkeep.wake()

    async def hand_over(self, connection: str) -> None:
        if self.runner is not None:
            await self.runner.release(connection, self.config.daemon.grace_period)

    def busy(self, connection: str) -> bool:
        return self.runner is not None and self.runner.busy(connection)

    # ---- connections and sinks -------------------------------------------------------------

    def _build_connections(
        self, config: Config, current: dict[str, ConnectionRuntime]
    ) -> dict[str, ConnectionRuntime]:
        assert self.session is not None
        return build_runtimes(
            config,
            self.host.channels,
            current,
            session=self.session,
            clock=self.clock,
            db=self.db,
            # Nothing leaves for a store unless this node holds its lease at that moment.
            admit=None if self.leases is None else self.leases.admit,
        )

    def _reconciling(self) -> frozenset[str]:
        """The channels with a reconciliation reader (their imports get the pass scheduled)."""
        return frozenset(r.item.name for r in self.host.channels if r.item.reconcile is not None)

    def _build_sinks(self, config: Config) -> dict[str, Sink]:
        sinks: dict[str, Sink] = {}
        for name, table in config.sinks.items():
            sink_type = self.host.sinks.get(table.type)
            assert sink_type is not None
            sinks[name] = sink_type.create(
                table.settings,
                SinkServices(
                    name=name,
                    clock=self.clock,
                    log=log.bind(sink=name),
                    state_dir=config.daemon.state_dir,
                ),
            )
        return sinks

    async def _close(self, runtimes: Iterable[ConnectionRuntime]) -> None:
        for runtime in runtimes:
            try:
                await runtime.channel.aclose()
            except Exception:
                log.exception("channel failed to close", connection=runtime.name)

    # ---- run --once ----------------------------------------------------------------------

    async def run_once(
        self,
        selection: Selection | None = None,
        *,
        full: bool = False,
        dry_run: bool = False,
        progress: RunProgress | None = None,
    ) -> list[RunSummary]:
        """Run the selected operations once, in dependency order (each operation for every
        selected connection, side by side, before the next operation). SIGTERM/SIGINT drain
        as in the daemon."""
        selection = selection or Selection()
        plan = selection.keys(self.config)
        summaries: list[RunSummary] = []
        async with self._started(balance=False) as (db, tg):
            runner = self.runner
            assert runner is not None and self.delivery is not None
            tg.start_soon(self._drain_on_signal, runner)
            if self.leases is not None:
                summaries += await claim_for_once(self.leases, plan, dry_run=dry_run)
            if selection.operation is None and not dry_run:
                # Feeds first, so a supplier file's rows reach the channels in this run.
                await FeedRunner(self.config, self.host, db, self.clock).run_all()

            async def one(key: RunKey) -> None:
                if runner.draining:
                    return
                if progress is not None:
                    progress.started(key)
                summary = await runner.run_now(
                    key, trigger="dry-run" if dry_run else "once", full=full, dry_run=dry_run
                )
                summaries.append(summary)
                if progress is not None:
                    progress.finished(summary)

            # One stage per operation, every connection's run of it side by side: what one
            # store's import brings into the hub is published to the others in the same run.
            for stage in once_stages(plan):
                async with anyio.create_task_group() as inner:
                    for key in stage:
                        if self.leases is None or self.leases.holds(key.connection):
                            inner.start_soon(one, key)
            if not dry_run:
                await self.delivery.deliver_pending()
        order = {key: i for i, key in enumerate(k for keys in plan.values() for k in keys)}
        return sorted(summaries, key=lambda s: order[s.key])

    async def _drain_on_signal(self, runner: Runner) -> None:
        with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            async for signum in signals:
                log.info(
                    "signal received; finishing current pages", signal=signal.Signals(signum).name
                )
                await runner.drain(self.config.daemon.grace_period)
                return

    # ---- the daemon ----------------------------------------------------------------------

    async def serve(self) -> int:
        """Run until SIGTERM/SIGINT; returns the exit status."""
        with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT, signal.SIGHUP) as signals:
            async with self._started(balance=True) as (db, tg), AsyncExitStack() as stack:
                runner, delivery = self.runner, self.delivery
                assert runner is not None and delivery is not None
                await tg.start(delivery.serve)
                self._tg = tg
                scheduler = Scheduler(runner, self.clock)
                scheduler.start(plan_jobs(self.config, self._reconciling()))
                self.scheduler = scheduler
                self._feeds = FeedRunner(self.config, self.host, db, self.clock)
                tg.start_soon(self._feeds.serve)
                if self._notifier.watchdog_interval:
                    tg.start_soon(self._watchdog, self._notifier.watchdog_interval)
                # Serving before READY; closed after the drain (the stack unwinds first).
                for attach in self._attachments:
                    await stack.enter_async_context(attach(self))
                self._upkeep = Upkeep(
                    runner, self.clock, admin_url=lambda: self.config.admin.url, leases=self.leases
                )
                tg.start_soon(self._upkeep.serve)
                self._announce()
                async for signum in signals:
                    if signum == signal.SIGHUP:
                        await self.reload()
                        continue
                    log.info(
                        "signal received; stopping",
                        signal=signal.Signals(signum).name,
                        grace_s=self.config.daemon.grace_period,
                    )
                    break
                self._notifier.stopping()
                scheduler.shutdown()
                await runner.drain(self.config.daemon.grace_period)
                with anyio.move_on_after(5, shield=True):
                    await delivery.deliver_pending()
        log.info("stopped")
        return 0

    def _announce(self) -> None:
        count = len(self.config.connections)
        if count == 0:
            log.warning(
                "no connections configured: the daemon idles until [connections.NAME] "
                "tables are added and it is reloaded (SIGHUP)"
            )
        jobs = len(plan_jobs(self.config, self._reconciling()))
        log.info(
            "flxd started",
            node=self.node,
            connections=count,
            jobs=jobs,
            database=self.config.database_url.split("://", 1)[0],
            leased=None if self.leases is None else len(self.leases.held()),
        )
        self._notifier.ready(f"{count} connection(s), {jobs} job(s)")

    def serving_admin_at(self, listen: str) -> None:
        """The admin server's address actually bound (its config may say port 0), so
        `[admin] url` (webhook destinations, OAuth callbacks) points at it; kept on reload."""
        self._admin_listen = listen
        self.config = self._overridden(self.config)

    def _overridden(self, config: Config) -> Config:
        """`config` with `run --admin-listen` applied; kept across reloads."""
        if self._admin_listen is None:
            return config
        admin = config.admin.model_copy(update={"listen": self._admin_listen, "enabled": True})
        return replace(config, admin=admin)

    async def _watchdog(self, interval: float) -> None:
        while True:
            self._notifier.watchdog()
            await anyio.sleep(interval)

    async def reload(self) -> None:
        """Re-read the config; an invalid new file leaves the running config in place."""
        runner, delivery, scheduler = self.runner, self.delivery, self.scheduler
        assert runner is not None and delivery is not None and scheduler is not None
        assert self._tg is not None and self.config.path is not None
        self._notifier.reloading()
        try:
            config = self._overridden(load_config(Path(self.config.path), self.host))
            connections = self._build_connections(config, runner.connections)
        except Exception as exc:  # an operator's mistake must not take the daemon down
            problems = (
                [str(p) for p in exc.problems] if isinstance(exc, ConfigError) else [str(exc)]
            )
            log.error("reload refused; still running on the previous config", problems=problems)
            self._notifier.ready("reload refused")
            return
        if self.redactor is not None:
            self.redactor.add(config.secret_values())
        retired = [rt for name, rt in runner.connections.items() if connections.get(name) is not rt]
        runner.connections = connections
        self.config = config
        if self.leases is not None:
            self.leases.configure(_leased(config))
        await runner.load_health()
        delivery.sinks = self._build_sinks(config)
        scheduler.replace(plan_jobs(config, self._reconciling()))
        if self._feeds is not None:
            self._feeds.replace(config)
        for runtime in retired:
            self._tg.start_soon(self._retire, runtime)
        if self._upkeep is not None:
            self._upkeep.wake()  # new or changed connections get their upkeep now
        log.info("config reloaded", connections=len(connections))
        self._notifier.ready(f"{len(connections)} connection(s)")

    async def _retire(self, runtime: ConnectionRuntime) -> None:
        """Close a replaced connection once the runs still using it are done."""
        await runtime.wait_idle()
        await self._close([runtime])


def _leased(config: Config) -> list[str]:
    """The connections nodes share out: the enabled ones."""
    return [name for name, conn in config.connections.items() if conn.settings.enabled]
