"""The hub's events, one shape each whatever channel they come from (sinks rely on it).

- `order.imported`: an order was stored for the first time (emitted by the order book in the
  same transaction). The order without personal data: sinks read the hub for the rest.
- `shipment.recorded`: a shipment was recorded in the hub (CLI, admin API, feed).
- `order.acknowledge_conflict`: the order changed on its channel before flxd acknowledged it.
"""

from __future__ import annotations

from typing import Any

from flxd.hub.model import Order

__all__ = ["ACKNOWLEDGE_CONFLICT", "ORDER_IMPORTED", "SHIPMENT_RECORDED", "order_imported"]

ORDER_IMPORTED = "order.imported"
SHIPMENT_RECORDED = "shipment.recorded"
ACKNOWLEDGE_CONFLICT = "order.acknowledge_conflict"


def order_imported(order: Order, hub_id: int) -> dict[str, Any]:
    """The payload of `order.imported`."""
    return {
        "connection": order.connection,
        "order_id": order.channel_order_id,
        "hub_order_id": hub_id,
        "status": order.status_code,
        "status_name": order.status_name,
        "created_at": order.created_at.isoformat(),
        "currency": order.currency,
        "grand_total": format(order.grand_total, "f"),
        "lines": [{"sku": line.sku, "quantity": line.quantity} for line in order.lines],
    }
