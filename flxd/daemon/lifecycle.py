"""The daemon's lifecycle: start the hub, connections, scheduler and sinks; reload on SIGHUP;
on SIGTERM/SIGINT stop starting runs, let running ones finish their page, commit, exit 0."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import anyio
import structlog
from anyio.abc import TaskGroup

from flxd.admin import AdminServer, AdminState, resolve_token
from flxd.clock import Clock, SystemClock
from flxd.cluster.leases import OUTBOX, LeaseManager
from flxd.config import Config, load_config
from flxd.daemon.delivery import Delivery
from flxd.daemon.feeds import FeedRunner
from flxd.daemon.metrics import Metrics
from flxd.daemon.notify import Notifier
from flxd.daemon.scheduler import Scheduler, plan_jobs
from flxd.errors import ConfigError, UsageError
from flxd.hub.credentials import Vault
from flxd.hub.database import open_hub
from flxd.logging import Redactor
from flxd.net.http import open_session
from flxd.operation import RUN_ORDER, Operation
from flxd.plugin.channel import Maintains
from flxd.plugin.context import CheckContext, SinkServices
from flxd.plugin.manager import PluginHost
from flxd.plugin.registry import Sink
from flxd.runs.connections import ConnectionRuntime, build_runtime
from flxd.runs.journal import Journal, RunOutcome
from flxd.runs.runner import RunKey, Runner, RunSummary
from flxd.store import Database

if TYPE_CHECKING:
    from flxd.commands.progress import RunProgress

__all__ = ["Daemon", "Selection"]

log = structlog.get_logger("flxd.daemon.lifecycle")
MAINTENANCE_INTERVAL = 600.0


@dataclass(frozen=True, slots=True)
class Selection:
    """Which runs `run --once` performs: all, one connection, or one operation of it."""

    connection: str | None = None
    operation: Operation | None = None

    def keys(self, config: Config) -> dict[str, list[RunKey]]:
        if self.connection is not None and self.connection not in config.connections:
            known = ", ".join(sorted(config.connections)) or "none"
            raise UsageError(f"unknown connection {self.connection!r} (configured: {known})")
        plan: dict[str, list[RunKey]] = {}
        for name, conn in sorted(config.connections.items()):
            if self.connection not in (None, name) or not conn.settings.enabled:
                continue
            ops = [op for op in RUN_ORDER if op in conn.enabled_operations()]
            if self.operation is not None:
                if self.operation not in conn.operations:
                    raise UsageError(
                        f"{name}: channel {conn.channel!r} does not support {self.operation.value}"
                    )
                ops = [self.operation]  # asked for by name: run it even if not enabled
            plan[name] = [RunKey(name, op) for op in ops]
        return plan


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
    ) -> None:
        self._admin_listen = admin_listen  # `run --admin-listen`: wins over [admin] listen
        self.config = self._overridden(config)
        self.host = host
        self.clock = clock or SystemClock()
        self.metrics = Metrics(self.clock)
        self.node = config.daemon.node_id or socket.gethostname()
        self._redactor = redactor
        self._notifier = notifier or Notifier()
        self._session: aiohttp.ClientSession | None = None
        self._db: Database | None = None
        self.runner: Runner | None = None
        self.delivery: Delivery | None = None
        self._tg: TaskGroup | None = None
        self._upkeep: anyio.Event | None = None
        self._feeds: FeedRunner | None = None
        self.leases: LeaseManager | None = None

    # ---- shared set-up -------------------------------------------------------------------

    @asynccontextmanager
    async def _started(self, *, balance: bool) -> AsyncIterator[tuple[Database, TaskGroup]]:
        """The hub, the runner and (on PostgreSQL) the node's leases: `balance` for the
        daemon's fair share, else (`run --once`) only the connections it claims itself."""
        async with open_hub(self.config) as db, open_session() as session:
            self._session = session
            self._db = db
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
                leases.on_lost = runner.revoke
                leases.drain = lambda name: runner.release(name, self.config.daemon.grace_period)
                leases.busy = runner.busy
                leases.on_claimed = self._claimed
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
        )
        if balance:
            leases.configure(_leased(self.config))
        return leases

    def _claimed(self, name: str) -> None:
        """A lease came to this node: deliver the outbox now, or do the connection's upkeep
        (e.g. point its webhooks here) rather than at the next round."""
        if name == OUTBOX and self.delivery is not None:
            self.delivery.wake()
        elif self._upkeep is not None:
            self._upkeep.set()

    def _build_connections(
        self, config: Config, current: dict[str, ConnectionRuntime]
    ) -> dict[str, ConnectionRuntime]:
        assert self._session is not None
        built: dict[str, ConnectionRuntime] = {}
        for name, conn in config.connections.items():
            old = current.get(name)
            if old is not None and old.config == conn:
                built[name] = old
                continue
            channel_type = self.host.channels.get(conn.channel)
            assert channel_type is not None  # the config loader checked it
            built[name] = build_runtime(
                conn,
                channel_type,
                session=self._session,
                clock=self.clock,
                state_dir=config.daemon.state_dir,
                limiter=old.limiter if old is not None else None,
                db=self._db,
                vault=self._vault(config),
            )
        if self.leases is not None:
            for name, runtime in built.items():
                # Nothing leaves for a store unless this node holds its lease at that moment.
                runtime.limiter.admit = partial(self.leases.admit, name)
        return built

    @staticmethod
    def _vault(config: Config) -> Vault | None:
        key = config.daemon.secret_key
        return Vault.from_environ(key.get_secret_value() if key is not None else None)

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
        selection: Selection = Selection(),
        *,
        full: bool = False,
        dry_run: bool = False,
        progress: RunProgress | None = None,
    ) -> list[RunSummary]:
        """Run the selected operations once, in dependency order per connection, connections
        side by side. SIGTERM/SIGINT drain as in the daemon."""
        plan = selection.keys(self.config)
        summaries: list[RunSummary] = []
        async with self._started(balance=False) as (db, tg):
            runner = self.runner
            assert runner is not None and self.delivery is not None
            tg.start_soon(self._drain_on_signal, runner)
            if self.leases is not None:
                summaries += await self._claim_for_once(self.leases, plan, dry_run=dry_run)
            if selection.operation is None and not dry_run:
                # Feeds first, so a supplier file's rows reach the channels in this run.
                await FeedRunner(self.config, self.host, db, self.clock).run_all()

            async def one_connection(keys: list[RunKey]) -> None:
                for key in keys:
                    if runner.draining:
                        return
                    if progress is not None:
                        progress.started(key)
                    summary = await runner.run_now(
                        key,
                        trigger="dry-run" if dry_run else "once",
                        full=full,
                        dry_run=dry_run,
                    )
                    summaries.append(summary)
                    if progress is not None:
                        progress.finished(summary)

            async with anyio.create_task_group() as inner:
                for name, keys in plan.items():
                    if self.leases is None or self.leases.holds(name):
                        inner.start_soon(one_connection, keys)
            if not dry_run:
                await self.delivery.deliver_pending()
        order = {key: i for i, key in enumerate(k for keys in plan.values() for k in keys)}
        return sorted(summaries, key=lambda s: order[s.key])

    async def _claim_for_once(
        self, leases: LeaseManager, plan: dict[str, list[RunKey]], *, dry_run: bool
    ) -> list[RunSummary]:
        """`run --once` next to running daemons: claim the selected connections (and the
        outbox), and skip those another node holds rather than write beside it."""
        wanted = [*plan, *([] if dry_run else [OUTBOX])]
        holders = await leases.claim(wanted)
        skipped: list[RunSummary] = []
        for name, holder in sorted(holders.items()):
            if name not in plan:
                continue
            why = f"node {holder} holds the connection's lease" if holder else "lease busy"
            log.warning("connection held by another node; not run", connection=name, node=holder)
            skipped += [
                RunSummary(key=key, trigger="once", outcome=RunOutcome.SKIPPED, error=why)
                for key in plan[name]
            ]
        return skipped

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
                scheduler.start(plan_jobs(self.config))
                self.scheduler = scheduler
                self._feeds = FeedRunner(self.config, self.host, db, self.clock)
                tg.start_soon(self._feeds.serve)
                if self._notifier.watchdog_interval:
                    tg.start_soon(self._watchdog, self._notifier.watchdog_interval)
                # Listening before READY; closed after the drain (the stack unwinds first).
                await stack.enter_async_context(self._admin(db, scheduler))
                tg.start_soon(self._maintain)
                self._announce()
                async for signum in signals:
                    if signum == signal.SIGHUP:
                        await self._reload(scheduler)
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
        jobs = len(plan_jobs(self.config))
        log.info(
            "flxd started",
            node=self.node,
            connections=count,
            jobs=jobs,
            database=self.config.database_url.split("://", 1)[0],
            leased=None if self.leases is None else len(self.leases.held()),
        )
        self._notifier.ready(f"{count} connection(s), {jobs} job(s)")

    @asynccontextmanager
    async def _admin(self, db: Database, scheduler: Scheduler) -> AsyncIterator[None]:
        """The admin server (unless `[admin] enabled = false` and no --admin-listen)."""
        if not self.config.admin.enabled:
            yield
            return
        runner, delivery, session = self.runner, self.delivery, self._session
        assert runner is not None and delivery is not None and session is not None
        token = resolve_token(self.config.admin, os.environ)
        if token is not None and self._redactor is not None:
            self._redactor.add([token.get_secret_value()])  # $FLXD_ADMIN_TOKEN is not in config
        state = AdminState(
            config=lambda: self.config,
            token=lambda: resolve_token(self.config.admin, os.environ),
            db=db,
            clock=self.clock,
            node=self.node,
            runner=runner,
            scheduler=scheduler,
            delivery=delivery,
            metrics=self.metrics,
            session=session,
            reload=lambda: self._reload(scheduler),
            leases=self.leases,
        )
        server = AdminServer(
            state, listen=self.config.admin.listen, plugin_routes=self.host.web_routes
        )
        async with server.running() as url:
            # The port actually bound (listen may say 0), so [admin] url points at this server.
            self._admin_listen = url.removeprefix("http://")
            self.config = self._overridden(self.config)
            yield

    def _overridden(self, config: Config) -> Config:
        """`config` with `run --admin-listen` applied; kept across reloads."""
        if self._admin_listen is None:
            return config
        admin = config.admin.model_copy(update={"listen": self._admin_listen, "enabled": True})
        return replace(config, admin=admin)

    async def _maintain(self, interval: float = MAINTENANCE_INTERVAL) -> None:
        """Channel upkeep (e.g. webhook registration) at start, after reloads, and every
        `interval`; a connection whose upkeep fails is logged once until it recovers."""
        failing: set[str] = set()
        while True:
            runner = self.runner
            assert runner is not None
            for name, runtime in list(runner.connections.items()):
                if not isinstance(runtime.channel, Maintains):
                    continue
                if self.leases is not None and not self.leases.holds(name):
                    continue  # the node holding it keeps it up
                ctx = CheckContext(
                    connection=name,
                    settings=runtime.config.settings,
                    operations=tuple(runtime.config.enabled_operations()),
                    http=runtime.http,
                    clock=self.clock,
                    log=log.bind(connection=name),
                    operation_settings=runtime.config.operations,
                    admin_url=self.config.admin.url,
                )
                try:
                    changed = await runtime.channel.maintain(ctx)
                except Exception as exc:  # upkeep must never stop the daemon
                    if name not in failing:
                        failing.add(name)
                        log.error("channel upkeep failed", connection=name, error=str(exc))
                    continue
                if name in failing:
                    failing.discard(name)
                    log.info("channel upkeep recovered", connection=name)
                if any(changed.values()):
                    log.info("channel upkeep", connection=name, **changed)
            self._upkeep = anyio.Event()
            with anyio.move_on_after(interval):
                await self._upkeep.wait()

    async def _watchdog(self, interval: float) -> None:
        while True:
            self._notifier.watchdog()
            await anyio.sleep(interval)

    async def _reload(self, scheduler: Scheduler) -> None:
        """Re-read the config; an invalid new file leaves the running config in place."""
        runner, delivery = self.runner, self.delivery
        assert runner is not None and delivery is not None and self._tg is not None
        assert self.config.path is not None
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
        if self._redactor is not None:
            self._redactor.add(config.secret_values())
        retired = [rt for name, rt in runner.connections.items() if connections.get(name) is not rt]
        runner.connections = connections
        self.config = config
        if self.leases is not None:
            self.leases.configure(_leased(config))
        await runner.load_health()
        delivery.sinks = self._build_sinks(config)
        scheduler.replace(plan_jobs(config))
        if self._feeds is not None:
            self._feeds.replace(config)
        for runtime in retired:
            self._tg.start_soon(self._retire, runtime)
        if self._upkeep is not None:
            self._upkeep.set()  # new or changed connections get their upkeep now
        log.info("config reloaded", connections=len(connections))
        self._notifier.ready(f"{len(connections)} connection(s)")

    async def _retire(self, runtime: ConnectionRuntime) -> None:
        """Close a replaced connection once the runs still using it are done."""
        await runtime.wait_idle()
        await self._close([runtime])


def _leased(config: Config) -> list[str]:
    """The connections nodes share out: the enabled ones."""
    return [name for name, conn in config.connections.items() if conn.settings.enabled]
