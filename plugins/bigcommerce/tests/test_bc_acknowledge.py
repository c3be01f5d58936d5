"""Acknowledging imported orders on the sandbox store: by status and by metafield, once each,
never over someone else's status change, and looked up again after an interrupted run."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from aiohttp import web
from bc_orders import OrdersEnv, orders_env
from flxd_bigcommerce.orders import acknowledge

from flxd.plugin import AckState
from flxd.testing import RunOutcome

pytestmark = pytest.mark.asyncio

BY_STATUS = 'acknowledge = "status"\nacknowledge_status = "Awaiting Shipment"'
BY_METAFIELD = 'acknowledge = "metafield"\nmetafield_namespace = "erp"\nmetafield_key = "synced"'


def status_of(env: OrdersEnv, order_id: int) -> int:
    return env.bc.sandbox.store(env.store).order_records[order_id].status_id


def puts(env: OrdersEnv) -> int:
    return env.bc.sandbox.counters(env.store).get("PUT /v2/orders/{order_id}", 0)


async def test_acknowledged_by_status_once(tmp_path: Path) -> None:
    async with orders_env(tmp_path, get_orders=BY_STATUS) as env:
        placed = [env.place().id for _ in range(3)]
        first = await env.run_ok()
        assert first.counts["acknowledged"] == 3
        assert [status_of(env, i) for i in placed] == [9, 9, 9]
        hub = await env.hub_orders()
        for order_id in placed:
            order = hub[str(order_id)]
            assert order.ack_state is AckState.DONE and order.acknowledged_at is not None
            assert order.status_code == "9"
            assert order.ack_note == "status 11 Awaiting Fulfillment -> 9 Awaiting Shipment"
        await env.advance(60)
        second = await env.run_ok()
        assert second.counts.get("acknowledged", 0) == 0
        assert puts(env) == 3
        # A page of orders costs one request to read it and one to see what changed since;
        # each list ends on an empty answer (V2's only end marker), one more request each.
        assert env.bc.sandbox.counters(env.store)["GET /v2/orders"] == 2 + 2 + 1


async def test_an_order_already_in_the_acknowledgement_status_is_not_written(
    tmp_path: Path,
) -> None:
    get_orders = BY_STATUS + '\nstatuses = ["Awaiting Fulfillment", "Awaiting Shipment"]'
    async with orders_env(tmp_path, get_orders=get_orders) as env:
        env.place(status=9)
        summary = await env.run_ok()
        assert summary.counts["acknowledged"] == 1
        assert puts(env) == 0
        await env.advance(60)
        env.place(status=11)
        await env.run_ok()  # acknowledged to 9, then seen again in status 9: nothing more
        await env.advance(60)
        again = await env.run_ok()
        assert again.counts.get("acknowledged", 0) == 0 and puts(env) == 1


async def test_acknowledged_by_metafield_once(tmp_path: Path) -> None:
    async with orders_env(tmp_path, get_orders=BY_METAFIELD) as env:
        placed = [env.place().id for _ in range(2)]
        first = await env.run_ok()
        await env.advance(60)
        env.bc.sandbox.set_order_status(env.store, placed[0], 11)  # modified: read again
        await env.run_ok()
        assert first.counts["acknowledged"] == 2
        metafields = list(env.bc.sandbox.store(env.store).metafields.records.values())
        assert sorted(m.resource_id for m in metafields) == placed
        hub = await env.hub_orders()
        for field in metafields:
            assert (field.namespace, field.key) == ("erp", "synced")
            value = json.loads(field.value)
            assert value["hub_order_id"] == hub[str(field.resource_id)].id
        assert [status_of(env, i) for i in placed] == [11, 11]


async def test_a_status_changed_by_someone_else_is_not_overwritten(tmp_path: Path) -> None:
    async with orders_env(tmp_path, get_orders=BY_STATUS) as env:
        kept, cancelled = env.place().id, env.place().id

        async def merchant_cancels(request: web.Request) -> None:
            # Between the import and the acknowledgement (flxd's check for changes since).
            if request.path.endswith("/v2/orders") and "min_id" in request.query:
                await env.advance(2)
                env.bc.sandbox.set_order_status(env.store, cancelled, 5)

        env.hooks.hooks.append(merchant_cancels)
        summary = await env.run_ok()
        assert summary.counts["acknowledged"] == 1 and summary.counts["ack_conflicts"] == 1
        assert (status_of(env, kept), status_of(env, cancelled)) == (9, 5)
        order = (await env.hub_orders())[str(cancelled)]
        assert order.ack_state is AckState.CONFLICT
        assert order.ack_note == (
            "status changed from 11 Awaiting Fulfillment to 5 Cancelled on BigCommerce before "
            "acknowledgement; not overwritten"
        )
        async with env.tx() as tx:
            rows = await tx.fetch(
                "SELECT payload FROM outbox WHERE topic = 'order.acknowledge_conflict'"
            )
        assert [json.loads(r["payload"])["status"] for r in rows] == [5]
        assert puts(env) == 1


async def test_an_interrupted_acknowledgement_is_looked_up_not_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with orders_env(tmp_path, get_orders=BY_STATUS) as env:
        placed = [env.place().id for _ in range(2)]
        settle = acknowledge.Acknowledger._settle

        async def crash(*args: object) -> None:
            raise RuntimeError("simulated crash after BigCommerce took the acknowledgements")

        monkeypatch.setattr(acknowledge.Acknowledger, "_settle", crash)
        crashed = await env.run()
        assert crashed.outcome is RunOutcome.FAILED
        assert [status_of(env, i) for i in placed] == [9, 9] and puts(env) == 2
        pending = await env.hub_orders()
        assert {o.ack_state for o in pending.values()} == {AckState.PENDING}
        monkeypatch.setattr(acknowledge.Acknowledger, "_settle", settle)
        await env.advance(60)
        summary = await env.run_ok()
        assert summary.counts["acknowledged"] == 2 and puts(env) == 2
        notes = {o.ack_note for o in (await env.hub_orders()).values()}
        assert notes == {"already in status 9 Awaiting Shipment"}


async def test_an_unacknowledged_order_changed_elsewhere_is_a_conflict_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with orders_env(tmp_path, get_orders=BY_STATUS) as env:
        order_id = env.place().id

        async def unreachable(*args: object) -> None:
            raise RuntimeError("the acknowledgement never left")

        monkeypatch.setattr(acknowledge.Acknowledger, "after_import", unreachable)
        await env.run()
        monkeypatch.undo()
        await env.advance(60)
        env.bc.sandbox.set_order_status(env.store, order_id, 12)
        summary = await env.run_ok()
        assert summary.counts["ack_conflicts"] == 1
        assert status_of(env, order_id) == 12 and puts(env) == 0


async def test_a_dry_run_plans_acknowledgements_and_writes_nothing(tmp_path: Path) -> None:
    async with orders_env(tmp_path, get_orders=BY_STATUS) as env:
        order_id = env.place().id
        summary = await env.run(dry_run=True)
        assert summary.plan == [
            {"action": "acknowledge", "order": order_id, "status_from": 11, "status_to": 9}
        ]
        assert status_of(env, order_id) == 11 and puts(env) == 0
        assert await env.hub_orders() == {}


async def test_a_token_revoked_while_acknowledging_pauses_the_connection(tmp_path: Path) -> None:
    async with orders_env(tmp_path, get_orders=BY_STATUS) as env:
        for _ in range(3):
            env.place()

        async def revoke(request: web.Request) -> None:
            if request.method == "PUT":
                env.hooks.hooks.clear()
                env.bc.sandbox.revoke_token(env.bc.token)

        env.hooks.hooks.append(revoke)
        summary = await env.run()
        assert summary.outcome is RunOutcome.NEEDS_REAUTH, summary.error
        hub = await env.hub_orders()
        assert len(hub) == 3  # stored before the acknowledgements; they stay pending
        assert {o.ack_state for o in hub.values()} == {AckState.PENDING}


async def test_checking_for_changes_stays_small_on_a_first_run(tmp_path: Path) -> None:
    async with orders_env(tmp_path, products=3, get_orders=BY_STATUS) as env:
        placed = [env.place(status=7).id for _ in range(1000)]
        random.Random(4).shuffle(placed)
        for order_id in placed:  # old orders reaching the status in no order of their ids
            await env.advance(1)
            env.bc.sandbox.set_order_status(env.store, order_id, 11)
        await env.advance(3600)
        summary = await env.run_ok()
        assert summary.counts["acknowledged"] == 1000
        # 4 full pages and an empty one to read; the checks ask for what changed since each
        # page was read, not since its newest order (which would return every later page's
        # orders: 14 checks here). What they return is flxd's own acknowledgements of the
        # pages before, at most a page or two (the clock stands still in this test).
        assert env.bc.sandbox.counters(env.store)["GET /v2/orders"] <= 5 + 2 * 4
