"""The contract's orders, as core defines them whatever the channel: the `order.imported` event's
payload, and customers' personal data erased from the hub after the retention period."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from flxd.clock import SystemClock
from flxd.hub.events import ORDER_IMPORTED, order_imported
from flxd.hub.model import Order
from flxd.operation import Operation
from flxd.runs.journal import RunOutcome
from flxd.store import db_time
from flxd.testing.contract.driver import NAME, ContractBase
from flxd.testing.contract.harness import ContractHarness

__all__ = ["OrdersContract"]

RETENTION = {Operation.GET_ORDERS: "pii_retention_days = 30"}


class OrdersContract(ContractBase):
    async def test_order_imported_event_has_cores_payload(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        self._require(contract_harness, Operation.GET_ORDERS)
        skus = sorted(await contract_harness.remote_skus())
        order_id = await contract_harness.place_order(skus[:2])
        await self._run_ok(contract_harness, tmp_path, Operation.GET_ORDERS)
        async with self._hub(contract_harness, tmp_path) as hub:
            order = await hub.orders.get(NAME, order_id)
            events = await hub.outbox.pending("contract-check", limit=100_000)
        assert order is not None and order.id is not None, f"order {order_id} not imported"
        mine = [e for e in events if e.topic == ORDER_IMPORTED and e.key == order_id]
        assert len(mine) == 1, f"{len(mine)} order.imported events for order {order_id}"
        expected = json.loads(json.dumps(order_imported(order, order.id), default=str))
        assert mine[0].payload == expected

    async def test_personal_data_is_erased_after_the_retention_period(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        harness = contract_harness
        self._require(harness, Operation.GET_ORDERS)
        skus = sorted(await harness.remote_skus())
        order_id = await harness.place_order(skus[:1])
        await self._run_ok(harness, tmp_path, Operation.GET_ORDERS)
        imported = await self._order(harness, tmp_path, order_id)
        assert personal_data(imported), "the harness's orders must carry a customer's details"

        for days, erased in ((29, False), (31, True)):
            # As if imported that many days ago: the store's clock and flxd's stay together
            # (a channel may sign its requests with the time).
            async with self._tx(harness, tmp_path) as tx:
                await tx.execute(
                    "UPDATE orders SET imported_at = ? "
                    "WHERE connection = ? AND channel_order_id = ?",
                    db_time(SystemClock().now() - timedelta(days=days)),
                    NAME,
                    order_id,
                )
            summary = await self._run(harness, tmp_path, Operation.GET_ORDERS, settings=RETENTION)
            assert summary.outcome is RunOutcome.OK, summary.error
            order = await self._order(harness, tmp_path, order_id)
            assert (personal_data(order) == []) is erased, f"after {days} days"
        assert summary.counts.get("pii_erased", 0) >= 1
        kept = (order.grand_total, order.status_code, [(x.sku, x.quantity) for x in order.lines])
        assert kept == (
            imported.grand_total,
            imported.status_code,
            [(x.sku, x.quantity) for x in imported.lines],
        )

    async def _order(self, harness: ContractHarness, tmp_path: Path, order_id: str) -> Order:
        async with self._hub(harness, tmp_path) as hub:
            order = await hub.orders.get(NAME, order_id)
        assert order is not None, f"order {order_id} not imported"
        return order


def personal_data(order: Order) -> list[str]:
    """What the hub still holds of the customer: names, emails, phones, addresses."""
    found = [order.customer_name, order.customer_email, order.customer_phone]
    for address in (order.billing_address, *order.addresses):
        if address is not None:
            found += [
                address.name,
                address.company,
                address.street_1,
                address.street_2,
                address.city,
                address.state,
                address.zip,
                address.phone,
                address.email,
            ]
    return [value for value in found if value]
