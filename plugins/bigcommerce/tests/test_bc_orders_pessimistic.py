"""get_orders where BigCommerce's documents are silent: orders listed late, exclusive date bounds,
short V2 pages, an undisclosed metafield batch maximum -- and what it costs on a store that
behaves as documented (issue 13's figure)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from bc_orders import NAME, OrdersEnv, orders_env
from flxd_bigcommerce.config import ORDER_LISTING_LAG, GetOrdersSettings
from flxd_bigcommerce.orders import importer
from flxd_bigcommerce.orders.metafield_batch import BATCH_PART, FIRST_BATCH
from flxd_bigcommerce.sandbox import PessimisticSettings
from pydantic import ValidationError

from flxd.testing import Cursors

PESSIMISTIC: dict[str, Any] = {"behaviour": "pessimistic", "pessimism": PessimisticSettings()}
BY_METAFIELD = 'acknowledge = "metafield"'
# Every status but Incomplete (0), by id.
FOURTEEN = "statuses = [" + ", ".join(str(s) for s in range(1, 15)) + "]"
LIST = "GET /v2/orders"
COUNT = "GET /v2/orders/count"
BATCH = "POST /v3/orders/metafields"


def counted(env: OrdersEnv) -> dict[str, int]:
    return dict(env.bc.sandbox.counters(env.store))


def metafields(env: OrdersEnv) -> dict[int, int]:
    """Order id -> how many flxd metafields it has on the store."""
    found: dict[int, int] = {}
    for m in env.bc.sandbox.store(env.store).metafields.records.values():
        found[m.resource_id] = found.get(m.resource_id, 0) + 1
    return found


async def events(env: OrdersEnv) -> list[str]:
    async with env.tx() as tx:
        rows = await tx.fetch(
            "SELECT key FROM outbox WHERE topic = ? ORDER BY id", "order.imported"
        )
    return [r["key"] for r in rows]


@pytest.mark.asyncio
async def test_an_order_listed_late_is_imported_once_by_the_next_run(tmp_path: Path) -> None:
    async with orders_env(tmp_path, sandbox_config=PESSIMISTIC) as env:
        late = env.place()  # stamped now, listed only order_listing_lag (5 s) later
        await env.advance(2)
        first = await env.run_ok()  # its window ends past the order's stamp: not listed yet
        assert first.counts["imported"] == 0
        await env.advance(60)
        second = await env.run_ok()
        await env.advance(60)
        third = await env.run_ok()
        assert (second.counts["imported"], third.counts["imported"]) == (1, 0)
        assert await events(env) == [str(late.id)]
        assert list(await env.hub_orders()) == [str(late.id)]


@pytest.mark.asyncio
async def test_without_the_overlap_the_late_order_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test above fails if the window starts at the cursor itself: this is that cursor.
    exact = importer.window_start
    monkeypatch.setattr(importer, "window_start", lambda cursor, _overlap: exact(cursor, 0))
    async with orders_env(tmp_path, sandbox_config=PESSIMISTIC) as env:
        env.place()
        await env.advance(2)
        await env.run_ok()
        await env.advance(60)
        missed = await env.run_ok()
        assert missed.counts["imported"] == 0 and await env.hub_orders() == {}


def test_the_overlap_cannot_be_set_below_the_listing_lag_bound() -> None:
    assert GetOrdersSettings().overlap >= ORDER_LISTING_LAG
    with pytest.raises(ValidationError, match="greater than or equal to 60"):
        GetOrdersSettings.model_validate({"overlap": ORDER_LISTING_LAG - 1})


@pytest.mark.asyncio
async def test_short_pages_and_exclusive_bounds_lose_no_order(tmp_path: Path) -> None:
    # 160 orders in one second, 120 of them in the 3 statuses configured: pages of 50 at most,
    # bounds that leave out their second. Every order is imported once.
    get_orders = "statuses = [11, 9, 10]"
    async with orders_env(
        tmp_path, products=3, get_orders=get_orders, sandbox_config=PESSIMISTIC
    ) as env:
        placed = {env.place(status=(11, 9, 10, 5)[n % 4]).id: n for n in range(160)}
        await env.advance(10)
        summary = await env.run_ok()
        wanted = {str(i) for i, n in placed.items() if n % 4 != 3}
        assert summary.counts["imported"] == 120
        assert set(await env.hub_orders()) == wanted
        await env.advance(60)
        again = await env.run_ok()
        assert again.counts["imported"] == 0 and len(await events(env)) == 120


@pytest.mark.asyncio
async def test_a_batch_too_large_is_halved_and_the_size_is_kept(tmp_path: Path) -> None:
    # The pessimistic store takes at most 25 metafields a batch and says so with a 422.
    async with orders_env(
        tmp_path, products=3, get_orders=BY_METAFIELD, sandbox_config=PESSIMISTIC
    ) as env:
        for _ in range(60):
            env.place()
        await env.advance(10)
        first = await env.run_ok()
        assert first.counts["acknowledged"] == 60 and first.counts["ack_batch_halved"] == 1
        refused = env.bc.sandbox.store(env.store).counters.by_status[(BATCH, 422)]
        assert refused == 1 and counted(env)[BATCH] == 1 + math.ceil(60 / 25)
        assert set(metafields(env).values()) == {1} and len(metafields(env)) == 60
        async with env.tx() as tx:
            kept = await Cursors(tx, env.clock.now()).get(NAME, "get_orders", BATCH_PART)
        assert kept == str(FIRST_BATCH // 2)

        for _ in range(30):
            env.place()
        await env.advance(60)
        second = await env.run_ok()
        # The next run starts at the size it learned: no batch refused again.
        assert second.counts["acknowledged"] == 30 and "ack_batch_halved" not in second.counts
        assert counted(env)[BATCH] == 1 + 3 + math.ceil(30 / 25)
        assert len(metafields(env)) == 90


@pytest.mark.asyncio
async def test_600_orders_of_14_statuses_cost_4_reads_and_12_batches(tmp_path: Path) -> None:
    # Issue 13's figure on the documented store: one status-free scan (ceil(600/250) pages and
    # the empty answer ending the list) and one metafield batch per 50 orders.
    get_orders = f"{FOURTEEN}\n{BY_METAFIELD}"
    async with orders_env(tmp_path, products=3, get_orders=get_orders) as env:
        for n in range(600):
            env.place(status=1 + n % 14)
        await env.advance(10)
        summary = await env.run_ok()
        counts = counted(env)
        reads, batches = counts.get(LIST, 0), counts.get(BATCH, 0)
        print(
            f"\nget_orders, 600 orders in 14 statuses, acknowledged by metafield: "
            f"order list reads={reads} (bound {math.ceil(600 / 250) + 1}), "
            f"count reads={counts.get(COUNT, 0)}, metafield writes={batches} "
            f"(bound {math.ceil(600 / 50)}), single metafield writes="
            f"{counts.get('POST /v3/orders/{order_id}/metafields', 0)}, "
            f"scan={'status-free' if summary.counts.get('scan_status_free') else 'per status'}"
        )
        assert summary.counts["imported"] == 600 and summary.counts["acknowledged"] == 600
        assert summary.counts["scan_status_free"] == 1
        assert reads <= math.ceil(600 / 250) + 1 and counts.get(COUNT, 0) == 1
        assert batches <= math.ceil(600 / 50)
        assert "POST /v3/orders/{order_id}/metafields" not in counts
        assert len(metafields(env)) == 600


@pytest.mark.asyncio
async def test_few_statuses_with_few_orders_are_read_one_scan_each(tmp_path: Path) -> None:
    # 2 statuses of 3 orders among 750 others: 2 scans of 2 requests beat 4 pages and an end.
    async with orders_env(tmp_path, products=3, get_orders="statuses = [11, 9]") as env:
        for n in range(756):
            env.place(status=5 if n >= 6 else (11, 9)[n % 2])
        await env.advance(10)
        summary = await env.run_ok()
        assert summary.counts["scans_per_status"] == 2 and summary.counts["imported"] == 6
        assert counted(env)[LIST] == 2 * 2


@pytest.mark.asyncio
async def test_a_status_free_scan_stopped_half_way_resumes_its_window(tmp_path: Path) -> None:
    async with orders_env(tmp_path, products=3, get_orders=FOURTEEN) as env:
        for n in range(600):
            env.place(status=1 + n % 14)
        await env.advance(10)
        asked: list[dict[str, str]] = []

        async def fail_second_page(request: web.Request) -> None:
            if request.path.endswith("/v2/orders"):
                asked.append(dict(request.query))
                if "min_id" in request.query and not resumed:
                    raise web.HTTPNotFound()  # a permanent failure: the run stops

        resumed = False
        env.hooks.hooks.append(fail_second_page)
        failed = await env.run()
        assert failed.counts["imported"] == 250 and failed.error
        resumed = True
        await env.advance(60)
        again = await env.run_ok()
        assert again.counts["imported"] == 350 and len(await events(env)) == 600
        # The second run went on past the last order stored, in the first run's window.
        assert asked[2]["min_id"] == asked[1]["min_id"]
        assert asked[2]["max_date_modified"] == asked[0]["max_date_modified"]
