"""Shipments in the hub order book: recorded against order lines (never more than is
unshipped), then pushed to the channel exactly once (see sync_orders)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flxd.hub.model import Shipment, ShipmentLine, ShipmentState
from flxd.store import Row, Tx, db_time, parse_db_time

__all__ = ["ShipmentBook", "ShipmentRejected"]


class ShipmentRejected(ValueError):
    """A shipment the hub cannot record (unknown order or line, quantity over what is unshipped)."""


class ShipmentBook:
    """Shipment operations inside one transaction (OrderBook offers them too)."""

    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx = tx
        self._now = db_time(now)

    async def record_shipment(
        self,
        order_id: int,
        *,
        carrier: str | None,
        tracking_number: str | None,
        method: str | None = None,
        items: Sequence[tuple[str, int]] = (),
    ) -> Shipment:
        """Record a shipment of `items` (SKU, quantity); no items means everything unshipped.

        Raises ShipmentRejected for an unknown SKU or a quantity over what is still unshipped.
        """
        lines = await self._tx.fetch(
            "SELECT l.id, l.sku, l.channel_line_id, l.quantity, COALESCE((SELECT sum(s.quantity) "
            "FROM shipment_lines s JOIN shipments h ON h.id = s.shipment_id "
            "WHERE s.order_line_id = l.id AND h.state <> 'failed'), 0) AS shipped "
            "FROM order_lines l WHERE l.order_id = ? ORDER BY l.id",
            order_id,
        )
        if not lines:
            raise ShipmentRejected(f"order {order_id} is not in the hub or has no lines")
        open_qty = {r["id"]: r["quantity"] - r["shipped"] for r in lines}
        chosen: list[tuple[int, int]] = []
        if not items:
            chosen = [(line_id, qty) for line_id, qty in open_qty.items() if qty > 0]
        for sku, quantity in items:
            if quantity <= 0:
                raise ShipmentRejected(f"{sku}: quantity must be positive, got {quantity}")
            remaining = quantity
            for r in lines:
                if r["sku"] is not None and r["sku"].lower() == sku.lower() and remaining:
                    take = min(remaining, open_qty[r["id"]])
                    if take > 0:
                        chosen.append((r["id"], take))
                        open_qty[r["id"]] -= take
                        remaining -= take
            if remaining:
                raise ShipmentRejected(_not_shippable(sku, quantity, quantity - remaining, lines))
        if not chosen:
            raise ShipmentRejected(f"order {order_id}: nothing left to ship")
        shipment_id = await self._tx.fetchval(
            "INSERT INTO shipments (order_id, carrier, tracking_number, method, state, created_at) "
            "VALUES (?, ?, ?, ?, 'pending', ?) RETURNING id",
            order_id,
            carrier,
            tracking_number,
            method,
            self._now,
        )
        await self._tx.executemany(
            "INSERT INTO shipment_lines (shipment_id, order_line_id, quantity) VALUES (?, ?, ?)",
            [(shipment_id, line_id, qty) for line_id, qty in chosen],
        )
        shipment = await self.shipment(int(shipment_id))
        assert shipment is not None
        return shipment

    async def shipment(self, shipment_id: int) -> Shipment | None:
        row = await self._tx.fetchrow("SELECT * FROM shipments WHERE id = ?", shipment_id)
        return None if row is None else (await self._shipments([row]))[0]

    async def pending_shipments(
        self, connection: str, *, after_id: int = 0, limit: int = 100
    ) -> list[Shipment]:
        rows = await self._tx.fetch(
            "SELECT h.* FROM shipments h JOIN orders o ON o.id = h.order_id "
            "WHERE h.state = 'pending' AND o.connection = ? AND h.id > ? ORDER BY h.id LIMIT ?",
            connection,
            after_id,
            limit,
        )
        return await self._shipments(rows)

    async def shipments_of(self, order_id: int) -> list[Shipment]:
        rows = await self._tx.fetch(
            "SELECT * FROM shipments WHERE order_id = ? ORDER BY id", order_id
        )
        return await self._shipments(rows)

    async def mark_shipment(
        self,
        shipment_id: int,
        state: ShipmentState,
        *,
        channel_id: str | None = None,
        error: str | None = None,
    ) -> None:
        await self._tx.execute(
            "UPDATE shipments SET state = ?, "
            "channel_shipment_id = COALESCE(?, channel_shipment_id), "
            "error = ?, pushed_at = CASE WHEN ? = 'pushed' THEN ? ELSE pushed_at END WHERE id = ?",
            state.value,
            channel_id,
            error,
            state.value,
            self._now,
            shipment_id,
        )

    async def mark_shipment_attempted(self, shipment_id: int) -> None:
        """Commit this before sending a shipment: it may exist on the channel from then on."""
        await self._tx.execute(
            "UPDATE shipments SET attempted_at = COALESCE(attempted_at, ?) WHERE id = ?",
            self._now,
            shipment_id,
        )

    async def _shipments(self, rows: Sequence[Row]) -> list[Shipment]:
        result: list[Shipment] = []
        for row in rows:
            lines = await self._tx.fetch(
                "SELECT s.order_line_id, s.quantity, l.sku, l.channel_line_id "
                "FROM shipment_lines s "
                "JOIN order_lines l ON l.id = s.order_line_id WHERE s.shipment_id = ? "
                "ORDER BY s.order_line_id",
                row["id"],
            )
            result.append(
                Shipment(
                    id=row["id"],
                    order_id=row["order_id"],
                    carrier=row["carrier"],
                    tracking_number=row["tracking_number"],
                    method=row["method"],
                    state=ShipmentState(row["state"]),
                    channel_shipment_id=row["channel_shipment_id"],
                    error=row["error"],
                    created_at=parse_db_time(row["created_at"]),
                    attempted_at=parse_db_time(row["attempted_at"]),
                    lines=tuple(
                        ShipmentLine(
                            order_line_id=r["order_line_id"],
                            quantity=r["quantity"],
                            sku=r["sku"],
                            channel_line_id=r["channel_line_id"],
                        )
                        for r in lines
                    ),
                )
            )
        return result


def _not_shippable(sku: str, quantity: int, available: int, lines: Sequence[Row]) -> str:
    """Why `quantity` of `sku` cannot be shipped from these order lines."""
    ordered = sum(r["quantity"] for r in lines if (r["sku"] or "").lower() == sku.lower())
    if not ordered:
        on_order = ", ".join(f"{r['sku']}x{r['quantity']}" for r in lines if r["sku"])
        return f"{sku} is not on the order (its lines: {on_order or 'none with a SKU'})"
    if not available:
        return f"{sku}: {quantity} requested, but all {ordered} ordered are shipped already"
    return f"{sku}: {quantity} requested, only {available} unshipped"
