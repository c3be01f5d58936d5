"""The end-state checks every reliability scenario ends with, store by store.

The store is read back through its own BigCommerce API; the hub straight from its SQLite file.

- orders: every order the store has is in the hub once, with its lines' quantities, and its
  `order.imported` event was emitted once;
- shipments: every hub shipment is pushed, and each is on the store once (same tracking number,
  same items); the store has no shipment the hub does not know;
- variants: every linked, active hub variant has the hub's price and quantity on the store;
  every active hub listing is on the store;
- the hub database passes SQLite's integrity and foreign-key checks.

On the pessimistic store a price or stock write shows in reads only after its visibility delay
(seconds), so there the variants are read again until they agree or the delay, with a margin,
has passed: what the store shows once its own delays are over, not while they run.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio

from flxd.store.sqlite import SqliteDatabase
from tests.reliability.sandbox_process import StoreAPI

__all__ = ["EndState", "check_store", "integrity"]


@dataclass(slots=True)
class EndState:
    orders_on_store: int = 0
    orders_too_recent: int = 0
    """Orders placed too shortly before the final run for a lagging store to list them."""
    orders_missing: list[str] = field(default_factory=list)
    orders_duplicated: list[str] = field(default_factory=list)
    order_lines_wrong: list[str] = field(default_factory=list)
    order_events_duplicated: list[str] = field(default_factory=list)
    shipments_in_hub: int = 0
    shipments_not_pushed: list[str] = field(default_factory=list)
    shipments_on_store: int = 0
    shipments_duplicated: list[str] = field(default_factory=list)
    shipments_unknown: list[str] = field(default_factory=list)
    variants_checked: int = 0
    variants_differing: list[str] = field(default_factory=list)
    stock_differing: list[str] = field(default_factory=list)
    """Variants whose price agrees but whose stock on the store differs from the hub's."""
    listings_not_on_store: list[str] = field(default_factory=list)
    requests_invalid: list[str] = field(default_factory=list)
    """Requests the store's argument checks refused or flagged (stores that check them)."""

    def problems(self, *, but: tuple[str, ...] = ()) -> list[str]:
        """Every kind of problem found, except the kinds named in `but`."""
        out = []
        for name in (
            "orders_missing",
            "orders_duplicated",
            "order_lines_wrong",
            "order_events_duplicated",
            "shipments_not_pushed",
            "shipments_duplicated",
            "shipments_unknown",
            "variants_differing",
            "stock_differing",
            "listings_not_on_store",
            "requests_invalid",
        ):
            if name in but:
                continue
            found = getattr(self, name)
            if found:
                out.append(f"{len(found)} {name.replace('_', ' ')}: {found[:8]}")
        return out

    def counts(self) -> dict[str, int]:
        return {
            "orders": self.orders_on_store,
            "orders_missing": len(self.orders_missing),
            "orders_too_recent": self.orders_too_recent,
            "orders_duplicated": len(self.orders_duplicated),
            "shipments": self.shipments_on_store,
            "shipments_duplicated": len(self.shipments_duplicated),
            "variants": self.variants_checked,
            "variants_differing": len(self.variants_differing),
            "stock_differing": len(self.stock_differing),
        }


def _rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, args).fetchall()


async def integrity(db: Path) -> list[str]:
    hub = SqliteDatabase(db)
    async with hub:
        return await hub.integrity_check()


SETTLE_S = 5.0 + 3.0
"""The pessimistic sandbox's visibility delay (PessimisticSettings.visibility_delay), and a
margin for a write that landed at the end of the final run."""


async def store_settled(behaviour: str) -> None:
    """Wait until what the store was last told shows in its reads (on the pessimistic store,
    SETTLE_S): a reconciliation pass sooner would read values the store has not shown yet, as
    a daemon's daily pass does not."""
    if behaviour == "pessimistic":
        await anyio.sleep(SETTLE_S)  # the store's own delay; nothing asserted on the time


async def check_store(
    api: StoreAPI,
    store: str,
    token: str,
    db: Path,
    connection: str,
    state: EndState | None = None,
    behaviour: str = "documented",
) -> EndState:
    state = state or EndState()
    await _orders(api, store, token, db, connection, state)
    settle = anyio.current_time() + (SETTLE_S if behaviour == "pessimistic" else 0.0)
    while True:
        variants = EndState()
        await _variants(api, store, token, db, connection, variants)
        differing = variants.variants_differing or variants.stock_differing
        if not differing or anyio.current_time() >= settle:
            break
        await anyio.sleep(0.5)  # the store's own delay, polled; never a figure asserted on
    state.variants_checked += variants.variants_checked
    state.variants_differing += variants.variants_differing
    state.stock_differing += variants.stock_differing
    state.listings_not_on_store += variants.listings_not_on_store
    return state


