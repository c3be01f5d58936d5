"""The end state a cluster must reach, store by store, whatever happened to its nodes:

- every order on the store is in the hub exactly once, with one `order.imported` event;
- every hub shipment is pushed and on the store exactly once (same tracking number, same
  units), and the store has no shipment the hub does not know;
- every linked hub variant has the hub's price and quantity on the store.

The hub is read from PostgreSQL, the stores through their own BigCommerce API.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flxd.store import Database
from tests.scaleout.cluster import StoreClient

__all__ = ["EndState", "check"]


@dataclass(slots=True)
class EndState:
    orders: int = 0
    shipments: int = 0
    variants: int = 0
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0
    """Orders imported twice, events emitted twice, shipments created twice."""
    lost: int = 0
    """Orders not imported, shipments not pushed, prices or stock not on the store."""

    def add(self, kind: str, problem: str) -> None:
        self.problems.append(problem)
        if kind == "duplicate":
            self.duplicates += 1
        else:
            self.lost += 1


async def check(
    hub: Database, stores: StoreClient, connections: dict[str, tuple[str, str]]
) -> EndState:
    state = EndState()
    async with hub.transaction() as tx:
        orders = await tx.fetch(
            "SELECT id, connection, channel_order_id, "
            "(SELECT coalesce(sum(quantity), 0) FROM order_lines l WHERE l.order_id = o.id) "
            "AS units FROM orders o"
        )
        events = Counter(
            (p["connection"], str(p["order_id"]))
            for p in (
                json.loads(r["payload"])
                for r in await tx.fetch("SELECT payload FROM outbox WHERE topic = 'order.imported'")
            )
        )
        shipments = await tx.fetch(
            "SELECT s.order_id, s.tracking_number, s.state, s.channel_shipment_id, "
            "(SELECT sum(quantity) FROM shipment_lines l WHERE l.shipment_id = s.id) AS units "
            "FROM shipments s"
        )
        links = await tx.fetch(
            "SELECT k.connection, v.sku, v.price, v.quantity, k.product_ref, k.variant_ref "
            "FROM links k JOIN variants v ON v.id = k.variant_id "
            "WHERE k.state = 'listed'"
        )
    by_order: dict[int, list[Any]] = {}
    for s in shipments:
        by_order.setdefault(s["order_id"], []).append(s)
    for connection, (store, token) in sorted(connections.items()):
        mine = [o for o in orders if o["connection"] == connection]
        await _orders(state, stores, store, token, connection, mine, events, by_order)
        await _variants(
            state, stores, store, token, [k for k in links if k["connection"] == connection]
        )
    return state


async def _orders(
    state: EndState,
    stores: StoreClient,
    store: str,
    token: str,
    connection: str,
    hub: list[Any],
    events: Counter[tuple[str, str]],
    shipments: dict[int, list[Any]],
) -> None:
    remote = await stores.v2_all(store, token, "/v2/orders", sort="id:asc")
    state.orders += len(remote)
    seen = Counter(o["channel_order_id"] for o in hub)
    for key, n in seen.items():
        if n > 1:
            state.add("duplicate", f"{connection}#{key} imported {n} times")
    hub_ids = {o["channel_order_id"]: o["id"] for o in hub}
    for order in remote:
        key = str(order["id"])
        if key not in hub_ids:
            state.add("lost", f"{connection}#{key} not imported")
            continue
        if events[(connection, key)] != 1:
            state.add("duplicate", f"{connection}#{key}: {events[(connection, key)]} events")
        mine = shipments.get(hub_ids[key], [])
        state.shipments += len(mine)
        for s in mine:
            if s["state"] != "pushed":
                state.add(
                    "lost", f"{connection}#{key} shipment {s['tracking_number']} {s['state']}"
                )
        if not mine and not order.get("items_shipped"):
            continue
        there = await stores.v2_all(store, token, f"/v2/orders/{key}/shipments")
        known = {s["tracking_number"]: s for s in mine}
        for tracking, n in Counter(r["tracking_number"] for r in there).items():
            if n > 1:
                state.add("duplicate", f"{connection}#{key} shipment {tracking} x{n}")
            if tracking not in known:
                state.add("duplicate", f"{connection}#{key} shipment {tracking} unknown to the hub")
        for r in there:
            units = sum(int(i["quantity"]) for i in r["items"])
            ours = known.get(r["tracking_number"])
            if ours is not None and ours["units"] != units:
                state.add("lost", f"{connection}#{key} {r['tracking_number']}: {units} units")


async def _variants(
    state: EndState, stores: StoreClient, store: str, token: str, links: list[Any]
) -> None:
    products = {p["id"]: p for p in await stores.products(store, token)}
    for link in links:
        state.variants += 1
        product = products.get(int(link["product_ref"]))
        if product is None:
            state.add("lost", f"{link['sku']}: product {link['product_ref']} not on {store}")
            continue
        variants = {v["id"]: v for v in product.get("variants", [])}
        item = variants.get(int(link["variant_ref"])) if link["variant_ref"] else None
        price = Decimal(str((item or product).get("price") or product["price"]))
        if link["price"] is not None and Decimal(link["price"]) != price:
            state.add("lost", f"{store} {link['sku']}: price {price}, hub {link['price']}")
        if product["inventory_tracking"] == "product":
            continue  # kept by the product: the total of its variants, checked below
        level = (item if item is not None else product)["inventory_level"]
        if link["quantity"] is not None and level != link["quantity"]:
            state.add("lost", f"{store} {link['sku']}: stock {level}, hub {link['quantity']}")
    totals: dict[int, int] = {}
    for link in links:
        product = products.get(int(link["product_ref"]))
        if product is not None and product["inventory_tracking"] == "product":
            totals[product["id"]] = totals.get(product["id"], 0) + (link["quantity"] or 0)
    for product_id, total in totals.items():
        if products[product_id]["inventory_level"] != total:
            state.add("lost", f"{store} product {product_id}: stock, hub total {total}")
