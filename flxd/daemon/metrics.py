"""Prometheus metrics: one registry per daemon, fed by the places that own each fact.

- The runner reports every finished run (`run_finished`): runs by outcome, durations, and what
  each run counted, from which come orders imported and shipments pushed.
- Each connection's limiter keeps its own account (`LimiterStats`: requests, 429s, wait time,
  quota); it is read when Prometheus scrapes, never copied on the hot path.
- What the hub knows (cursors, the outbox, connection health) is read by `refresh`, just before
  the registry is rendered, so a scrape always shows the state of that moment.

Cursor lag: a cursor whose value is an ISO-8601 timestamp with a UTC offset (what a channel stores
when it reads "modified since") is the moment up to which the hub has the channel's data; its lag
is `now - cursor`, recomputed at every scrape, so it keeps growing while runs fail or stop.
Cursors of other shapes (a change sequence, a page token, a counter) have no lag.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from flxd import __version__
from flxd.clock import Clock
from flxd.cluster.leases import LeaseManager
from flxd.hub.cursors import Cursors
from flxd.hub.health import ConnectionHealth
from flxd.hub.outbox import Outbox
from flxd.net.ratelimit import LimiterStats
from flxd.operation import Operation
from flxd.runs.connections import ConnectionRuntime
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunSummary
from flxd.store import Database

__all__ = ["CONTENT_TYPE", "Metrics", "Snapshot", "cursor_watermark"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# From a one-page import to a full re-scan of a large store.
RUN_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0)
_SUCCESS = frozenset({RunOutcome.OK, RunOutcome.PARTIAL})


def cursor_watermark(value: str) -> datetime | None:
    """The moment a cursor stands for, if it is an ISO-8601 timestamp with an offset.

    Timestamps without an offset are not read: their time zone is a guess, and a bare number
    ("20260101", a counter) would otherwise pass for a date.
    """
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """The hub-side facts of one moment, read by `Metrics.refresh`."""

    at: datetime
    lag: Mapping[tuple[str, str], float] = field(default_factory=dict)
    """(connection, operation) -> seconds behind; only for timestamp cursors."""
    backlog: Mapping[str, int] = field(default_factory=dict)
    """sink -> events not yet delivered to it."""
    health: Mapping[str, ConnectionHealth] = field(default_factory=dict)
    limits: Mapping[str, LimiterStats] = field(default_factory=dict)
    """connection -> its limiter's account (a copy)."""
    in_flight_limits: Mapping[str, int] = field(default_factory=dict)
    """connection -> requests it may have in flight now (adaptive concurrency moves it)."""


class Metrics:
    """Every metric flxd exports. Each daemon has its own registry, so several daemons (or
    tests) in one process never share a number."""

    def __init__(self, clock: Clock) -> None:
        # `*_created` series double the number of series in the text format and say only when
        # the process started (prometheus_client keeps this switch process-wide).
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus_client
        self._clock = clock
        self.registry = CollectorRegistry()
        r = self.registry
        self.runs = Counter(
            "flxd_runs",
            "Runs finished, by connection, operation and outcome.",
            ["connection", "operation", "outcome"],
            registry=r,
        )
        self.run_duration = Histogram(
            "flxd_run_duration_seconds",
            "How long runs took (skipped runs are not observed).",
            ["connection", "operation"],
            buckets=RUN_BUCKETS,
            registry=r,
        )
        self.records = Counter(
            "flxd_run_records",
            "What runs counted, by kind (created, updated, imported, pushed, skipped, ...).",
            ["connection", "operation", "kind"],
            registry=r,
        )
        self.orders_imported = Counter(
            "flxd_orders_imported", "Orders imported into the hub.", ["connection"], registry=r
        )
        self.shipments_pushed = Counter(
            "flxd_shipments_pushed", "Shipments pushed to the channel.", ["connection"], registry=r
        )
        self.last_success = Gauge(
            "flxd_last_success_timestamp_seconds",
            "When each operation last finished ok or partial (Unix time).",
            ["connection", "operation"],
            registry=r,
        )
        info = Gauge("flxd_build_info", "flxd's version.", ["version"], registry=r)
        info.labels(__version__).set(1)
        self.snapshot = Snapshot(at=clock.now())
        self.leases: LeaseManager | None = None
        """Several nodes on PostgreSQL: this node's leases, exported with a `node` label."""
        r.register(_SnapshotCollector(self))
        r.register(_LeaseCollector(self))

    def run_finished(self, summary: RunSummary) -> None:
        """Called by the runner once per run (skipped ones included)."""
        connection, operation = summary.key.connection, summary.key.operation
        labels = (connection, operation.value)
        self.runs.labels(*labels, summary.outcome.value).inc()
        if summary.outcome is not RunOutcome.SKIPPED:
            self.run_duration.labels(*labels).observe(summary.duration)
        for kind, n in summary.counts.items():
            self.records.labels(*labels, kind).inc(n)
        if operation is Operation.GET_ORDERS:
            self.orders_imported.labels(connection).inc(summary.counts.get("imported", 0))
        elif operation is Operation.SYNC_ORDERS:
            self.shipments_pushed.labels(connection).inc(summary.counts.get("pushed", 0))
        if summary.outcome in _SUCCESS:
            self.last_success.labels(*labels).set(self._clock.now().timestamp())

    async def refresh(
        self,
        *,
        db: Database,
        connections: Mapping[str, ConnectionRuntime],
        health: Mapping[str, ConnectionHealth],
        sinks: Iterable[str],
    ) -> Snapshot:
        """Read the hub-side facts now; the next `render` shows them."""
        now = self._clock.now()
        async with db.transaction() as tx:
            cursors = await Cursors(tx, now).every()
            outbox = Outbox(tx, now)
            backlog = {sink: await outbox.undelivered(sink) for sink in sinks}
        watermarks: dict[tuple[str, str], datetime] = {}
        for connection, operation, _, value, _ in cursors:
            moment = cursor_watermark(value)
            if connection not in connections or moment is None:
                continue
            key = (connection, operation)
            # A partitioned cursor is as far behind as its most-behind part.
            watermarks[key] = min(moment, watermarks.get(key, moment))
        for name, runtime in connections.items():
            # Series exist from the start, so "no orders imported" is a 0, not a missing line.
            if Operation.GET_ORDERS in runtime.config.operations:
                self.orders_imported.labels(name)
            if Operation.SYNC_ORDERS in runtime.config.operations:
                self.shipments_pushed.labels(name)
        self.snapshot = Snapshot(
            at=now,
            lag={key: max(0.0, (now - mark).total_seconds()) for key, mark in watermarks.items()},
            backlog=backlog,
            health={name: health.get(name, ConnectionHealth.ACTIVE) for name in connections},
            limits={name: _copy(rt.limiter.stats) for name, rt in connections.items()},
            in_flight_limits={
                name: rt.limiter.concurrency.limit for name, rt in connections.items()
            },
        )
        return self.snapshot

    def render(self) -> bytes:
        """The registry in Prometheus text format (version 0.0.4)."""
        return generate_latest(self.registry)


