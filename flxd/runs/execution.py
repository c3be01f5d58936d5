"""One run of one operation on one connection: opened in the run history, executed with a
RunContext, judged, and closed. The runner decides *when* runs happen; this decides how one goes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import anyio
import structlog

from flxd.clock import Clock
from flxd.cluster.fencing import Fence
from flxd.config.operations import ImportListingsSettings
from flxd.errors import AuthError, ChannelError, FencedError, FlxdError, PermanentError
from flxd.hub.cursors import Cursors
from flxd.operation import Operation
from flxd.plugin.context import HubWriter, RunContext
from flxd.plugin.flows.reconcile import reconcile_listings
from flxd.runs.connections import ConnectionRuntime
from flxd.runs.journal import Journal, RunOutcome
from flxd.runs.retention import purge_personal_data
from flxd.runs.summary import RunKey, RunSummary
from flxd.store import Database
from flxd.taskgroup import decisive

__all__ = ["RunExecution", "RunRequest"]

log = structlog.get_logger("flxd.runs.runner")


@dataclass(slots=True)
class RunRequest:
    """A run asked for (by the scheduler, a webhook, `run --once`); many coalesce into one."""

    trigger: str
    full: bool
    dry_run: bool = False
    done: anyio.Event = field(default_factory=anyio.Event)
    summary: RunSummary | None = None


class Revocable(Protocol):
    """Where the runner can cancel a running run from outside (a lease lost or handed over)."""

    scope: anyio.CancelScope | None
    revoked: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunExecution:
    db: Database
    clock: Clock
    node: str
    stop: anyio.Event
    on_commit: Callable[[HubWriter], None]
    on_auth_failure: Callable[[ConnectionRuntime, str, Fence | None], Awaitable[None]]

    async def run(
        self,
        key: RunKey,
        request: RunRequest,
        state: Revocable,
        runtime: ConnectionRuntime,
        fence: Fence | None,
        released: anyio.Event,
    ) -> RunSummary:
        """One run, start to end: its record opened, the operation called with a RunContext,
        the outcome judged and recorded. Returns how it ended; raises nothing."""
        started = self.clock.monotonic()
        # In place before anything is awaited, so a lease lost from here on cancels the run.
        scope = anyio.CancelScope()
        state.scope, state.revoked = scope, None
        try:
            async with self.db.transaction() as tx:
                if fence is not None and not request.dry_run:
                    await fence.check(tx)  # first: the lease row before the runs row
                journal = Journal(tx, self.clock.now())
                # A dry run leaves no trace in the hub, not even in the run history.
                run_id = (
                    0
                    if request.dry_run
                    else await journal.start_run(
                        key.connection,
                        key.operation.value,
                        f"{request.trigger} (reconcile)" if key.reconcile else request.trigger,
                        self.node,
                    )
                )
                cursors = await Cursors(tx, self.clock.now()).of(
                    key.connection, key.operation.value
                )
        except FencedError as exc:
            state.scope = None
            return RunSummary(
                key=key,
                trigger=request.trigger,
                outcome=RunOutcome.FAILED,
                error=f"lost the connection's lease: {exc}",
            )
        except Exception as exc:  # the hub failed; the next run tries again
            state.scope = None
            log.error("cannot start the run", connection=key.connection, error=repr(exc))
            return RunSummary(
                key=key,
                trigger=request.trigger,
                outcome=RunOutcome.FAILED,
                error=f"the hub failed: {exc!r}",
            )
        structlog.contextvars.bind_contextvars(run_id=run_id)
        run_log = log.bind(connection=key.connection, operation=key.operation.value, run_id=run_id)
        run_log.debug("run started", trigger=request.trigger, full=request.full)
        settings = runtime.config.operations[key.operation]
        http = runtime.http
        if key.reconcile and isinstance(settings, ImportListingsSettings):
            # A background class: order imports keep the rest of the quota.
            http = http.with_share(settings.reconcile_share)
        ctx = RunContext(
            connection=key.connection,
            operation=key.operation,
            run_id=run_id,
            settings=settings,
            connection_settings=runtime.config.settings,
            full=request.full,
            db=self.db,
            clock=self.clock,
            http=http,
            cursors=cursors,
            stop=self.stop,
            on_commit=self.on_commit,
            dry_run=request.dry_run,
            fence=fence,
            released=released,
        )
        outcome, error = RunOutcome.OK, None
        try:
            with scope:
                try:
                    await _operate(runtime, ctx, reconcile=key.reconcile)
                except BaseExceptionGroup as group:
                    # A channel's own task group wraps what went wrong; the type decides what
                    # happens next, so judge the run by the error that matters most.
                    raise decisive(group) from group
            if scope.cancelled_caught and state.revoked is not None:
                outcome, error = RunOutcome.FAILED, f"lost the connection's lease: {state.revoked}"
            elif scope.cancelled_caught:
                outcome, error = (
                    RunOutcome.INTERRUPTED,
                    "cancelled at shutdown after the grace period",
                )
        except AuthError as exc:
            outcome, error = RunOutcome.NEEDS_REAUTH, str(exc)
            await self.on_auth_failure(runtime, str(exc), fence)
        except FencedError as exc:
            outcome, error = RunOutcome.FAILED, f"lost the connection's lease: {exc}"
        except (ChannelError, FlxdError) as exc:
            outcome, error = RunOutcome.FAILED, f"{type(exc).__name__}: {exc}"
        # The one place that catches broadly: a bug in one operation must not stop the daemon.
        except Exception as exc:
            outcome, error = RunOutcome.FAILED, f"unexpected {type(exc).__name__}: {exc}"
            run_log.exception("operation crashed")
        finally:
            state.scope = None
        if outcome is RunOutcome.OK and ctx.stopping:
            outcome = RunOutcome.INTERRUPTED  # returned early for shutdown; its pages are committed
        if outcome is RunOutcome.OK and ctx.result.errors:
            outcome = RunOutcome.PARTIAL
        if error is None and ctx.result.errors:
            error = f"{len(ctx.result.errors)} record(s) skipped; first: {ctx.result.errors[0]}"
        duration = self.clock.monotonic() - started
        if not request.dry_run:
            with anyio.CancelScope(shield=True):
                try:
                    async with self.db.transaction() as tx:
                        if fence is not None:
                            await fence.check(tx)  # first, as in start_run
                        await Journal(tx, self.clock.now()).finish_run(
                            run_id, outcome, ctx.result.counts, error
                        )
                except FencedError as exc:
                    if outcome is not RunOutcome.FAILED or error is None:
                        outcome, error = RunOutcome.FAILED, f"lost the connection's lease: {exc}"
                    await self._mark_failed(run_id, error)
                except Exception as exc:  # the run is over either way; it stays 'running'
                    run_log.error("cannot record the end of the run", error=repr(exc))
        level = "info" if outcome in (RunOutcome.OK, RunOutcome.PARTIAL) else "error"
        getattr(run_log, level)(
            "run finished",
            trigger=request.trigger,
            outcome=outcome.value,
            duration_s=round(duration, 3),
            error=error,
            **ctx.result.counts,
        )
        return RunSummary(
            key=key,
            trigger=request.trigger,
            outcome=outcome,
            run_id=run_id,
            counts=dict(ctx.result.counts),
            error=error,
            duration=duration,
            plan=list(ctx.result.plan),
        )

    async def _mark_failed(self, run_id: int, error: str) -> None:
        """A run whose end the fence refused: mark it failed, unfenced. Only 'running' becomes
        'failed', so no newer record is overwritten; its data and cursors were refused. Else,
        with the lease back on this node (renewed after a lapse), it would stay 'running'."""
        try:
            async with self.db.transaction() as tx:
                await Journal(tx, self.clock.now()).fail_if_running(run_id, error)
        except Exception as exc:  # the run is over either way
            log.error("cannot record the end of the run", run_id=run_id, error=repr(exc))


async def _operate(runtime: ConnectionRuntime, ctx: RunContext, *, reconcile: bool) -> None:
    """What core does before the channel's part (personal-data retention), then the channel's."""
    operation = runtime.channel_type.operation(ctx.operation)
    if operation is None:  # the config loader accepts only the declared operations
        raise PermanentError(f"channel {runtime.channel_type.name!r} has no {ctx.operation}")
    if reconcile:
        reader = runtime.channel_type.reconcile
        if reader is None:
            raise PermanentError(
                f"channel {runtime.channel_type.name!r} has no reconciliation reader"
            )
        await reconcile_listings(ctx, reader(runtime.channel, ctx))
        return
    if ctx.operation is Operation.GET_ORDERS:
        await purge_personal_data(ctx)
    await operation.run(runtime.channel, ctx)