async def _orders(
    api: StoreAPI, store: str, token: str, db: Path, connection: str, state: EndState
) -> None:
    remote = await api.orders(store, token)
    state.orders_on_store += len(remote)
    hub = _rows(
        db,
        "SELECT o.id, o.channel_order_id, "
        "(SELECT coalesce(sum(quantity), 0) FROM order_lines l WHERE l.order_id = o.id) AS units "
        "FROM orders o WHERE connection = ?",
        connection,
    )
    seen = Counter(r["channel_order_id"] for r in hub)
    state.orders_duplicated += [f"{connection}#{k}" for k, n in seen.items() if n > 1]
    units = {r["channel_order_id"]: r["units"] for r in hub}
    hub_ids = {r["channel_order_id"]: r["id"] for r in hub}
    events = Counter(
        json.loads(r["payload"])["order_id"]
        for r in _rows(db, "SELECT payload FROM outbox WHERE topic = 'order.imported'")
        if json.loads(r["payload"])["connection"] == connection
    )
    state.order_events_duplicated += [f"{connection}#{k}" for k, n in events.items() if n > 1]
    for order in remote:
        key = str(order["id"])
        if key not in units:
            state.orders_missing.append(f"{connection}#{key}")
            continue
        lines = [
            item
            for consignment in order["consignments"].get("shipping") or ()
            for item in consignment["line_items"]
        ]
        expected = sum(int(item["quantity"]) for item in lines)
        if units[key] != expected or events[key] != 1:
            state.order_lines_wrong.append(
                f"{connection}#{key}: {units[key]} units in the hub, {expected} on the store, "
                f"{events[key]} order.imported events"
            )
        await _shipments(api, store, token, db, connection, order, hub_ids[key], state)


async def _shipments(
    api: StoreAPI,
    store: str,
    token: str,
    db: Path,
    connection: str,
    order: dict[str, Any],
    hub_id: int,
    state: EndState,
) -> None:
    hub = _rows(
        db,
        "SELECT s.id, s.tracking_number, s.state, s.channel_shipment_id, s.error, "
        "(SELECT sum(quantity) FROM shipment_lines l WHERE l.shipment_id = s.id) AS units "
        "FROM shipments s WHERE s.order_id = ?",
        hub_id,
    )
    state.shipments_in_hub += len(hub)
    for s in hub:
        if s["state"] != "pushed":
            state.shipments_not_pushed.append(
                f"{connection}#{order['id']} shipment {s['id']}: {s['state']} {s['error'] or ''}"
            )
    if not hub and not order.get("items_shipped"):
        return
    remote = await api.shipments(store, token, int(order["id"]))
    state.shipments_on_store += len(remote)
    by_tracking = Counter(r["tracking_number"] for r in remote)
    known = {s["tracking_number"]: s for s in hub}
    for tracking, n in by_tracking.items():
        if n > 1:
            state.shipments_duplicated.append(f"{connection}#{order['id']} {tracking} x{n}")
        if tracking not in known:
            state.shipments_unknown.append(f"{connection}#{order['id']} {tracking}")
    for r in remote:
        mine = known.get(r["tracking_number"])
        units = sum(int(i["quantity"]) for i in r["items"])
        if mine is not None and (
            mine["units"] != units or mine["channel_shipment_id"] != str(r["id"])
        ):
            state.shipments_duplicated.append(
                f"{connection}#{order['id']} {r['tracking_number']}: store has shipment "
                f"{r['id']} of {units} units, hub says {mine['channel_shipment_id']} of "
                f"{mine['units']}"
            )


def _price(product: dict[str, Any], variant: dict[str, Any] | None) -> Decimal:
    if variant is not None and variant.get("price") is not None:
        return Decimal(str(variant["price"]))
    return Decimal(str(product["price"]))


async def _variants(
    api: StoreAPI, store: str, token: str, db: Path, connection: str, state: EndState
) -> None:
    products = {p["id"]: p for p in await api.products(store, token)}
    skus = {
        (item.get("sku") or "").lower()
        for p in products.values()
        for item in [p, *p.get("variants", [])]
    }
    links = _rows(
        db,
        "SELECT v.sku, v.price, v.quantity, k.product_ref, k.variant_ref, k.stock_ref "
        "FROM links k JOIN variants v ON v.id = k.variant_id "
        "JOIN listings l ON l.id = k.listing_id "
        "WHERE k.connection = ? AND k.state IN ('listed', 'hidden') "
        "AND l.status = 'active' AND l.presence <> 'delisted'",
        connection,
    )
    by_product: dict[int, list[sqlite3.Row]] = {}
    for link in links:
        by_product.setdefault(int(link["product_ref"]), []).append(link)
    for product_id, group in by_product.items():
        product = products.get(product_id)
        if product is None:
            state.variants_differing += [f"{g['sku']}: product {product_id} gone" for g in group]
            continue
        variants = {v["id"]: v for v in product.get("variants", [])}
        tracking = product["inventory_tracking"]
        for link in group:
            state.variants_checked += 1
            variant = variants.get(int(link["variant_ref"])) if link["variant_ref"] else None
            problems = []
            if link["price"] is not None and Decimal(link["price"]) != _price(product, variant):
                problems.append(f"price hub {link['price']} store {_price(product, variant)}")
            stock = ""
            if link["quantity"] is not None and tracking != "product":
                level = (variant if variant is not None else product)["inventory_level"]
                if level != link["quantity"]:
                    stock = f"quantity hub {link['quantity']} store {level}"
            if problems:
                found = ", ".join([*problems, stock] if stock else problems)
                state.variants_differing.append(f"{link['sku']}: {found}")
            elif stock:
                state.stock_differing.append(f"{link['sku']}: {stock}")
        if tracking == "product" and any(g["quantity"] is not None for g in group):
            # Stock kept by the product: the total of its variants in the hub.
            total = sum(g["quantity"] or 0 for g in group)
            if product["inventory_level"] != total:
                state.stock_differing.append(
                    f"product {product_id}: stock hub total {total} store "
                    f"{product['inventory_level']}"
                )
    listings = _rows(
        db,
        "SELECT v.sku FROM variants v JOIN listings l ON l.id = v.listing_id "
        "WHERE l.status = 'active' AND l.presence = 'listed'",
    )
    state.listings_not_on_store += [r["sku"] for r in listings if r["sku"].lower() not in skus]
