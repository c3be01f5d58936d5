"""The order book's acknowledgement and shipment-push bookkeeping, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flxd.hub.model import AckState, ShipmentState
from flxd.hub.orders import OrderBook, PendingAck
from flxd.store import Database
from flxd.testing import FakeClock

from .test_orders import order

pytestmark = pytest.mark.asyncio
clock = FakeClock()


async def test_acknowledgement_states(db: Database) -> None:
    async with db.transaction() as tx:
        book = OrderBook(tx, clock.now())
        plain = await book.store(order("100"))
        first = await book.store(order("101"), acknowledge=True)
        second = await book.store(order("102"), acknowledge=True)
        assert (plain.ack_state, first.ack_state) == (None, AckState.PENDING)
        assert await book.pending_acknowledgements("shop") == [
            PendingAck(first.id, "101", "11"),
            PendingAck(second.id, "102", "11"),
        ]
        assert await book.pending_acknowledgements("shop", after_id=first.id, limit=1) == [
            PendingAck(second.id, "102", "11")
        ]
        again = await book.store(order("101", status="5"))
        assert (again.created, again.previous_status, again.ack_state) == (
            False,
            "11",
            AckState.PENDING,
        )
        await book.mark_acknowledged(first.id, "conflict: …", state=AckState.CONFLICT)
        await book.mark_acknowledged(second.id, "status 11 -> 9")
        await book.set_status(second.id, "9", "Awaiting Shipment")
        assert await book.pending_acknowledgements("shop") == []
        stored = await book.get("shop", "102")
        assert stored is not None
        assert (stored.ack_state, stored.ack_note, stored.status_code) == (
            AckState.DONE,
            "status 11 -> 9",
            "9",
        )
        assert stored.acknowledged_at == clock.now()


async def test_shipment_attempts_and_paging(db: Database) -> None:
    async with db.transaction() as tx:
        book = OrderBook(tx, clock.now())
        stored = await book.store(order("200"))
        one = await book.record_shipment(
            stored.id, carrier="ups", tracking_number="A", items=[("MUG", 1)]
        )
        two = await book.record_shipment(stored.id, carrier="ups", tracking_number="B")
        assert one.attempted_at is None
        await book.mark_shipment_attempted(one.id)
        await book.mark_shipment_attempted(one.id)  # the first attempt's time is kept
        assert [s.id for s in await book.pending_shipments("shop", after_id=one.id)] == [two.id]
    later = clock.now() + timedelta(minutes=5)
    async with db.transaction() as tx:
        book = OrderBook(tx, later)
        await book.mark_shipment_attempted(one.id)
        await book.mark_shipment(one.id, ShipmentState.PUSHED, channel_id="7")
        found = await book.shipment(one.id)
        assert found is not None and found.attempted_at == clock.now()
        assert found.state is ShipmentState.PUSHED
