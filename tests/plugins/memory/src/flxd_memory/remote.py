"""The pretend remote store: products with variants, orders, shipments, one access token."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["RemoteOrder", "RemoteProduct", "RemoteStore", "RemoteVariant", "stores"]


@dataclass
class RemoteVariant:
    id: int
    sku: str
    price: str | None
    quantity: int | None


@dataclass
class RemoteProduct:
    id: int
    name: str
    modified: int
    available: bool = True
    variants: list[RemoteVariant] = field(default_factory=list)


@dataclass
class RemoteOrder:
    id: int
    status: str
    modified: int
    customer: str
    email: str
    lines: list[dict[str, Any]] = field(default_factory=list)  # {id, sku, quantity, price}
    shipments: list[dict[str, Any]] = field(default_factory=list)  # {id, ref, items, tracking}


@dataclass
class RemoteStore:
    token: str = "memory-token"
    products: dict[int, RemoteProduct] = field(default_factory=dict)
    orders: dict[int, RemoteOrder] = field(default_factory=dict)
    clock: int = 0
    next_id: int = 1
    revoked: bool = False
    fail_next: list[str] = field(default_factory=list)  # "transient" | "permanent" | "auth"
    path: Path | None = None

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def seed(self, products: int, orders: int) -> None:
        for n in range(products):
            variants = [
                RemoteVariant(self.new_id(), f"MEM-{n:04d}-{v}", f"{10 + n}.{v}0", 5 + v)
                for v in range(1 + n % 3)
            ]
            pid = self.new_id()
            self.products[pid] = RemoteProduct(pid, f"Product {n}", self.tick(), True, variants)
        for _ in range(orders):
            self.place_order([(f"MEM-{0:04d}-0", 1)])

    def place_order(
        self, items: list[tuple[str, int]], status: str = "awaiting_fulfillment"
    ) -> int:
        oid = self.new_id()
        self.orders[oid] = RemoteOrder(
            oid,
            status,
            self.tick(),
            "Ada Lovelace",
            "ada@example.com",
            [
                {"id": self.new_id(), "sku": sku, "quantity": qty, "price": "10.00"}
                for sku, qty in items
            ],
        )
        self.save()
        return oid

    def variant(self, sku: str) -> tuple[RemoteProduct, RemoteVariant] | None:
        for product in self.products.values():
            for variant in product.variants:
                if variant.sku.lower() == sku.lower():
                    return product, variant
        return None

    def save(self) -> None:
        if self.path is None:
            return
        data = asdict(self)
        data.pop("path")
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, default=str))
        tmp.replace(self.path)

    @classmethod
    def load(cls, path: Path) -> RemoteStore:
        raw = json.loads(path.read_text())
        store = cls(**{k: v for k, v in raw.items() if k not in ("products", "orders")})
        store.products = {
            int(k): RemoteProduct(**{**p, "variants": [RemoteVariant(**v) for v in p["variants"]]})
            for k, p in raw["products"].items()
        }
        store.orders = {int(k): RemoteOrder(**o) for k, o in raw["orders"].items()}
        store.path = path
        return store


_lock = threading.Lock()
stores: dict[str, RemoteStore] = {}
"""In-process stores by name, so a test and the channel it drives see the same one."""


def get_store(
    name: str, *, state_file: Path | None, seed_products: int, seed_orders: int
) -> RemoteStore:
    with _lock:
        if name in stores:
            return stores[name]
        if state_file is not None and state_file.exists():
            store = RemoteStore.load(state_file)
        else:
            store = RemoteStore(path=state_file)
            store.seed(seed_products, seed_orders)
            store.save()
        stores[name] = store
        return store


def money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")
