"""sync_orders against the sandbox store: hub shipments become BigCommerce shipments once each
(partial and full, per order address, carriers mapped), refusals are recorded and not retried,
and a push interrupted after BigCommerce took it is found there instead of sent again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bc_orders import NAME, OrdersEnv, orders_env
from flxd_bigcommerce.sandbox import CartLine
from flxd_bigcommerce.sandbox.orders.checkout import OrderDraft, place_order
from flxd_bigcommerce.sandbox.orders.records import Order as RemoteOrder
from flxd_bigcommerce.sandbox.orders.records import Shipment as RemoteShipment
from flxd_bigcommerce.sandbox.orders.shipments import create_shipment
from flxd_bigcommerce.sandbox.server import SAMPLE_SHOPPER

from flxd.plugin import Operation, Order, Shipment, ShipmentState
from flxd.testing import OrderBook, RunOutcome, ShipmentRequest, record_request

pytestmark = pytest.mark.asyncio
SYNC = Operation.SYNC_ORDERS


def posts(env: OrdersEnv) -> int:
    return env.bc.sandbox.counters(env.store).get("POST /v2/orders/{order_id}/shipments", 0)


def remote(env: OrdersEnv, order_id: int) -> tuple[RemoteOrder, list[RemoteShipment]]:
    store = env.bc.sandbox.store(env.store)
    return store.order_records[order_id], store.shipments_of(order_id)


async def ship(env: OrdersEnv, order_id: int, **kw: Any) -> Shipment:
    async with env.tx() as tx:
        recorded = await record_request(
            tx,
            env.clock.now(),
            ShipmentRequest(order=str(order_id), connection=NAME, **kw),
        )
    return recorded.shipment


async def shipment(env: OrdersEnv, shipment_id: int) -> Shipment:
    async with env.tx() as tx:
        found = await OrderBook(tx, env.clock.now()).shipment(shipment_id)
    assert found is not None
    return found


async def hub_order(env: OrdersEnv, order_id: int) -> Order:
    return (await env.hub_orders())[str(order_id)]


async def test_a_partial_then_a_full_shipment(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        placed = env.place(lines=2, quantity=2)
        await env.run_ok()
        first_sku, second_sku = (line.sku for line in placed.lines)
        partial = await ship(
            env, placed.id, carrier="UPS", tracking_number="1Z001", items=((first_sku, 1),)
        )
        summary = await env.run_ok(SYNC)
        assert summary.counts == {"pushed": 1}
        order, shipments = remote(env, placed.id)
        [created] = shipments
        assert created.tracking_number == "1Z001" and created.shipping_provider == "ups"
        assert created.order_address_id == placed.shipping_addresses[0].id
        assert [(i.order_product_id, i.quantity) for i in created.items] == [
            (placed.lines[0].id, 1)
        ]
        assert order.status_id == 3
        pushed = await shipment(env, partial.id)
        assert pushed.state is ShipmentState.PUSHED
        assert pushed.channel_shipment_id == str(created.id)
        assert (await hub_order(env, placed.id)).status_name == "Partially Shipped"

        rest = await ship(env, placed.id, carrier="dhl", tracking_number="JD0002", method="Express")
        assert {(line.sku, line.quantity) for line in rest.lines} == {
            (first_sku, 1),
            (second_sku, 2),
        }
        await env.run_ok(SYNC)
        order, shipments = remote(env, placed.id)
        assert len(shipments) == 2 and order.status_id == 2
        last = shipments[-1]
        assert (last.tracking_carrier, last.shipping_provider, last.shipping_method) == (
            "dhl",
            "",
            "Express",
        )
        assert (await hub_order(env, placed.id)).status_code == "2"
        again = await env.run_ok(SYNC)
        assert again.counts == {"pushed": 0} and posts(env) == 2


async def test_a_crash_after_bigcommerce_took_the_shipment_creates_no_duplicate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with orders_env(tmp_path) as env:
        placed = env.place(lines=2)
        await env.run_ok()
        recorded = await ship(env, placed.id, carrier="fedex", tracking_number="FX-9")
        mark = OrderBook.mark_shipment

        async def crash(self: OrderBook, *args: object, **kw: object) -> None:
            raise RuntimeError("the process died before the hub recorded the push")

        monkeypatch.setattr(OrderBook, "mark_shipment", crash)
        crashed = await env.run(SYNC)
        assert crashed.outcome is RunOutcome.FAILED
        assert len(remote(env, placed.id)[1]) == 1 and posts(env) == 1
        assert (await shipment(env, recorded.id)).state is ShipmentState.PENDING

        monkeypatch.setattr(OrderBook, "mark_shipment", mark)
        summary = await env.run_ok(SYNC)
        assert summary.counts == {"pushed": 1}
        [only] = remote(env, placed.id)[1]
        assert posts(env) == 1
        assert (await shipment(env, recorded.id)).channel_shipment_id == str(only.id)


async def test_an_attempt_that_never_reached_bigcommerce_is_sent(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        placed = env.place()
        await env.run_ok()
        recorded = await ship(env, placed.id, tracking_number="T-1")
        async with env.tx() as tx:
            await OrderBook(tx, env.clock.now()).mark_shipment_attempted(recorded.id)
        await env.run_ok(SYNC)
        assert len(remote(env, placed.id)[1]) == 1 and posts(env) == 1
        assert env.bc.sandbox.counters(env.store)["GET /v2/orders/{order_id}/shipments"] == 1


async def test_refused_shipments_are_recorded_with_the_reason_and_not_retried(
    tmp_path: Path,
) -> None:
    async with orders_env(tmp_path) as env:
        placed = env.place(quantity=2)
        await env.run_ok()
        line = placed.lines[0]
        # Shipped in the control panel behind flxd's back: only 1 of 2 is left on BigCommerce.
        create_shipment(
            env.bc.sandbox.store(env.store).orders,
            placed.id,
            {
                "order_address_id": line.order_address_id,
                "items": [{"order_product_id": line.id, "quantity": 1}],
            },
        )
        over = await ship(env, placed.id, tracking_number="OVER", items=((line.sku, 2),))
        summary = await env.run(SYNC)
        assert summary.outcome is RunOutcome.OK
        assert summary.counts == {"pushed": 0, "rejected": 1}
        refused = await shipment(env, over.id)
        assert refused.state is ShipmentState.FAILED
        assert refused.error is not None and "exceeds the 1 not yet shipped" in refused.error
        await env.run_ok(SYNC)
        assert posts(env) == 1


async def test_an_order_unknown_to_bigcommerce_is_refused(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        placed = env.place()
        await env.run_ok()
        async with env.tx() as tx:
            await tx.execute(
                "UPDATE orders SET channel_order_id = '424242' WHERE channel_order_id = ?",
                str(placed.id),
            )
        recorded = await ship(env, 424242, tracking_number="GONE")
        summary = await env.run(SYNC)
        assert summary.counts == {"pushed": 0, "rejected": 1}
        refused = await shipment(env, recorded.id)
        assert refused.state is ShipmentState.FAILED and "404" in (refused.error or "")


async def test_lines_to_two_addresses_become_two_bigcommerce_shipments(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        store = env.bc.sandbox.store(env.store)
        (p1, v1), (p2, v2) = env.products()[:2]
        placed = place_order(
            store.orders,
            store.catalog,
            OrderDraft(
                lines=[
                    CartLine(product_id=p1, variant_id=v1),
                    CartLine(product_id=p2, variant_id=v2, second_address=True),
                ],
                billing=SAMPLE_SHOPPER,
                extra_shipping=SAMPLE_SHOPPER,
            ),
        )
        await env.run_ok()
        assert len((await hub_order(env, placed.id)).addresses) == 2
        recorded = await ship(env, placed.id, carrier="usps", tracking_number="9400")
        await env.run_ok(SYNC)
        order, shipments = remote(env, placed.id)
        assert sorted(s.order_address_id for s in shipments) == sorted(
            a.id for a in placed.shipping_addresses
        )
        assert order.status_id == 2
        pushed = await shipment(env, recorded.id)
        assert pushed.channel_shipment_id == ",".join(str(s.id) for s in shipments)


async def test_carriers_map_through_the_config_and_unknown_ones_still_ship(
    tmp_path: Path,
) -> None:
    carriers = (
        'carriers = { "DHL Express" = { tracking_carrier = "dhl" }, '
        'ups = { shipping_provider = "upsready" } }'
    )
    async with orders_env(tmp_path, sync_orders=carriers) as env:
        orders = [env.place().id for _ in range(3)]
        await env.run_ok()
        for order_id, carrier in zip(orders, ["dhl express", "UPS", "Pigeon Post"], strict=True):
            await ship(env, order_id, carrier=carrier, tracking_number=f"T{order_id}")
        await env.run_ok(SYNC)
        sent = [remote(env, i)[1][0] for i in orders]
        assert [(s.shipping_provider, s.tracking_carrier) for s in sent] == [
            ("", "dhl"),
            ("upsready", ""),
            ("", ""),
        ]
        assert [s.tracking_number for s in sent] == [f"T{i}" for i in orders]


async def test_a_dry_run_plans_the_shipment_and_sends_nothing(tmp_path: Path) -> None:
    async with orders_env(tmp_path) as env:
        placed = env.place()
        await env.run_ok()
        recorded = await ship(env, placed.id, carrier="ups", tracking_number="1ZDRY")
        summary = await env.run(SYNC, dry_run=True)
        assert summary.plan == [
            {
                "action": "create_shipment",
                "order": str(placed.id),
                "address": placed.shipping_addresses[0].id,
                "tracking": "1ZDRY",
                "carrier": "ups",
                "items": f"{placed.lines[0].sku}x1",  # SKU x quantity, as on a packing slip
            }
        ]
        assert posts(env) == 0
        still = await shipment(env, recorded.id)
        assert still.state is ShipmentState.PENDING and still.attempted_at is None
