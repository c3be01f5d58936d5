"""Runs operations: one at a time per (connection, operation), recorded, and stopped cleanly.

The scheduler, webhooks and `run --once` all ask for runs through `request`. A request for a
key that is already running does not start a second run; it queues one follow-up run (many
requests coalesce into it). Only the runner catches errors broadly: it turns them into a run
outcome, pauses a connection whose credentials fail, and keeps every other connection going.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import anyio
import structlog
from anyio.abc import TaskGroup, TaskStatus

from flxd.clock import Clock
from flxd.cluster.fencing import Fence
from flxd.cluster.leases import LeaseManager
from flxd.errors import FencedError
from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.plugin.context import HubWriter
from flxd.runs.connections import ConnectionRuntime
from flxd.runs.execution import RunExecution, RunRequest
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunKey, RunSummary
from flxd.store import Database

__all__ = ["Runner"]

log = structlog.get_logger("flxd.runs.runner")


@dataclass(slots=True)
class _KeyState:
    running: RunRequest | None = None
    queued: RunRequest | None = None
    scope: anyio.CancelScope | None = None
    last: RunSummary | None = None
    revoked: str | None = None
    """Why the running run was cancelled from outside (its lease was lost or handed over)."""


class Runner:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        node: str,
        max_concurrent_runs: int = 32,
        on_events: Callable[[], None] | None = None,
        on_finished: Callable[[RunSummary], None] | None = None,
        leases: LeaseManager | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.node = node
        self.connections: dict[str, ConnectionRuntime] = {}
        self.health: dict[str, ConnectionHealth] = {}
        self._keys: dict[RunKey, _KeyState] = {}
        self._capacity = anyio.CapacityLimiter(max_concurrent_runs)
        self._stop = anyio.Event()
        self._closed = anyio.Event()
        self._tg: TaskGroup | None = None
        self._on_events = on_events
        self._on_finished = on_finished  # metrics: called once per run, skipped ones included
        self.leases = leases
        """Several nodes on one database: runs start only for connections this node holds,
        and every write they make is fenced by the lease. None: this node runs everything."""
        self._execution = RunExecution(
            db=db,
            clock=clock,
            node=node,
            stop=self._stop,
            on_commit=self._committed,
            on_auth_failure=self._needs_reauth,
        )
        self._releases: dict[str, anyio.Event] = {}

    # ---- lifecycle -----------------------------------------------------------------------

    async def serve(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Run requested runs until `drain` has finished."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            task_status.started()
            await self._closed.wait()
            tg.cancel_scope.cancel()
        self._tg = None

    async def load_health(self) -> None:
        """Resume the needs-reauth pauses recorded earlier, unless the credentials changed."""
        async with self.db.transaction() as tx:
            journal = HealthBook(tx, self.clock.now())
            recorded = await journal.health()
            for name, runtime in self.connections.items():
                state, _, fingerprint = recorded.get(name, (ConnectionHealth.ACTIVE, None, None))
                if state is ConnectionHealth.NEEDS_REAUTH and fingerprint != runtime.fingerprint:
                    await journal.set_health(
                        name, ConnectionHealth.ACTIVE, fingerprint=runtime.fingerprint
                    )
                    log.info("credentials changed; connection resumes", connection=name)
                    state = ConnectionHealth.ACTIVE
                self.health[name] = state

    async def drain(self, grace: float) -> None:
        """Stop starting runs; let running ones finish their page within `grace` seconds, then
        cancel what is left (uncommitted pages roll back; committed cursors stay)."""
        self._stop.set()
        for state in self._keys.values():
            state.queued = None
        with anyio.move_on_after(grace):
            await self.wait_idle()
        for state in self._keys.values():
            if state.scope is not None:
                state.scope.cancel()
        with anyio.move_on_after(5):
            await self.wait_idle()
        self._closed.set()

    async def wait_idle(self) -> None:
        for state in list(self._keys.values()):
            while state.running is not None:
                await state.running.done.wait()

    @property
    def draining(self) -> bool:
        return self._stop.is_set()

    # ---- requests ------------------------------------------------------------------------

    def request(
        self, key: RunKey, *, trigger: str, full: bool = False, dry_run: bool = False
    ) -> anyio.Event | None:
        """Ask for a run. Returns an event set when a run covering this request has finished,
        or None when the runner is draining or the key is unknown. Requests made while the key
        runs coalesce into one follow-up run (full if any asked for full; real if any is)."""
        if self._stop.is_set() or self._tg is None or key.connection not in self.connections:
            return None
        if not self._holds(key.connection):
            return None  # another node runs it
        state = self._keys.setdefault(key, _KeyState())
        if state.running is None:
            state.running = RunRequest(trigger, full, dry_run)
            self._tg.start_soon(self._loop, key, state)
            return state.running.done
        if state.queued is None:
            state.queued = RunRequest(trigger, full, dry_run)
        else:
            state.queued.full = state.queued.full or full
            state.queued.dry_run = state.queued.dry_run and dry_run
        return state.queued.done

    async def run_now(
        self, key: RunKey, *, trigger: str, full: bool = False, dry_run: bool = False
    ) -> RunSummary:
        """Request a run and wait for it."""
        done = self.request(key, trigger=trigger, full=full, dry_run=dry_run)
        if done is None:
            return RunSummary(
                key=key,
                trigger=trigger,
                outcome=RunOutcome.SKIPPED,
                error="not running: shutting down, unknown connection, or another node's",
            )
        await done.wait()
        state = self._keys[key]
        assert state.last is not None
        return state.last

    def last_summary(self, key: RunKey) -> RunSummary | None:
        state = self._keys.get(key)
        return None if state is None else state.last

    def running_keys(self) -> Iterable[RunKey]:
        return [k for k, s in self._keys.items() if s.running is not None]

    async def _loop(self, key: RunKey, state: _KeyState) -> None:
        try:
            while state.running is not None:
                request = state.running
                try:
                    # Every log line of the run, core's (retries, rate limits) included, names it.
                    with structlog.contextvars.bound_contextvars(
                        connection=key.connection, operation=key.operation.value, run_id=None
                    ):
                        summary = await self._execute(key, request, state)
                finally:
                    state.running = None
                state.last = summary
                request.summary = summary
                if self._on_finished is not None:
                    self._on_finished(summary)
                request.done.set()
                if (
                    state.queued is not None
                    and not self._stop.is_set()
                    and self._holds(key.connection)
                ):
                    state.running, state.queued = state.queued, None
        finally:
            # Whatever happened, nobody waits forever on a request that will not run.
            for pending in (state.running, state.queued):
                if pending is not None:
                    pending.done.set()
            state.running = state.queued = None

    # ---- one run -------------------------------------------------------------------------

    async def _execute(self, key: RunKey, request: RunRequest, state: _KeyState) -> RunSummary:
        runtime = self.connections[key.connection]
        if self.health.get(key.connection) is ConnectionHealth.NEEDS_REAUTH:
            return RunSummary(
                key=key,
                trigger=request.trigger,
                outcome=RunOutcome.SKIPPED,
                error="connection needs re-authentication",
            )
        async with self._capacity:
            fence = None
            if self.leases is not None:
                fence = self.leases.fence(key.connection)
                if fence is None:
                    return RunSummary(
                        key=key,
                        trigger=request.trigger,
                        outcome=RunOutcome.SKIPPED,
                        error="this node no longer holds the connection's lease",
                    )
            with runtime.in_use():
                released = self._releases.setdefault(key.connection, anyio.Event())
                return await self._execution.run(key, request, state, runtime, fence, released)

    async def _needs_reauth(
        self, runtime: ConnectionRuntime, reason: str, fence: Fence | None
    ) -> None:
        if self.health.get(runtime.name) is ConnectionHealth.NEEDS_REAUTH:
            return
        self.health[runtime.name] = ConnectionHealth.NEEDS_REAUTH
        with anyio.CancelScope(shield=True):
            try:
                async with self.db.transaction() as tx:
                    if fence is not None:
                        await fence.check(tx)
                    await HealthBook(tx, self.clock.now()).set_health(
                        runtime.name,
                        ConnectionHealth.NEEDS_REAUTH,
                        reason=reason,
                        fingerprint=runtime.fingerprint,
                    )
            except FencedError:
                return  # the connection is another node's now: it finds out for itself
        # One line when it starts failing; its operations stay paused until credentials change.
        log.error(
            "connection needs re-authentication; its runs are paused",
            connection=runtime.name,
            reason=reason,
        )

    # ---- leases --------------------------------------------------------------------------

    def _holds(self, connection: str) -> bool:
        return self.leases is None or self.leases.holds(connection)

    def busy(self, connection: str) -> bool:
        """Whether a run of this connection is under way."""
        return any(k.connection == connection for k in self.running_keys())

    def revoke(self, connection: str, why: str) -> None:
        """The connection's lease is lost: cancel its runs now (nothing more of theirs can
        commit anyway) and drop what was queued for it."""
        for key, state in self._keys.items():
            if key.connection != connection:
                continue
            _drop_queued(state)
            if state.scope is not None:
                state.revoked = why
                state.scope.cancel()

    async def release(self, connection: str, grace: float) -> None:
        """Hand a connection over: no new runs; running ones finish their page and commit
        within `grace` seconds, then what is left is cancelled."""
        self._releases.pop(connection, anyio.Event()).set()
        states = [s for k, s in self._keys.items() if k.connection == connection]
        for state in states:
            _drop_queued(state)

        async def idle() -> None:
            for state in states:
                while state.running is not None:
                    await state.running.done.wait()

        with anyio.move_on_after(grace):
            await idle()
        for state in states:
            if state.scope is not None:
                state.scope.cancel()
        with anyio.move_on_after(5):
            await idle()

    def _committed(self, writer: HubWriter) -> None:
        if writer.outbox.emitted and self._on_events is not None:
            self._on_events()


def _drop_queued(state: _KeyState) -> None:
    """Forget the follow-up run of a key; whoever waits for it is told it is over."""
    if state.queued is not None:
        state.queued.done.set()
        state.queued = None
