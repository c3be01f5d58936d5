"""Recording shipments in the hub from the command line and shipment files.

A request names a hub order (its id, or its connection and channel order id), the tracking
number, carrier and method, and the items (SKU, quantity; none means everything still unshipped).
The same tracking number recorded again for the same order is recognised and not recorded twice,
so a shipment file can be fed again safely. Each recorded shipment emits `shipment.recorded`;
the connection's next sync_orders run pushes it to the channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flxd.hub.events import SHIPMENT_RECORDED
from flxd.hub.model import Order, Shipment, ShipmentState
from flxd.hub.orders import OrderBook, ShipmentRejected
from flxd.hub.outbox import Outbox
from flxd.store import Tx

__all__ = ["Recorded", "ShipmentRequest", "parse_item", "record_request"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentRequest:
    order: str
    """A hub order id; or, with `connection`, the channel's order id."""
    connection: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    method: str | None = None
    items: tuple[tuple[str, int], ...] = ()
    """(SKU, quantity); empty: everything not shipped yet."""
    unpaid: bool = False
    """Ship even though the order's status says it is not paid (paid some other way)."""

    @property
    def order_ref(self) -> str:
        return f"{self.connection} #{self.order}" if self.connection else f"order {self.order}"


@dataclass(frozen=True, slots=True)
class Recorded:
    order: Order
    shipment: Shipment
    created: bool
    """False when the order already had a shipment with this tracking number."""


# Status names that say the customer has not paid (BigCommerce's, WooCommerce's "pending
# payment", …), compared in lower case without spaces or punctuation. Channels report statuses
# by name; merchants who rename them lose this check, not the shipment.
_UNPAID = frozenset({"awaitingpayment", "pendingpayment", "pending", "incomplete", "unpaid"})


def _unpaid(order: Order) -> str | None:
    """The order's status name when it says the order is not paid, else None."""
    name = order.status_name or order.status_code
    return name if re.sub(r"[^a-z]", "", name.lower()) in _UNPAID else None


def parse_item(text: str) -> tuple[str, int]:
    """`SKU=QTY` (or a bare `SKU`, one unit); ValueError saying what is wrong."""
    sku, sep, quantity = text.rpartition("=")
    if not sep:
        sku, quantity = text, "1"
    sku = sku.strip()
    if not sku:
        raise ValueError(f"{text!r}: expected SKU=QUANTITY")
    try:
        count = int(quantity.strip())
    except ValueError:
        raise ValueError(f"{text!r}: quantity {quantity.strip()!r} is not a whole number") from None
    if count <= 0:
        raise ValueError(f"{text!r}: quantity must be positive")
    return sku, count


async def record_request(tx: Tx, now: datetime, request: ShipmentRequest) -> Recorded:
    """Record one shipment; ShipmentRejected when the order is unknown or the items do not fit
    what is still unshipped (nothing is written then)."""
    book = OrderBook(tx, now)
    if request.connection is not None:
        order = await book.get(request.connection, request.order)
    elif request.order.isdigit():
        order = await book.get_by_id(int(request.order))
    else:
        raise ShipmentRejected(f"{request.order!r} is not a hub order id (a number)")
    if order is None or order.id is None:
        raise ShipmentRejected(f"no {request.order_ref} in the hub")
    if request.tracking_number:
        for earlier in await book.shipments_of(order.id):
            if (
                earlier.tracking_number == request.tracking_number
                and earlier.state is not ShipmentState.FAILED
            ):
                return Recorded(order, earlier, created=False)
    waiting = _unpaid(order)
    if waiting is not None and not request.unpaid:
        raise ShipmentRejected(
            f"{order.connection} #{order.channel_order_id} is {waiting}: not paid, as far as "
            "the hub knows (its status when last imported), so nothing was recorded; if it is "
            'paid, ship it anyway (flxd orders ship --unpaid; in the API, "unpaid": true)'
        )
    shipment = await book.record_shipment(
        order.id,
        carrier=request.carrier,
        tracking_number=request.tracking_number,
        method=request.method,
        items=request.items,
    )
    await Outbox(tx, now).emit(
        SHIPMENT_RECORDED,
        {
            "connection": order.connection,
            "order_id": order.channel_order_id,
            "hub_order_id": order.id,
            "shipment_id": shipment.id,
        },
        key=order.channel_order_id,
    )
    return Recorded(order, shipment, created=True)
