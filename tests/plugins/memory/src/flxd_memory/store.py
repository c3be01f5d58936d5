"""The memory store's data and rules: products with variants, orders with shipments, one access
token, and the faults a test can turn on. No HTTP here: flxd_memory.server serves it.

Stores live in this process by name (`stores`), so a test and the channel it drives see the
same one; with a state file, a store is loaded from it and saved after every write.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["MemoryOrder", "MemoryProduct", "MemoryStore", "MemoryVariant", "StoreError", "stores"]

MAX_BATCH = 50
"""Items in one batch write (more is a 413)."""


class StoreError(Exception):
    """An answer other than success: the server sends `status` with `{"error": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class MemoryVariant:
    id: int
    sku: str
    price: str | None
    quantity: int | None


@dataclass
class MemoryProduct:
    id: int
    name: str
    modified: int
    """The store's change counter when the product last changed (what listings page by)."""
    available: bool = True
    variants: list[MemoryVariant] = field(default_factory=list)


@dataclass
class MemoryOrder:
    id: int
    status: str
    modified: int
    created: str
    """ISO-8601 UTC, when the shopper placed it."""
    customer: str
    email: str
    lines: list[dict[str, Any]] = field(default_factory=list)  # {id, sku, quantity, price}
    shipments: list[dict[str, Any]] = field(default_factory=list)  # {id, ref, tracking, items}


@dataclass
class MemoryStore:
    token: str = "memory-token"
    products: dict[int, MemoryProduct] = field(default_factory=dict)
    orders: dict[int, MemoryOrder] = field(default_factory=dict)
    clock: int = 0
    next_id: int = 1
    path: Path | None = None
    # What a test turns on (never saved):
    revoked: bool = False
    fail_next: list[str] = field(default_factory=list)
    """Faults for the next requests, in order: "transient" (503), "permanent" (400), "auth"."""
    page_delay: float = 0.0
    """Seconds the store takes to answer a page (slow stores, for shutdown tests)."""
    page_cap: int | None = None
    """Serve at most this many items a page, whatever `limit` asks: short pages before the
    last (only the end marker, `next: null`, says a list is done)."""
    fail_after_pages: int | None = None
    """Serve this many list pages more, then refuse the next list request once (a 400)."""
    refused_skus: set[str] = field(default_factory=set)
    """Batch writes to these variants (lower-case SKUs) are refused, item by item (a 207)."""
    failing_skus: set[str] = field(default_factory=set)
    """Batch writes to these variants (lower-case SKUs) fail inside the batch with a 500 (the
    store's own trouble: the channel sends them again)."""
    writes: int = 0
    """Write requests answered so far (what a dry run must leave at zero)."""

    # ---- requests ------------------------------------------------------------------------

    def authorize(self, header: str | None) -> None:
        """Every request: injected faults first, then the token."""
        if self.fail_next:
            kind = self.fail_next.pop(0)
            status = {"transient": 503, "auth": 401}.get(kind, 400)
            message = {"transient": "injected outage", "auth": "injected 401"}
            raise StoreError(status, message.get(kind, "injected failure"))
        if self.revoked or header != f"Bearer {self.token}":
            raise StoreError(401, "token rejected")

    def page(self, items: list[Any], after: int, limit: int) -> tuple[list[Any], int | None]:
        """One page of `items` (sorted by `modified`) after position `after`, and the position
        of the next page (None: this is the last)."""
        if self.fail_after_pages is not None:
            if self.fail_after_pages == 0:
                self.fail_after_pages = None
                raise StoreError(400, "injected failure between pages")
            self.fail_after_pages -= 1
        rest = [item for item in items if item.modified > after]
        size = min(limit, self.page_cap or limit)
        served = rest[:size]
        return served, (served[-1].modified if len(rest) > size else None)

    def products_by_modified(self, sku: str | None = None) -> list[MemoryProduct]:
        found = sorted(self.products.values(), key=lambda p: p.modified)
        if sku is not None:
            found = [p for p in found if any(v.sku.lower() == sku.lower() for v in p.variants)]
        return found

    def orders_by_modified(
        self, statuses: set[str], created_after: str | None
    ) -> list[MemoryOrder]:
        found = sorted(self.orders.values(), key=lambda o: o.modified)
        return [
            o
            for o in found
            if o.status in statuses and (created_after is None or o.created >= created_after)
        ]

    # ---- writes --------------------------------------------------------------------------

    def create_product(self, name: str, variants: list[dict[str, Any]]) -> MemoryProduct:
        for v in variants:
            if self.variant(str(v["sku"])) is not None:
                raise StoreError(409, f"SKU {v['sku']} is taken")
        product = MemoryProduct(self.new_id(), name, self.tick())
        product.variants = [
            MemoryVariant(self.new_id(), str(v["sku"]), v.get("price"), v.get("quantity"))
            for v in variants
        ]
        self.products[product.id] = product
        return product

    def apply(self, item: dict[str, Any]) -> dict[str, Any]:
        """One item of a batch write; its result (status 200, 404 or 422, and why)."""
        if "variant" in item:
            found = self._variant_by_id(item["variant"])
            if found is None:
                return {"status": 404, "error": "no such variant"}
            product, variant = found
            if variant.sku.lower() in self.refused_skus:
                return {"status": 422, "error": f"variant {variant.id} does not take writes"}
            if variant.sku.lower() in self.failing_skus:
                return {"status": 500, "error": "could not save the variant"}
            variant.price = item.get("price", variant.price)
            variant.quantity = item.get("quantity", variant.quantity)
        else:
            product_or_none = self.products.get(item.get("product", -1))
            if product_or_none is None:
                return {"status": 404, "error": "no such product"}
            product = product_or_none
            if item.get("delete"):
                del self.products[product.id]
                return {"status": 200}
            product.available = bool(item.get("available", product.available))
        product.modified = self.tick()
        return {"status": 200}

    def add_shipment(self, order_id: int, body: dict[str, Any]) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise StoreError(404, f"no order {order_id}")
        shipment = {"id": self.new_id(), **body}
        order.shipments.append(shipment)
        order.status = "shipped"
        order.modified = self.tick()
        return shipment

    # ---- what a test does ------------------------------------------------------------------

    def seed(self, products: int, orders: int) -> None:
        for n in range(products):
            product = MemoryProduct(self.new_id(), f"Product {n}", self.tick())
            product.variants = [
                MemoryVariant(self.new_id(), f"MEM-{n:04d}-{v}", f"{10 + n}.{v}0", 5 + v)
                for v in range(1 + n % 3)
            ]
            self.products[product.id] = product
        for _ in range(orders):
            self.place_order([("MEM-0000-0", 1)])

    def place_order(
        self, items: list[tuple[str, int]], status: str = "awaiting_fulfillment"
    ) -> int:
        """A shopper checks out; the new order's id."""
        order = MemoryOrder(
            self.new_id(),
            status,
            self.tick(),
            datetime.now(UTC).isoformat(),
            "Ada Lovelace",
            "ada@example.com",
        )
        for sku, quantity in items:
            found = self.variant(sku)
            price = found[1].price if found and found[1].price else "10.00"
            order.lines.append(
                {"id": self.new_id(), "sku": sku, "quantity": quantity, "price": price}
            )
        self.orders[order.id] = order
        self.save()
        return order.id

    def variant(self, sku: str) -> tuple[MemoryProduct, MemoryVariant] | None:
        for product in self.products.values():
            for variant in product.variants:
                if variant.sku.lower() == sku.lower():
                    return product, variant
        return None

    def _variant_by_id(self, variant_id: int) -> tuple[MemoryProduct, MemoryVariant] | None:
        for product in self.products.values():
            for variant in product.variants:
                if variant.id == variant_id:
                    return product, variant
        return None

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    # ---- the state file ----------------------------------------------------------------------

    def save(self) -> None:
        if self.path is None:
            return
        data = {k: v for k, v in asdict(self).items() if k in _SAVED}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self.path)

    @classmethod
    def load(cls, path: Path) -> MemoryStore:
        raw = json.loads(path.read_text())
        store = cls(token=raw["token"], clock=raw["clock"], next_id=raw["next_id"], path=path)
        for p in raw["products"].values():
            variants = [MemoryVariant(**v) for v in p.pop("variants")]
            store.products[p["id"]] = MemoryProduct(**p, variants=variants)
        store.orders = {o["id"]: MemoryOrder(**o) for o in raw["orders"].values()}
        return store


_SAVED = ("token", "products", "orders", "clock", "next_id")
_lock = threading.Lock()
stores: dict[str, MemoryStore] = {}
"""In-process stores by name, so a test and the channel it drives see the same one."""


def get_store(
    name: str, *, state_file: Path | None, seed_products: int, seed_orders: int, page_delay: float
) -> MemoryStore:
    """The store called `name`, made on first use (from its state file, or seeded)."""
    with _lock:
        if name in stores:
            return stores[name]
        if state_file is not None and state_file.exists():
            store = MemoryStore.load(state_file)
        else:
            store = MemoryStore(path=state_file)
            store.seed(seed_products, seed_orders)
            store.save()
        store.page_delay = page_delay
        stores[name] = store
        return store
