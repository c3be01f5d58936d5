"""The traffic a cluster serves while nodes die and stall: shoppers' orders on the stores, price
and stock changes in the hub, shipments recorded in the hub. Hub writes go through flxd's own
services on the shared PostgreSQL schema, as the CLI or admin API of any node would."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from flxd.hub.catalog import Catalog
from flxd.hub.model import VariantUpdate
from flxd.hub.shipments import ShipmentRequest, record_request
from flxd.store import Database
from tests.scaleout.cluster import StoreClient, buyable

__all__ = ["Workload", "seed_catalog"]


def seed_catalog(rng: random.Random, listings: int) -> list[VariantUpdate]:
    """Hub listings every store gets: every other one with size variants."""
    updates: list[VariantUpdate] = []
    for n in range(listings):
        parent = f"ITEM-{n:03d}"
        sizes = ("S", "M", "L")[: rng.randint(2, 3)] if n % 2 else (None,)
        for size in sizes:
            updates.append(
                VariantUpdate(
                    sku=parent if size is None else f"{parent}-{size}",
                    parent=parent,
                    listing_name=f"Thing number {n}",
                    price=Decimal(rng.randint(500, 9000)) / 100,
                    quantity=rng.randint(200, 400),
                    options=None if size is None else (("Size", size),),
                )
            )
    return updates


class Workload:
    def __init__(
        self,
        rng: random.Random,
        hub: Database,
        stores: StoreClient,
        connections: dict[str, tuple[str, str]],
    ) -> None:
        self.rng = rng
        self.hub = hub
        self.stores = stores
        self.connections = connections
        """connection -> (store hash, token)."""
        self.done: Counter[str] = Counter()
        self._carts: dict[str, list[dict[str, int]]] = {}

    async def step(self) -> None:
        """One shopper, and now and then a hub change or a shipment."""
        await self.place_order()
        roll = self.rng.random()
        if roll < 0.35:
            await self.change_hub()
        elif roll < 0.8:
            await self.ship()

    async def place_order(self) -> None:
        connection = self.rng.choice(sorted(self.connections))
        store, token = self.connections[connection]
        if connection not in self._carts:
            items = buyable(await self.stores.products(store, token))
            if not items:
                return  # not published there yet
            self._carts[connection] = items
        choices = self._carts[connection]
        lines = [
            {**item, "quantity": self.rng.randint(1, 2)}
            for item in self.rng.sample(choices, self.rng.randint(1, min(2, len(choices))))
        ]
        await self.stores.place_order(store, lines)
        self.done["orders_placed"] += 1

    async def change_hub(self) -> None:
        async with self.hub.transaction() as tx:
            skus = [r["sku"] for r in await tx.fetch("SELECT sku FROM variants ORDER BY id")]
            updates = []
            for sku in self.rng.sample(skus, min(3, len(skus))):
                if self.rng.random() < 0.5:
                    updates.append(
                        VariantUpdate(sku=sku, price=Decimal(self.rng.randint(500, 9000)) / 100)
                    )
                else:
                    updates.append(VariantUpdate(sku=sku, quantity=self.rng.randint(100, 400)))
            result = await Catalog(tx, datetime.now(UTC)).upsert(updates)
        self.done["hub_changes"] += result.updated

    async def ship(self) -> None:
        """A shipment of a random imported order with something left to ship: everything
        left, or one unit of one line."""
        async with self.hub.transaction() as tx:
            rows = await tx.fetch(
                "SELECT o.connection, o.channel_order_id, l.sku, l.quantity - coalesce(("
                "SELECT sum(s.quantity) FROM shipment_lines s JOIN shipments h "
                "ON h.id = s.shipment_id WHERE s.order_line_id = l.id AND h.state <> 'failed'"
                "), 0) AS open FROM order_lines l JOIN orders o ON o.id = l.order_id "
                "WHERE l.sku IS NOT NULL ORDER BY o.id, l.id"
            )
            open_lines: dict[tuple[str, str], list[str]] = {}
            for r in rows:
                if r["open"] > 0:
                    open_lines.setdefault((r["connection"], r["channel_order_id"]), []).append(
                        r["sku"]
                    )
            if not open_lines:
                return
            (connection, order_id), skus = self.rng.choice(sorted(open_lines.items()))
            partial = self.rng.random() < 0.4
            request = ShipmentRequest(
                order=order_id,
                connection=connection,
                carrier=self.rng.choice(("ups", "fedex", "dhl")),
                tracking_number=f"1Z{self.rng.randrange(16**12):012X}",
                method="Ground",
                items=((self.rng.choice(skus), 1),) if partial else (),
            )
            await record_request(tx, datetime.now(UTC), request)
        self.done["shipments_recorded"] += 1
