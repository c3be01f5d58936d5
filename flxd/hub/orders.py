"""The hub order book: orders stored once per (connection, channel order id), their shipments
(flxd.hub.shipmentbook), and the erasure of customers' personal data after the retention period."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flxd.hub.events import ORDER_IMPORTED, order_imported
from flxd.hub.model import (
    AckState,
    Address,
    Order,
    OrderLine,
)
from flxd.hub.outbox import Outbox
from flxd.hub.shipmentbook import ShipmentBook, ShipmentRejected
from flxd.store import Row, Tx, db_money, db_time, parse_db_money, parse_db_time
from flxd.store.inlists import fetch_in

__all__ = ["OrderBook", "PendingAck", "ShipmentRejected", "StoredOrder"]

_INSERT_ROWS = 100  # orders per INSERT (18 parameters each)
_ORDER_ROW = "(" + ", ".join("?" * 18) + ")"
_PII_ADDRESS_COLUMNS = (
    "name",
    "company",
    "street_1",
    "street_2",
    "city",
    "state",
    "zip",
    "phone",
    "email",
)


@dataclass(frozen=True, slots=True)
class StoredOrder:
    id: int
    created: bool
    """True when this call stored the order; False when it was already in the book."""
    previous_status: str | None = None
    """The status the book had before this call (None when it was just stored)."""
    ack_state: AckState | None = None


@dataclass(frozen=True, slots=True)
class PendingAck:
    """An order still to be acknowledged on its channel, with the status it was imported in."""

    order_id: int
    channel_order_id: str
    status_code: str


class OrderBook(ShipmentBook):
    """Order-book operations inside one transaction (shipments: see ShipmentBook)."""

    def __init__(self, tx: Tx, now: datetime, outbox: Outbox | None = None) -> None:
        super().__init__(tx, now)
        self._outbox = outbox or Outbox(tx, now)
        self.erased = 0
        """Orders whose personal data this transaction erased (see Database.scrub)."""

    async def store(self, order: Order, *, acknowledge: bool = False) -> StoredOrder:
        """Store an order once; a later call for the same order only refreshes its status.
        `acknowledge` marks a newly stored order as waiting for acknowledgement on its channel."""
        [stored] = await self.store_many([order], acknowledge=acknowledge)
        return stored

    async def store_many(
        self, orders: Sequence[Order], *, acknowledge: bool = False
    ) -> list[StoredOrder]:
        """`store` for a page of orders in a handful of statements; results in input order.
        Each order stored for the first time emits `order.imported` (flxd.hub.events), in the
        same transaction: every channel's orders reach sinks in one shape."""
        known: dict[tuple[str, str], tuple[int, str, AckState | None]] = {}
        for connection in {o.connection for o in orders}:
            keys = [o.channel_order_id for o in orders if o.connection == connection]
            rows = await fetch_in(
                self._tx,
                "SELECT id, channel_order_id, status_code, ack_state FROM orders "
                "WHERE connection = ? AND channel_order_id IN",
                keys,
                connection,
            )
            for r in rows:
                state = AckState(r["ack_state"]) if r["ack_state"] else None
                known[(connection, r["channel_order_id"])] = (r["id"], r["status_code"], state)
        new_state = AckState.PENDING if acknowledge else None
        fresh: dict[tuple[str, str], Order] = {}
        for order in orders:
            key = (order.connection, order.channel_order_id)
            if key not in known:
                fresh.setdefault(key, order)
        inserted = await self._insert(list(fresh.values()), new_state)
        results: list[StoredOrder] = []
        updates: list[tuple[str, str | None, str, int]] = []
        for order in orders:
            key = (order.connection, order.channel_order_id)
            if fresh.pop(key, None) is not None:
                order_id = inserted[key]
                results.append(StoredOrder(order_id, True, None, new_state))
                known[key] = (order_id, order.status_code, new_state)
                continue
            order_id, previous, state = known[key]
            updates.append(
                (order.status_code, order.status_name, db_time(order.modified_at), order_id)
            )
            results.append(StoredOrder(order_id, False, previous, state))
            known[key] = (order_id, order.status_code, state)
        await self._insert_lines(
            [(r.id, o) for r, o in zip(results, orders, strict=True) if r.created]
        )
        if updates:
            await self._tx.executemany(
                "UPDATE orders SET status_code = ?, status_name = ?, modified_at = ? WHERE id = ?",
                updates,
            )
        await self._outbox.emit_many(
            [
                (ORDER_IMPORTED, order_imported(order, r.id), order.channel_order_id)
                for r, order in zip(results, orders, strict=True)
                if r.created
            ]
        )
        return results

    async def _insert(
        self, orders: Sequence[Order], ack_state: AckState | None
    ) -> dict[tuple[str, str], int]:
        """Insert new orders, many rows per statement; their ids by (connection, order id)."""
        ids: dict[tuple[str, str], int] = {}
        for chunk in range(0, len(orders), _INSERT_ROWS):
            part = orders[chunk : chunk + _INSERT_ROWS]
            rows = await self._tx.fetch(
                "INSERT INTO orders (connection, channel_order_id, status_code, status_name, "
                "created_at, modified_at, currency, subtotal, shipping_total, tax_total, "
                "discount_total, grand_total, customer_name, customer_email, customer_phone, "
                "billing_address, imported_at, ack_state) VALUES "
                + ", ".join([_ORDER_ROW] * len(part))
                # RETURNING gives rows in no promised order: match them by their key.
                + " RETURNING id, connection, channel_order_id",
                *(value for order in part for value in self._row(order, ack_state)),
            )
            ids.update({(r["connection"], r["channel_order_id"]): int(r["id"]) for r in rows})
        return ids

    def _row(self, order: Order, ack_state: AckState | None) -> tuple[Any, ...]:
        return (
            order.connection,
            order.channel_order_id,
            order.status_code,
            order.status_name,
            db_time(order.created_at),
            db_time(order.modified_at),
            order.currency,
            db_money(order.subtotal),
            db_money(order.shipping_total),
            db_money(order.tax_total),
            db_money(order.discount_total),
            db_money(order.grand_total),
            order.customer_name,
            order.customer_email,
            order.customer_phone,
            None if order.billing_address is None else _address_json(order.billing_address),
            self._now,
            None if ack_state is None else ack_state.value,
        )

    async def _insert_lines(self, created: Sequence[tuple[int, Order]]) -> None:
        """The lines and addresses of newly inserted orders, in one statement each."""
        skus = {line.sku.lower() for _, o in created for line in o.lines if line.sku}
        variant_ids = await self._variant_ids(sorted(skus))
        lines = [
            (
                order_id,
                line.channel_line_id,
                line.channel_address_id,
                line.sku,
                variant_ids.get(line.sku.lower()) if line.sku else None,
                line.name,
                line.quantity,
                db_money(line.unit_price),
                db_money(line.total),
            )
            for order_id, order in created
            for line in order.lines
        ]
        if lines:
            await self._tx.executemany(
                "INSERT INTO order_lines (order_id, channel_line_id, channel_address_id, sku, "
                "variant_id, name, quantity, unit_price, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                lines,
            )
        addresses = [
            (
                order_id,
                a.channel_address_id,
                a.name,
                a.company,
                a.street_1,
                a.street_2,
                a.city,
                a.state,
                a.zip,
                a.country,
                a.country_code,
                a.phone,
                a.email,
                a.shipping_method,
            )
            for order_id, order in created
            for a in order.addresses
        ]
        if addresses:
            await self._tx.executemany(
                "INSERT INTO order_addresses (order_id, channel_address_id, name, company, "
                "street_1, street_2, city, state, zip, country, country_code, phone, email, "
                "shipping_method) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                addresses,
            )

    async def _variant_ids(self, keys: list[str]) -> dict[str, int]:
        rows = await fetch_in(self._tx, "SELECT sku_key, id FROM variants WHERE sku_key IN", keys)
        return {r["sku_key"]: r["id"] for r in rows}

    async def get(self, connection: str, channel_order_id: str) -> Order | None:
        row = await self._tx.fetchrow(
            "SELECT * FROM orders WHERE connection = ? AND channel_order_id = ?",
            connection,
            channel_order_id,
        )
        return None if row is None else await self._order(row)

    async def get_by_id(self, order_id: int) -> Order | None:
        row = await self._tx.fetchrow("SELECT * FROM orders WHERE id = ?", order_id)
        return None if row is None else await self._order(row)

    async def orders(
        self, *, connection: str | None = None, after_id: int = 0, limit: int = 100
    ) -> list[Order]:
        sql, args = "SELECT * FROM orders WHERE id > ?", [after_id]
        if connection is not None:
            sql += " AND connection = ?"
            args.append(connection)  # type: ignore[arg-type]
        rows = await self._tx.fetch(sql + " ORDER BY id LIMIT ?", *args, limit)
        return [await self._order(r) for r in rows]

    async def mark_acknowledged(
        self, order_id: int, note: str | None = None, *, state: AckState = AckState.DONE
    ) -> None:
        """Settle an order's acknowledgement: done, or given up (conflict, failed) with why."""
        await self.mark_acknowledged_many([(order_id, note, state)])

    async def mark_acknowledged_many(
        self, settled: Sequence[tuple[int, str | None, AckState]]
    ) -> None:
        """`mark_acknowledged` for many (order id, note, state) in one statement."""
        await self._tx.executemany(
            "UPDATE orders SET acknowledged_at = ?, ack_note = ?, ack_state = ? WHERE id = ?",
            [(self._now, note, state.value, order_id) for order_id, note, state in settled],
        )

    async def pending_acknowledgements(
        self, connection: str, *, after_id: int = 0, limit: int = 250
    ) -> list[PendingAck]:
        """Orders stored with `acknowledge=True` whose acknowledgement is not settled yet."""
        rows = await self._tx.fetch(
            "SELECT id, channel_order_id, status_code FROM orders WHERE connection = ? "
            "AND ack_state = 'pending' AND id > ? ORDER BY id LIMIT ?",
            connection,
            after_id,
            limit,
        )
        return [PendingAck(r["id"], r["channel_order_id"], r["status_code"]) for r in rows]

    async def set_status(self, order_id: int, status_code: str, status_name: str | None) -> None:
        """The order's current status on its channel (e.g. Shipped after a shipment)."""
        await self.set_statuses([(order_id, status_code, status_name)])

    async def set_statuses(self, rows: Sequence[tuple[int, str, str | None]]) -> None:
        """`set_status` for many (order id, status code, status name) in one statement."""
        await self._tx.executemany(
            "UPDATE orders SET status_code = ?, status_name = ? WHERE id = ?",
            [(code, name, order_id) for order_id, code, name in rows],
        )

    # ---- personal data -------------------------------------------------------------------

    async def erase_personal_data(self, connection: str, imported_before: datetime) -> int:
        """Erase customer names, emails, phones and addresses of orders imported before the
        cutoff; orders keep totals, SKUs and status. Returns the number of orders erased."""
        cutoff = db_time(imported_before)
        ids = [
            r["id"]
            for r in await self._tx.fetch(
                "SELECT id FROM orders WHERE connection = ? AND imported_at < ? "
                "AND pii_erased_at IS NULL",
                connection,
                cutoff,
            )
        ]
        if not ids:
            return 0
        await self._tx.executemany(
            "UPDATE orders SET customer_name = NULL, customer_email = NULL, customer_phone = NULL, "
            "billing_address = NULL, pii_erased_at = ? WHERE id = ?",
            [(self._now, i) for i in ids],
        )
        blank = ", ".join(f"{c} = NULL" for c in _PII_ADDRESS_COLUMNS)
        await self._tx.executemany(
            f"UPDATE order_addresses SET {blank} WHERE order_id = ?", [(i,) for i in ids]
        )
        self.erased += len(ids)
        return len(ids)

    async def _order(self, row: Row) -> Order:
        lines = await self._tx.fetch(
            "SELECT * FROM order_lines WHERE order_id = ? ORDER BY id", row["id"]
        )
        addresses = await self._tx.fetch(
            "SELECT * FROM order_addresses WHERE order_id = ? ORDER BY id", row["id"]
        )
        billing = json.loads(row["billing_address"]) if row["billing_address"] else None
        return Order(
            id=row["id"],
            connection=row["connection"],
            channel_order_id=row["channel_order_id"],
            status_code=row["status_code"],
            status_name=row["status_name"],
            created_at=_time(row["created_at"]),
            modified_at=_time(row["modified_at"]),
            currency=row["currency"],
            subtotal=parse_db_money(row["subtotal"]),
            shipping_total=parse_db_money(row["shipping_total"]),
            tax_total=parse_db_money(row["tax_total"]),
            discount_total=parse_db_money(row["discount_total"]),
            grand_total=Decimal(row["grand_total"]),
            customer_name=row["customer_name"],
            customer_email=row["customer_email"],
            customer_phone=row["customer_phone"],
            billing_address=Address(**billing) if billing else None,
            imported_at=parse_db_time(row["imported_at"]),
            acknowledged_at=parse_db_time(row["acknowledged_at"]),
            ack_state=AckState(row["ack_state"]) if row["ack_state"] else None,
            ack_note=row["ack_note"],
            pii_erased_at=parse_db_time(row["pii_erased_at"]),
            lines=tuple(
                OrderLine(
                    id=r["id"],
                    channel_line_id=r["channel_line_id"],
                    sku=r["sku"],
                    name=r["name"],
                    quantity=r["quantity"],
                    unit_price=parse_db_money(r["unit_price"]),
                    total=parse_db_money(r["total"]),
                    channel_address_id=r["channel_address_id"],
                )
                for r in lines
            ),
            addresses=tuple(
                Address(**{k: r[k] for k in Address.__dataclass_fields__}) for r in addresses
            ),
        )


def _address_json(address: Address) -> str:
    # Not dataclasses.asdict: it deep-copies every value, which shows on bulk imports.
    return json.dumps({name: getattr(address, name) for name in Address.__dataclass_fields__})


def _time(text: str) -> datetime:
    moment = parse_db_time(text)
    assert moment is not None
    return moment
