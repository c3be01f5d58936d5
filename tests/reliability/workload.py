"""The mixed workload between (and during) flxd's runs, drawn from a seeded RNG: price and
quantity changes and new listings in the hub, shoppers' orders on the store, shipments recorded
in the hub. Hub writes go through flxd's own services on the hub file, as the CLI's would."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flxd.hub.catalog import Catalog
from flxd.hub.model import VariantUpdate
from flxd.hub.shipments import ShipmentRequest, record_request
from flxd.store.sqlite import SqliteDatabase
from tests.reliability.sandbox_process import StoreAPI

__all__ = ["Workload"]


class Workload:
    def __init__(
        self,
        rng: random.Random,
        api: StoreAPI,
        *,
        store: str,
        token: str,
        db: Path,
        connection: str,
    ) -> None:
        self.rng = rng
        self.api = api
        self.store = store
        self.token = token
        self.db = db
        self.connection = connection
        self.done: Counter[str] = Counter()
        self.refresh = True
        """Re-read the store's products now and then to shop from (off while the store injects
        faults: only flxd's requests may meet them)."""
        self._buyable: list[tuple[int, int | None]] = []
        self._new = 0

    def _rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with sqlite3.connect(self.db) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, args).fetchall()

    async def step(self, *, busy: bool = False) -> None:
        """One round's worth of everything (`busy`: enough that every run has a dozen or more
        requests to send)."""
        await self.hub_changes(self.rng.randint(4, 10) if busy else self.rng.randint(0, 6))
        await self.place_orders(
            self.rng.randint(3, 5) if busy else self.rng.choice((0, 1, 1, 2, 3))
        )
        await self.ship(self.rng.randint(1, 3) if busy else self.rng.choice((0, 1, 1, 2)))

    async def hub_changes(self, count: int) -> None:
        skus = [r["sku"] for r in self._rows("SELECT sku FROM variants ORDER BY id")]
        updates = []
        for sku in self.rng.sample(skus, min(count, len(skus))):
            price = Decimal(self.rng.randint(100, 30000)) / 100 if self.rng.random() < 0.6 else None
            quantity = (
                self.rng.randint(0, 150) if price is None or self.rng.random() < 0.5 else None
            )
            updates.append(VariantUpdate(sku=sku, price=price, quantity=quantity))
        if self.rng.random() < 0.15:
            self._new += 1
            parent = f"NEW-{self.rng.randrange(16**6):06X}"
            for size in self.rng.sample(("S", "M", "L"), self.rng.randint(1, 2)):
                updates.append(
                    VariantUpdate(
                        sku=f"{parent}-{size}",
                        parent=parent,
                        listing_name=f"New thing {parent}",
                        price=Decimal(self.rng.randint(500, 9000)) / 100,
                        quantity=self.rng.randint(0, 40),
                        options=(("Size", size),),
                    )
                )
            self.done["listings_created"] += 1
        if not updates:
            return
        hub = SqliteDatabase(self.db)
        async with hub, hub.transaction() as tx:
            result = await Catalog(tx, datetime.now(UTC)).upsert(updates)
        self.done["hub_changes"] += result.updated + result.created

    async def refresh_buyable(self) -> None:
        self._buyable = []
        for product in await self.api.products(self.store, self.token):
            if product["availability"] == "disabled":
                continue
            options = [v for v in product.get("variants", []) if v.get("option_values")]
            if options:
                self._buyable += [(product["id"], v["id"]) for v in options]
            else:
                self._buyable.append((product["id"], None))

    async def place_orders(self, count: int) -> None:
        if count and self.refresh and (not self._buyable or self.rng.random() < 0.2):
            await self.refresh_buyable()
        for _ in range(count):
            lines = []
            for product_id, variant_id in self.rng.sample(
                self._buyable, self.rng.randint(1, min(3, len(self._buyable)))
            ):
                line = {"product_id": product_id, "quantity": self.rng.randint(1, 3)}
                if variant_id is not None:
                    line["variant_id"] = variant_id
                lines.append(line)
            await self.api.place_order(self.store, lines)
            self.done["orders_placed"] += 1

    async def ship(self, count: int) -> None:
        open_lines = self._rows(
            "SELECT o.channel_order_id, l.sku, l.quantity - coalesce((SELECT sum(s.quantity) "
            "FROM shipment_lines s JOIN shipments h ON h.id = s.shipment_id "
            "WHERE s.order_line_id = l.id AND h.state <> 'failed'), 0) AS open "
            "FROM order_lines l JOIN orders o ON o.id = l.order_id "
            "WHERE o.connection = ? AND l.sku IS NOT NULL ORDER BY o.id, l.id",
            self.connection,
        )
        by_order: dict[str, list[tuple[str, int]]] = {}
        for r in open_lines:
            if r["open"] > 0:
                by_order.setdefault(r["channel_order_id"], []).append((r["sku"], r["open"]))
        chosen = self.rng.sample(sorted(by_order), min(count, len(by_order)))
        if not chosen:
            return
        hub = SqliteDatabase(self.db)
        async with hub:
            for order_id in chosen:
                lines = by_order[order_id]
                if self.rng.random() < 0.5:
                    items: tuple[tuple[str, int], ...] = ()  # everything left
                else:
                    sku, open_ = self.rng.choice(lines)
                    items = ((sku, self.rng.randint(1, open_)),)
                request = ShipmentRequest(
                    order=order_id,
                    connection=self.connection,
                    carrier=self.rng.choice(("ups", "fedex", "dhl", "Pigeon Post")),
                    tracking_number=f"1Z{self.rng.randrange(16**12):012X}",
                    method="Ground",
                    items=items,
                )
                async with hub.transaction() as tx:
                    await record_request(tx, datetime.now(UTC), request)
                self.done["shipments_recorded"] += 1
