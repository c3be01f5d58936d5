"""get_orders against the sandbox store: which orders are imported (statuses, age window, a
status change after a run), the paging (204, orders changing during a run, a busy second), and
what is stored (lines with order-product ids, addresses, Decimal totals, one event each)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import anyio
import pytest
from aiohttp import web
from bc_env import HOST
from bc_orders import NAME, OrdersEnv, orders_env

from flxd.plugin import AckState, Operation
from flxd.testing import Cursors, Daemon, RunOutcome, Selection

pytestmark = pytest.mark.asyncio


async def events(env: OrdersEnv, topic: str = "order.imported") -> list[str]:
    async with env.tx() as tx:
        rows = await tx.fetch("SELECT key FROM outbox WHERE topic = ? ORDER BY id", topic)
    return [r["key"] for r in rows]


def order_requests(env: OrdersEnv) -> int:
    return env.bc.sandbox.counters(env.store).get("GET /v2/orders", 0)


async def test_an_order_is_stored_whole_once_with_one_event(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        placed = env.place(lines=3, quantity=2)
        first = await env.run_ok()
        await env.advance(60)
        second = await env.run_ok()
        order = (await env.hub_orders())[str(placed.id)]
        assert (first.counts["imported"], second.counts["imported"]) == (1, 0)
        assert await events(env) == [str(placed.id)]
        assert order.status_code == "11" and order.status_name == "Awaiting Fulfillment"
        assert order.grand_total == placed.total_inc_tax and isinstance(order.grand_total, Decimal)
        assert order.subtotal == placed.subtotal_ex_tax
        assert order.created_at == placed.date_created and order.created_at.tzinfo is not None
        assert order.customer_email == "sam.shopper@example.com"
        assert [(line.channel_line_id, line.sku, line.quantity) for line in order.lines] == [
            (str(line.id), line.sku, 2) for line in placed.lines
        ]
        [address] = order.addresses
        assert address.channel_address_id == str(placed.shipping_addresses[0].id)
        assert {line.channel_address_id for line in order.lines} == {address.channel_address_id}
        assert address.street_1 == "12 Main Street" and address.shipping_method == "Flat Rate"
        # Two requests per run: lines and addresses come with the page, and the empty answer
        # after it ends the list (V2's only end marker).
        assert order_requests(env) == 2 + 2


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ('["Awaiting Fulfillment"]', {11}),
        ('["Pending/Incomplete"]', {0, 1}),
        ('["Awaiting Payment", "Awaiting Pickup", "Awaiting Shipment"]', {7, 8, 9}),
        ('["Partially Refunded", 11]', {11, 14}),
        ('["awaiting_shipment", "9"]', {9}),
        (str(list(range(15))), set(range(15))),
    ],
)
async def test_each_configured_status_set(
    tmp_path: Path, statuses: str, expected: set[int]
) -> None:
    async with orders_env(tmp_path, get_orders=f"statuses = {statuses}") as env:
        placed = {status: env.place(status=status).id for status in range(15)}
        summary = await env.run_ok()
        imported = {int(o.status_code) for o in (await env.hub_orders()).values()}
        assert imported == expected
        assert summary.counts["imported"] == len(expected)
        assert set(await env.hub_orders()) == {str(placed[s]) for s in expected}


@pytest.mark.parametrize(("window", "ages"), [("30", {0, 29}), ('""', {0, 29, 31, 400})])
async def test_created_within_window(tmp_path: Path, window: str, ages: set[int]) -> None:
    async with orders_env(tmp_path, get_orders=f"created_within_days = {window}") as env:
        await env.advance(500 * 86400)
        now = env.clock.now()
        by_age = {
            age: env.place(created_at=now - timedelta(days=age, hours=1 if age else 0)).id
            for age in (0, 29, 31, 400)
        }
        await env.run_ok()
        assert set(await env.hub_orders()) == {str(by_age[age]) for age in ages}


async def test_an_order_moving_into_a_configured_status_is_imported_then(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        awaiting_payment = env.place(status=7)
        first = await env.run_ok()
        assert first.counts["imported"] == 0
        await env.advance(120)
        env.bc.sandbox.set_order_status(env.store, awaiting_payment.id, 11)
        second = await env.run_ok()
        assert second.counts["imported"] == 1
        assert (await env.hub_orders())[str(awaiting_payment.id)].status_code == "11"


async def test_an_empty_store_answers_204_and_the_run_is_ok(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        summary = await env.run_ok()
        assert summary.counts == {"imported": 0}
        status = env.bc.sandbox.store(env.store).counters.by_status
        assert status[("GET /v2/orders", 204)] == 1
        async with env.tx() as tx:
            cursor = await Cursors(tx, env.clock.now()).get(NAME, "get_orders", "status:11")
        assert cursor == env.clock.now().isoformat()


async def test_orders_changing_during_a_run_are_neither_lost_nor_duplicated(
    tmp_path: Path,
) -> None:
    async with orders_env(tmp_path, products=3) as env:
        start = env.clock.now()
        # 600 orders one second apart: three pages of 250 and a short one.
        placed = [env.place(created_at=start + timedelta(seconds=i)).id for i in range(600)]
        await env.advance(700)
        calls = 0

        async def meanwhile(request: web.Request) -> None:
            nonlocal calls
            if request.method != "GET" or not request.path.endswith("/v2/orders"):
                return
            calls += 1
            if calls == 2:  # page 1 has been read; time goes on while page 2 is asked for
                await env.advance(5)
                sandbox = env.bc.sandbox
                sandbox.set_order_status(env.store, placed[10], 11)  # read already: changes
                sandbox.set_order_status(env.store, placed[400], 11)  # not read yet: moves away
                sandbox.set_order_status(env.store, placed[450], 5)  # leaves the statuses
                placed.append(env.place().id)  # a new order arrives

        env.hooks.hooks.append(meanwhile)
        first = await env.run_ok()
        env.hooks.hooks.clear()
        await env.advance(60)
        second = await env.run_ok()
        hub = await env.hub_orders()
        expected = {str(i) for i in placed} - {str(placed[450])}
        assert set(hub) == expected
        # each order once: one event each, imported counted once across the runs
        assert sorted(await events(env)) == sorted(expected)
        assert first.counts["imported"] + second.counts["imported"] == len(expected)
        assert second.counts["imported"] == 2  # the one that moved away and the new one


async def test_a_second_with_more_than_a_page_of_orders_is_read_whole(tmp_path: Path) -> None:
    async with orders_env(tmp_path, products=3) as env:
        same_second = [env.place().id for _ in range(600)]
        await env.advance(1)
        later = [env.place().id for _ in range(3)]
        summary = await env.run_ok()
        assert summary.counts["imported"] == 603
        assert set(await env.hub_orders()) == {str(i) for i in same_second + later}
        # pages by date (1 full page of that second), by id within it (3), then the rest (1)
        assert order_requests(env) <= 6


async def test_a_restart_after_a_committed_page_does_not_repeat_it(tmp_path: Path) -> None:
    async with orders_env(tmp_path, products=3) as env:
        start = env.clock.now()
        for i in range(300):
            env.place(created_at=start + timedelta(seconds=i))
        await env.advance(400)

        async def fail_second_page(request: web.Request) -> None:
            if request.path.endswith("/v2/orders") and "min_id" in request.query:
                raise web.HTTPNotFound()  # a permanent failure: the run stops after page 1

        env.hooks.hooks.append(fail_second_page)
        failed = await env.run()
        assert failed.counts["imported"] == 250 and failed.error
        env.hooks.hooks.clear()
        summary = await env.run_ok()
        assert summary.counts["imported"] == 50
        assert len(await events(env)) == 300


async def test_a_full_run_reads_everything_again_without_duplicates(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        for _ in range(3):
            env.place()
        await env.run_ok()
        await env.advance(60)
        again = await env.run(full=True)
        assert again.counts["imported"] == 0
        assert len(await events(env)) == 3


async def test_a_shutdown_mid_run_keeps_the_stored_pages_and_the_next_run_goes_on(
    tmp_path: Path,
) -> None:
    get_orders = 'acknowledge = "status"'
    async with orders_env(tmp_path, products=3, get_orders=get_orders) as env:
        start = env.clock.now()
        for i in range(1000):
            env.place(created_at=start + timedelta(seconds=i))
        await env.advance(2000)
        daemon = Daemon(env.config(), HOST, clock=env.clock)
        async with anyio.create_task_group() as tg:

            async def sigterm(request: web.Request) -> None:
                if request.path.endswith("/v2/orders") and "min_date_modified" in request.query:
                    env.hooks.hooks.clear()
                    assert daemon.runner is not None
                    tg.start_soon(daemon.runner.drain, 30.0)

            env.hooks.hooks.append(sigterm)
            [stopped] = await daemon.run_once(Selection(NAME, Operation.GET_ORDERS))
        assert stopped.outcome is RunOutcome.INTERRUPTED
        first = stopped.counts["imported"]
        assert 0 < first < 1000
        hub = await env.hub_orders()
        assert {o.ack_state for o in hub.values()} == {AckState.DONE}  # stored ones acknowledged
        await env.advance(60)
        rest = await env.run_ok()
        assert first + rest.counts["imported"] == 1000
        assert len(await events(env)) == 1000