def _copy(stats: LimiterStats) -> LimiterStats:
    return LimiterStats(
        requests=stats.requests,
        throttled=stats.throttled,
        waited=stats.waited,
        quota=stats.quota,
        left=stats.left,
    )


class _SnapshotCollector:
    """Exports the latest Snapshot; prometheus_client calls `collect` while rendering."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        snap = self._metrics.snapshot
        requests = CounterMetricFamily(
            "flxd_api_requests", "Requests sent to the channel's API.", labels=["connection"]
        )
        throttled = CounterMetricFamily(
            "flxd_api_throttled", "429 (rate limited) responses.", labels=["connection"]
        )
        waited = CounterMetricFamily(
            "flxd_limiter_wait_seconds",
            "Time requests spent waiting for quota or after a 429.",
            labels=["connection"],
        )
        left = GaugeMetricFamily(
            "flxd_quota_left",
            "Requests left in the current rate-limit window, as the store last reported.",
            labels=["connection"],
        )
        limit = GaugeMetricFamily(
            "flxd_quota_limit", "Requests allowed per rate-limit window.", labels=["connection"]
        )
        for name, stats in sorted(snap.limits.items()):
            requests.add_metric([name], stats.requests)
            throttled.add_metric([name], stats.throttled)
            waited.add_metric([name], stats.waited)
            if stats.left is not None:
                left.add_metric([name], stats.left)
            if stats.quota is not None:
                limit.add_metric([name], stats.quota)
        yield from (requests, throttled, waited, left, limit)
        in_flight = GaugeMetricFamily(
            "flxd_requests_in_flight_limit",
            "Requests the connection may have in flight now (adaptive for stores without a "
            "quota, else max_concurrency).",
            labels=["connection"],
        )
        for name, allowed in sorted(snap.in_flight_limits.items()):
            in_flight.add_metric([name], allowed)
        yield in_flight

        lag = GaugeMetricFamily(
            "flxd_cursor_lag_seconds",
            "How far behind the channel the hub is: now minus a timestamp cursor.",
            labels=["connection", "operation"],
        )
        for (connection, operation), seconds in sorted(snap.lag.items()):
            lag.add_metric([connection, operation], seconds)
        yield lag

        backlog = GaugeMetricFamily(
            "flxd_outbox_backlog", "Hub events not yet delivered, by sink.", labels=["sink"]
        )
        for sink, n in sorted(snap.backlog.items()):
            backlog.add_metric([sink], n)
        yield backlog

        reauth = GaugeMetricFamily(
            "flxd_connection_needs_reauth",
            "1 while a connection is paused for re-authentication.",
            labels=["connection"],
        )
        for name, state in sorted(snap.health.items()):
            reauth.add_metric([name], 1.0 if state is ConnectionHealth.NEEDS_REAUTH else 0.0)
        yield reauth


class _LeaseCollector:
    """This node's leases (when there are any), read from the LeaseManager while rendering:
    series carry the node's id, so one dashboard shows every node side by side."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        leases = self._metrics.leases
        if leases is None:
            return
        node, stats = leases.node, leases.stats
        held = GaugeMetricFamily(
            "flxd_node_leases", "Connections this node holds the lease of.", labels=["node"]
        )
        held.add_metric([node], len(leases.held()))
        live = GaugeMetricFamily(
            "flxd_nodes_live",
            "Nodes sharing the connections, as this node last counted them.",
            labels=["node"],
        )
        live.add_metric([node], stats.live_nodes)
        changes = CounterMetricFamily(
            "flxd_lease_changes",
            "Leases this node claimed, lost (taken over, or not renewed in time) and released.",
            labels=["node", "change"],
        )
        for change, n in (
            ("claimed", stats.claimed),
            ("lost", stats.lost),
            ("released", stats.released),
        ):
            changes.add_metric([node, change], n)
        owned = GaugeMetricFamily(
            "flxd_lease_held",
            "1 for each connection whose lease this node holds.",
            labels=["node", "connection"],
        )
        for name in leases.held():
            owned.add_metric([node, name], 1.0)
        refused = CounterMetricFamily(
            "flxd_fenced_writes",
            "Writes refused because this node no longer held the connection's lease: commits "
            "to the hub (where=database) and requests to the channel (where=channel).",
            labels=["node", "connection", "where"],
        )
        for (connection, where), n in sorted(stats.refused.items()):
            refused.add_metric([node, connection, where], n)
        yield from (held, live, changes, owned, refused)
