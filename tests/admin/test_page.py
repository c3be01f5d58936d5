"""The status page as HTML: live state, escaped text, no script, refreshed by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flxd.admin.page import REFRESH_SECONDS, render_page
from flxd.admin.status import StatusView
from flxd.operation import Operation
from flxd.runs.journal import RunOutcome, RunRecord
from tests.admin.harness import AdminHarness

# anyio, not pytest-asyncio: a fixture here holds a task group open across its yield.
pytestmark = pytest.mark.anyio


async def test_the_page_shows_connections_runs_and_errors(admin: AdminHarness) -> None:
    await admin.run(Operation.GET_ORDERS)
    admin.remote.fail_next.append("permanent")
    await admin.run(Operation.IMPORT_LISTINGS)  # not enabled, but runs when asked by name
    reply = await admin.call("GET", "/")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "script-src" not in reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    html = reply.text
    assert f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' in html
    assert "<script" not in html
    assert 'data-connection="mem" data-health="active"' in html
    assert '<tr data-operation="get_orders" data-outcome="ok">' in html
    assert "imported=2" in html
    assert '<tr data-operation="import_listings" data-outcome="failed">' in html
    assert "PermanentError: memory store: injected failure" in html  # under recent errors
    assert '<tr data-operation="publish_listings" data-outcome="never">' in html
    assert "not enabled" in html


def test_everything_shown_is_escaped() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    run = RunRecord(
        id=1,
        connection="mem",
        operation="get_orders",
        trigger="schedule",
        started_at=now - timedelta(seconds=30),
        ended_at=now,
        outcome=RunOutcome.FAILED,
        counts={},
        error="<script>alert(1)</script> & more",
    )
    view = StatusView(
        generated_at=now,
        node="<b>node</b>",
        version="0.1.0",
        draining=True,
        connections=(),
        recent_errors=(run,),
        backlog={"<sink>": 3},
    )
    html = render_page(view)
    assert "<script>" not in html and "<b>node" not in html and "<sink>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "30 s ago" in html
    assert "Shutting down" in html
    assert "No connections configured" in html
