from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from flxd.hub.model import Address, Order, OrderLine, ShipmentState
from flxd.hub.orders import OrderBook, ShipmentRejected
from flxd.hub.outbox import Outbox
from flxd.store import Database
from flxd.testing import FakeClock

pytestmark = pytest.mark.asyncio
clock = FakeClock()


def order(channel_id: str = "100", status: str = "11") -> Order:
    now = clock.now()
    return Order(
        connection="shop",
        channel_order_id=channel_id,
        status_code=status,
        status_name="Awaiting Fulfillment",
        created_at=now,
        modified_at=now,
        grand_total=Decimal("59.80"),
        currency="EUR",
        customer_name="Grace Hopper",
        customer_email="grace@example.com",
        customer_phone="+1 555 0100",
        billing_address=Address(channel_address_id="b", name="Grace Hopper", city="Arlington"),
        lines=(
            OrderLine(
                channel_line_id="1",
                sku="MUG",
                name="Mug",
                quantity=2,
                unit_price=Decimal("9.90"),
                channel_address_id="5",
            ),
            OrderLine(
                channel_line_id="2",
                sku="TEE",
                name="Tee",
                quantity=1,
                unit_price=Decimal("40.00"),
                channel_address_id="5",
            ),
        ),
        addresses=(
            Address(
                channel_address_id="5",
                name="Grace Hopper",
                street_1="1 Navy Way",
                city="Arlington",
                zip="22202",
                email="grace@example.com",
            ),
        ),
    )


async def test_an_order_is_stored_once(db: Database) -> None:
    async with db.transaction() as tx:
        book = OrderBook(tx, clock.now())
        first = await book.store(order())
        again = await book.store(order(status="9"))
        assert first.created and not again.created and first.id == again.id
        stored = await book.get("shop", "100")
    assert stored is not None
    assert stored.status_code == "9"
    assert [line.quantity for line in stored.lines] == [2, 1]
    assert stored.grand_total == Decimal("59.80")
    assert stored.addresses[0].street_1 == "1 Navy Way"


async def test_partial_then_full_shipment(db: Database) -> None:
    async with db.transaction() as tx:
        book = OrderBook(tx, clock.now())
        order_id = (await book.store(order())).id
        first = await book.record_shipment(
            order_id, carrier="ups", tracking_number="1Z1", items=[("mug", 1)]
        )
        assert [(line.sku, line.quantity) for line in first.lines] == [("MUG", 1)]
        with pytest.raises(ShipmentRejected, match="MUG: 2 requested, only 1 unshipped"):
            await book.record_shipment(
                order_id, carrier="ups", tracking_number="1Z2", items=[("MUG", 2)]
            )
        rest = await book.record_shipment(order_id, carrier="dhl", tracking_number="JD2")
        assert sorted((line.sku, line.quantity) for line in rest.lines) == [("MUG", 1), ("TEE", 1)]
        with pytest.raises(ShipmentRejected, match="nothing left to ship"):
            await book.record_shipment(order_id, carrier="x", tracking_number="y")
        assert [s.id for s in await book.pending_shipments("shop")] == [first.id, rest.id]
        await book.mark_shipment(first.id, ShipmentState.PUSHED, channel_id="900")
        assert [s.id for s in await book.pending_shipments("shop")] == [rest.id]
        pushed = await book.shipment(first.id)
    assert pushed is not None and pushed.channel_shipment_id == "900"


async def test_personal_data_is_erased_after_retention(db: Database) -> None:
    async with db.transaction() as tx:
        book = OrderBook(tx, clock.now())
        await book.store(order("1"))
        erased = await book.erase_personal_data("shop", clock.now() + timedelta(seconds=1))
        assert erased == 1
        assert await book.erase_personal_data("shop", clock.now() + timedelta(days=1)) == 0
        kept = await book.get("shop", "1")
    assert kept is not None and kept.pii_erased_at is not None
    assert (kept.customer_name, kept.customer_email, kept.billing_address) == (None, None, None)
    assert kept.addresses[0].street_1 is None and kept.addresses[0].city is None
    assert kept.grand_total == Decimal("59.80") and kept.lines[0].sku == "MUG"
    async with db.transaction() as tx:
        for table in ("orders", "order_addresses"):
            for row in await tx.fetch(f"SELECT * FROM {table}"):
                values = " ".join(str(v) for v in tuple(row))
                assert "Grace" not in values and "grace@" not in values and "Navy" not in values


async def test_outbox_delivers_in_order_per_sink(db: Database) -> None:
    async with db.transaction() as tx:
        outbox = Outbox(tx, clock.now())
        ids = [await outbox.emit("order.imported", {"n": n}, key=str(n)) for n in range(3)]
        assert [e.id for e in await outbox.pending("a")] == ids
        await outbox.acknowledge("a", ids[1])
        assert [e.payload["n"] for e in await outbox.pending("a")] == [2]
        assert [e.id for e in await outbox.pending("b")] == ids
        assert await outbox.record_failure("b", "down") == 1
        assert await outbox.record_failure("b", "down") == 2
        assert await outbox.backlog() == {"a": 1, "b": 3}
