"""/metrics after real runs: runs by outcome, durations, orders and shipments, API requests and
429s, quota, cursor lag, outbox backlog; each daemon with a registry of its own."""

from __future__ import annotations

from datetime import timedelta

import anyio
import pytest
from prometheus_client.parser import text_string_to_metric_families

from flxd import __version__
from flxd.daemon.metrics import Metrics, cursor_watermark
from flxd.hub.cursors import Cursors
from flxd.hub.health import ConnectionHealth
from flxd.net.ratelimit import QuotaReport
from flxd.operation import Operation
from flxd.testing import FakeClock
from tests.admin.harness import AdminHarness

# anyio, not pytest-asyncio: a fixture here holds a task group open across its yield.
pytestmark = pytest.mark.anyio

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(h: AdminHarness) -> Samples:
    reply = await h.call("GET", "/metrics")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(reply.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def test_runs_orders_and_shipments_after_real_runs(admin: AdminHarness) -> None:
    await admin.run(Operation.GET_ORDERS)
    reply = await admin.call("POST", "/api/orders/1/shipments", json={"carrier": "UPS"})
    assert reply.status == 201
    await admin.runner.wait_idle()  # the sync_orders run the shipment asked for
    admin.remote.revoked = True
    await admin.run(Operation.GET_ORDERS)  # fails: the connection now needs re-authentication
    await admin.run(Operation.GET_ORDERS)  # skipped

    m = await scrape(admin)
    mem = {"connection": "mem"}
    orders = {**mem, "operation": "get_orders"}
    assert value(m, "flxd_runs_total", **orders, outcome="ok") == 1
    assert value(m, "flxd_runs_total", **orders, outcome="needs_reauth") == 1
    assert value(m, "flxd_runs_total", **orders, outcome="skipped") == 1
    assert value(m, "flxd_runs_total", **mem, operation="sync_orders", outcome="ok") == 1
    assert value(m, "flxd_run_duration_seconds_count", **orders) == 2  # skipped: not observed
    assert value(m, "flxd_run_records_total", **orders, kind="imported") == 2
    assert value(m, "flxd_orders_imported_total", **mem) == 2
    assert value(m, "flxd_shipments_pushed_total", **mem) == 1
    assert value(m, "flxd_connection_needs_reauth", **mem) == 1
    assert value(m, "flxd_last_success_timestamp_seconds", **orders) == (
        admin.clock.now().timestamp()
    )
    assert value(m, "flxd_build_info", version=__version__) == 1


async def test_orders_and_shipments_start_at_zero(admin: AdminHarness) -> None:
    m = await scrape(admin)
    assert value(m, "flxd_orders_imported_total", connection="mem") == 0
    assert value(m, "flxd_shipments_pushed_total", connection="mem") == 0
    assert value(m, "flxd_connection_needs_reauth", connection="mem") == 0


async def test_api_requests_429s_wait_and_quota_come_from_the_limiter(
    admin: AdminHarness,
) -> None:
    limiter = admin.runner.connections["mem"].limiter
    async with limiter.slot() as ticket:
        limiter.observe(ticket, QuotaReport(left=149, reset_after=1, quota=150, window=30))
    async with limiter.slot():
        pass
    limiter.block(2.5)  # a 429: everyone on the connection waits

    async def after_the_429() -> None:
        async with limiter.slot():
            pass

    with anyio.fail_after(5):  # a bug here must fail, not hang
        async with anyio.create_task_group() as tg:
            tg.start_soon(after_the_429)
            await admin.clock.wait_for_sleepers(1)
            await admin.clock.advance(2.5)
    m = await scrape(admin)
    assert value(m, "flxd_api_requests_total", connection="mem") == 3
    assert value(m, "flxd_api_throttled_total", connection="mem") == 1
    assert value(m, "flxd_quota_left", connection="mem") == 149  # as the store last said
    assert value(m, "flxd_quota_limit", connection="mem") == 150
    assert value(m, "flxd_limiter_wait_seconds_total", connection="mem") == 2.5
    # A channel with a quota keeps a fixed number of requests in flight: max_concurrency.
    assert value(m, "flxd_requests_in_flight_limit", connection="mem") == limiter.max_concurrency


async def test_cursor_lag_is_now_minus_a_timestamp_cursor(admin: AdminHarness) -> None:
    now = admin.clock.now()
    async with admin.db.transaction() as tx:
        cursors = Cursors(tx, now)
        await cursors.save("mem", "get_orders", (now - timedelta(seconds=90)).isoformat())
        await cursors.save(
            "mem", "get_orders", (now - timedelta(seconds=600)).isoformat(), part="archived"
        )
        await cursors.save("mem", "sync_listings", "1234")  # a sequence: no lag
        await cursors.save("gone", "get_orders", now.isoformat())  # not configured
    m = await scrape(admin)
    lags = {labels: v for (name, labels), v in m.items() if name == "flxd_cursor_lag_seconds"}
    # A partitioned cursor is as far behind as its most-behind part.
    assert lags == {frozenset({("connection", "mem"), ("operation", "get_orders")}): 600.0}
    await admin.clock.advance(30)  # lag keeps growing while nothing moves the cursor
    lag = value(await scrape(admin), "flxd_cursor_lag_seconds", **dict(lags.popitem()[0]))
    assert lag == 630.0


async def test_outbox_backlog_per_sink(admin: AdminHarness) -> None:
    m = await scrape(admin)
    assert value(m, "flxd_outbox_backlog", sink="events") == 0
    await admin.run(Operation.GET_ORDERS)  # emits order.imported twice
    assert value(await scrape(admin), "flxd_outbox_backlog", sink="events") == 2
    await admin.delivery.deliver_pending()
    assert value(await scrape(admin), "flxd_outbox_backlog", sink="events") == 0


def test_cursor_watermark_reads_only_timestamps_with_an_offset() -> None:
    assert cursor_watermark("2026-01-01T00:00:00+00:00") is not None
    assert cursor_watermark("2026-01-01T00:00:00Z") is not None
    assert cursor_watermark("2026-01-01T02:00:00+02:00") == cursor_watermark("2026-01-01T00:00Z")
    for value_ in ("2026-01-01T00:00:00", "20260101", "12345", "", "page-token-abc"):
        assert cursor_watermark(value_) is None, value_


def test_each_daemon_has_its_own_registry() -> None:
    clock = FakeClock()
    first, second = Metrics(clock), Metrics(clock)
    first.orders_imported.labels("a").inc(3)
    assert b'flxd_orders_imported_total{connection="a"} 3.0' in first.render()
    assert b'connection="a"' not in second.render()


async def test_readyz(admin: AdminHarness) -> None:
    reply = await admin.call("GET", "/readyz")
    assert (reply.status, reply.json()) == (
        200,
        {"ready": True, "checks": {"store": "ok", "scheduler": "running", "connections": "ok"}},
    )
    admin.runner.health["mem"] = ConnectionHealth.NEEDS_REAUTH
    reply = await admin.call("GET", "/readyz")
    assert reply.status == 503
    assert reply.json()["checks"]["connections"] == "needs re-authentication: mem"
