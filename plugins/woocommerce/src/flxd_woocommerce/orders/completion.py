"""Completing an order once everything on it has shipped (the hub's shipments say so)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from flxd.plugin import Order, RunContext, ShipmentState
from flxd_woocommerce.client import MAX_PAGE, WooClient
from flxd_woocommerce.statuses import label_of

__all__ = ["OPEN", "complete_shipped"]

OPEN = frozenset({"processing", "on-hold"})
"""Statuses an order is completed from; never from cancelled, refunded, pending payment, …"""


async def _fully_shipped(ctx: RunContext, order: Order) -> bool:
    assert order.id is not None
    async with ctx.transaction() as hub:
        shipments = await hub.orders.shipments_of(order.id)
    shipped: Counter[int] = Counter()
    for shipment in shipments:
        if shipment.state is ShipmentState.PUSHED:
            for item in shipment.lines:
                shipped[item.order_line_id] += item.quantity
    return all(shipped[line.id or 0] >= line.quantity for line in order.lines if line.quantity)


async def complete_shipped(client: WooClient, ctx: RunContext, orders: Sequence[Order]) -> None:
    """Mark these orders completed on WooCommerce where everything has shipped and the order
    is still open there (read first: someone may have cancelled it meanwhile)."""
    done = [o for o in orders if await _fully_shipped(ctx, o)]
    if not done:
        return
    ids = [int(o.channel_order_id) for o in done]
    page = await client.list_page(
        "orders",
        {
            "include": ",".join(map(str, ids)),
            "status": "any",
            "per_page": MAX_PAGE,
            "_fields": "id,status",
        },
    )
    current = {i["id"]: i.get("status") for i in page.items if isinstance(i, dict) and "id" in i}
    ready = [o for o in done if current.get(int(o.channel_order_id)) in OPEN]
    if not ready:
        return
    answer = await client.batch(
        "orders",
        update=[{"id": int(o.channel_order_id), "status": "completed"} for o in ready],
        plan=[
            {"action": "set_status", "order": o.channel_order_id, "to": "completed"} for o in ready
        ],
        irreversible=True,
    )
    if answer is None:
        return
    async with ctx.transaction() as hub:
        for order, item in zip(ready, answer["update"], strict=True):
            if item.ok and order.id is not None:
                await hub.orders.set_status(order.id, "completed", label_of("completed"))
                ctx.count("completed")
