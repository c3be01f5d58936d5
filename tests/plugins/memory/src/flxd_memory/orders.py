"""The memory channel's orders: get_orders stores each page of orders through core's order book
(which emits `order.imported` for the new ones, and erases personal data past the retention
period before the run), and sync_orders pushes each hub shipment exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flxd.plugin import (
    Address,
    GetOrdersSettings,
    Order,
    OrderLine,
    PermanentError,
    RunContext,
    Shipment,
    ShipmentState,
)
from flxd_memory.api import MemoryApi

__all__ = ["get_orders", "sync_orders"]


async def get_orders(api: MemoryApi, ctx: RunContext, statuses: list[str], limit: int) -> None:
    settings = ctx.settings
    assert isinstance(settings, GetOrdersSettings)
    query: dict[str, str | int] = {"status": ",".join(statuses), "limit": limit}
    if settings.created_within_days:
        since = ctx.clock.now() - timedelta(days=settings.created_within_days)
        query["created_after"] = since.isoformat()
    after = ctx.cursor() or "0"
    while not ctx.stopping:
        page = await api.get("/orders", {**query, "after": after})
        if page["data"]:
            after = str(page["data"][-1]["modified"])
            orders = [_order(ctx.connection, raw) for raw in page["data"]]
            async with ctx.transaction() as hub:  # the orders and the cursor, together
                stored = await hub.orders.store_many(orders)
                hub.set_cursor(after)
            if imported := sum(s.created for s in stored):
                ctx.count("imported", imported)
        if page["next"] is None:  # the store's end marker; a short page is not the end
            return


def _order(connection: str, raw: dict[str, Any]) -> Order:
    """The store keeps no modification time: an order is as of when it was placed."""
    placed = datetime.fromisoformat(raw["created"])
    lines = tuple(
        OrderLine(
            channel_line_id=str(line["id"]),
            sku=line["sku"],
            name=line["sku"],
            quantity=line["quantity"],
            unit_price=Decimal(line["price"]),
            channel_address_id="1",
        )
        for line in raw["lines"]
    )
    return Order(
        connection=connection,
        channel_order_id=str(raw["id"]),
        status_code=raw["status"],
        status_name=raw["status"].replace("_", " "),
        created_at=placed,
        modified_at=placed,
        grand_total=sum((Decimal(x["price"]) * x["quantity"] for x in raw["lines"]), Decimal(0)),
        currency="EUR",
        customer_name=raw["customer"],
        customer_email=raw["email"],
        lines=lines,
        addresses=(Address(channel_address_id="1", name=raw["customer"], city="London"),),
    )


async def sync_orders(api: MemoryApi, ctx: RunContext, limit: int) -> None:
    after = 0
    while not ctx.stopping:
        async with ctx.transaction() as hub:
            pending = await hub.orders.pending_shipments(
                ctx.connection, after_id=after, limit=limit
            )
            orders = {s.order_id: await hub.orders.get_by_id(s.order_id) for s in pending}
        if not pending:
            return
        for shipment in pending:
            order = orders[shipment.order_id]
            assert order is not None  # a shipment belongs to an order
            await _push(api, ctx, shipment, order.channel_order_id)
        after = pending[-1].id


async def _push(api: MemoryApi, ctx: RunContext, shipment: Shipment, order_id: str) -> None:
    """Exactly once: the hub notes the attempt before the POST; a shipment attempted before
    (the process died, the answer was lost) is looked for on the store before it is sent."""
    path, ref = f"/orders/{order_id}/shipments", f"flxd-{shipment.id}"
    try:
        found = None
        if shipment.attempted_at is not None:
            found = next((s for s in await api.get(path) if s["ref"] == ref), None)
        else:
            async with ctx.transaction() as hub:
                await hub.orders.mark_shipment_attempted(shipment.id)
        if found is None:
            body = {
                "ref": ref,
                "tracking": shipment.tracking_number,
                "carrier": shipment.carrier,
                "items": [[line.channel_line_id, line.quantity] for line in shipment.lines],
            }
            plan = {"action": "create_shipment", "order": order_id, "tracking": body["tracking"]}
            # It emails the shopper: core confirms this node still holds the connection first.
            answer = await api.write(path, body, plan=plan, irreversible=True)
            if answer.planned:
                return
            found = answer.data
            ctx.count("pushed")
    except PermanentError as exc:
        async with ctx.transaction() as hub:  # refused (an unknown order): not sent again
            await hub.orders.mark_shipment(shipment.id, ShipmentState.FAILED, error=str(exc))
        return
    async with ctx.transaction() as hub:
        await hub.orders.mark_shipment(
            shipment.id, ShipmentState.PUSHED, channel_id=str(found["id"])
        )
