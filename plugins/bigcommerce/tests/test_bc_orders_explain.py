"""`flxd orders explain` against the sandbox store: one answer per reason an order is (not) in
the hub, each with the values compared."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from bc_env import HOST
from bc_orders import NAME, OrdersEnv, orders_env

from flxd.testing import ExplainReport, RunOutcome, explain_order, open_session


async def explain(env: OrdersEnv, order_id: int | str) -> ExplainReport:
    async with open_session() as session:
        return await explain_order(
            env.config(), HOST, NAME, str(order_id), clock=env.clock, session=session
        )


@pytest.mark.asyncio
async def test_an_imported_order(tmp_path: Path) -> None:
    get_orders = 'acknowledge = "status"'
    async with orders_env(tmp_path, get_orders=get_orders) as env:
        placed = env.place()
        await env.run_ok()
        report = await explain(env, placed.id)
        assert report.imported and report.reasons == ()
        assert report.facts["status"] == "9 Awaiting Shipment"
        assert report.facts["acknowledgement"] == (
            "done: status 11 Awaiting Fulfillment -> 9 Awaiting Shipment"
        )
        assert report.facts["imported"] == "2026-01-01 00:00:00 UTC"


@pytest.mark.asyncio
async def test_a_status_not_among_the_configured_ones(tmp_path: Path) -> None:
    get_orders = 'statuses = ["Awaiting Fulfillment", "Awaiting Shipment"]'
    async with orders_env(tmp_path, get_orders=get_orders) as env:
        placed = env.place(status=7)
        await env.run_ok()
        report = await explain(env, placed.id)
        assert not report.imported
        assert report.reasons == (
            "its status 7 (Awaiting Payment) is not among the configured statuses: "
            "11 (Awaiting Fulfillment), 9 (Awaiting Shipment)",
        )
        assert report.facts["status"] == "7 Awaiting Payment"


@pytest.mark.asyncio
async def test_an_order_older_than_the_window(tmp_path: Path) -> None:
    async with orders_env(tmp_path, get_orders="created_within_days = 30") as env:
        await env.advance(40 * 86400)
        placed = env.place(created_at=env.clock.now() - timedelta(days=31))
        await env.run_ok()
        report = await explain(env, placed.id)
        assert report.reasons == (
            "it was created 2026-01-10 00:00:00 UTC, before the window of created_within_days "
            "= 30 (orders created since 2026-01-11 00:00:00 UTC)",
        )


@pytest.mark.asyncio
async def test_an_order_not_polled_yet_says_when_the_next_run_is(tmp_path: Path) -> None:
    async with orders_env(tmp_path, get_orders='interval = "10m"') as env:
        never = await explain(env, env.place().id)
        assert never.reasons == (
            "it has not been polled yet: get_orders has not read (status:11) yet; the next "
            "get_orders run will",
        )
        assert never.facts["last get_orders run"] == "never"
        await env.run_ok()
        await env.advance(90)
        placed = env.place()
        report = await explain(env, placed.id)
        assert report.reasons == (
            "it has not been polled yet: modified 2026-01-01 00:01:30 UTC, after get_orders' "
            "position 2026-01-01 00:00:00 UTC (status:11); the next get_orders run "
            "(due 2026-01-01 00:10:00 UTC) imports it",
        )
        assert report.facts["next run"] == (
            "2026-01-01 00:10:00 UTC (last run + interval, while the daemon runs)"
        )
        assert report.facts["interval"] == "10m"


@pytest.mark.asyncio
async def test_a_connection_that_needs_reauthentication(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        placed = env.place()
        env.bc.sandbox.revoke_token(env.bc.token)
        assert (await env.run()).outcome is RunOutcome.NEEDS_REAUTH
        report = await explain(env, placed.id)
        assert not report.imported
        [reason] = report.reasons
        assert reason.startswith("the connection needs re-authentication (GET ")
        assert "401" in reason
        assert reason.endswith("): get_orders is paused until its credentials change")


@pytest.mark.asyncio
async def test_an_order_the_store_does_not_have(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        report = await explain(env, 999)
        assert report.reasons == (f"BigCommerce store {env.store} has no order 999",)
        bad = await explain(env, "abc")
        assert bad.reasons == ("'abc' is not a BigCommerce order id (a number)",)


def test_the_command_prints_the_verdict_and_why(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(
        f'[daemon]\nstate_dir = "{tmp_path}/state"\n[connections.demo]\nchannel = "bigcommerce"\n'
        'store_hash = "demo1"\nsandbox = { seed_products = 3, seed_orders = 0 }\n'
        '[connections.demo.get_orders]\nenabled = true\nstatuses = ["Awaiting Payment"]\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(config), "orders", "explain", "demo", "7"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "demo #7: not imported",
        "  why: BigCommerce store demo1 has no order 7",
        "  last get_orders run  never",
    ]
