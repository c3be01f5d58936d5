"""What the daemon is doing right now, gathered once for the status page and /api/status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flxd import __version__
from flxd.admin.state import AdminState
from flxd.cluster.leasebook import LeaseTable, NodeRow
from flxd.hub.health import ConnectionHealth
from flxd.operation import RUN_ORDER
from flxd.runs.approvals import uses_approval
from flxd.runs.journal import RunRecord
from flxd.runs.status import read_status
from flxd.runs.summary import RunKey

__all__ = ["ConnectionView", "OperationView", "QuotaView", "StatusView", "gather_status"]

RECENT_ERRORS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationView:
    operation: str
    enabled: bool
    interval_s: float
    running: bool
    last_run: RunRecord | None
    next_run: datetime | None
    lag_s: float | None
    """Seconds behind the channel, for operations whose cursor is a timestamp."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaView:
    requests: int
    throttled: int
    waited_s: float
    left: int | None
    limit: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionView:
    name: str
    channel: str
    enabled: bool
    health: ConnectionHealth
    health_reason: str | None
    quota: QuotaView
    operations: tuple[OperationView, ...]
    owner: str | None = None
    """With several nodes: the node holding the connection's lease (None: nobody right now).
    On SQLite, this node."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusView:
    generated_at: datetime
    node: str
    version: str
    draining: bool
    connections: tuple[ConnectionView, ...]
    recent_errors: tuple[RunRecord, ...]
    backlog: Mapping[str, int]
    """Undelivered hub events per sink."""
    nodes: tuple[NodeRow, ...] = ()
    """With several nodes on PostgreSQL: every node taking part, and when it was last seen."""


async def gather_status(state: AdminState) -> StatusView:
    runner = state.runner
    snapshot = await state.metrics.refresh(
        db=state.db,
        connections=runner.connections,
        health=runner.health,
        sinks=list(state.delivery.sinks),
    )
    hub = await read_status(
        state.db,
        state.clock.now(),
        approving=[
            n for n, rt in runner.connections.items() if uses_approval(rt.config, rt.channel_type)
        ],
        lease_period=state.config().daemon.lease_period,
        recent_errors=RECENT_ERRORS,
    )
    table = hub.leases or LeaseTable((), ())
    running = set(runner.running_keys())
    connections: list[ConnectionView] = []
    for name, runtime in sorted(runner.connections.items()):
        conn = runtime.config
        operations = []
        for op in RUN_ORDER:
            if op not in conn.operations:
                continue
            key = RunKey(name, op)
            enabled = conn.settings.enabled and conn.operations[op].enabled
            operations.append(
                OperationView(
                    operation=op.value,
                    enabled=enabled,
                    interval_s=conn.operations[op].interval,
                    running=key in running,
                    last_run=hub.last_runs.get((name, op.value)),
                    next_run=state.scheduler.next_run(key) if enabled else None,
                    lag_s=snapshot.lag.get((name, op.value)),
                )
            )
        stats = snapshot.limits[name]
        state_now, reason = hub.health_of(name, runner.health.get(name, ConnectionHealth.ACTIVE))
        connections.append(
            ConnectionView(
                name=name,
                channel=conn.channel,
                enabled=conn.settings.enabled,
                health=state_now,
                health_reason=reason,
                quota=QuotaView(
                    requests=stats.requests,
                    throttled=stats.throttled,
                    waited_s=stats.waited,
                    left=stats.left,
                    limit=stats.quota,
                ),
                operations=tuple(operations),
                owner=table.owner(name) if state.db.dialect == "postgresql" else state.node,
            )
        )
    return StatusView(
        generated_at=snapshot.at,
        node=state.node,
        version=__version__,
        draining=runner.draining,
        connections=tuple(connections),
        recent_errors=tuple(hub.recent_errors),
        backlog=snapshot.backlog,
        nodes=table.nodes,
    )
