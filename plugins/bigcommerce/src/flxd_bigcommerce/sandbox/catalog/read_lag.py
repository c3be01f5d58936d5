"""Stock and price writes that reads see late: the pessimistic ``visibility_delay``.

BigCommerce's Inventory API is asynchronous ("there may be a short delay before data is
updated", API.md §8 and §13), and Catalog stock writes go through it. The pessimistic
behaviour stretches that to prices as well: the catalog keeps the true records (writes, their
answers and checkout use them), and this keeps, per product or variant, the values that reads
(listings, gets, filters, inventory items) show until each write's moment has passed on the
sandbox clock. Writes show in the order they were made.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from flxd_bigcommerce.sandbox.catalog.records import Product, Variant

__all__ = ["LAGGING_FIELDS", "ReadLag"]

# Stock and the price fields; calculated_price follows from them.
LAGGING_FIELDS = (
    "price",
    "sale_price",
    "retail_price",
    "map_price",
    "cost_price",
    "inventory_level",
)

Key = tuple[str, int]  # ("product" | "variant", record id)
R = TypeVar("R", Product, Variant)


@dataclass(slots=True)
class _Lagging:
    product_id: int
    # The values reads show instead of the record's own, field by field.
    shown: dict[str, Any] = field(default_factory=dict)
    # Writes not visible yet, in the order they were made: (due, {field: written value}).
    pending: deque[tuple[float, dict[str, Any]]] = field(default_factory=deque)


class ReadLag:
    """What reads of one catalog show while stock and price writes propagate."""

    def __init__(self) -> None:
        self._lagging: dict[Key, _Lagging] = {}
        self._due: list[tuple[float, int, Key]] = []
        self._order = itertools.count()

    def __bool__(self) -> bool:
        return bool(self._lagging)

    def record(self, key: Key, product_id: int, old: R, new: R, due: float) -> None:
        """Note a write from ``old`` to ``new``; reads keep showing the old stock and prices
        until the clock reaches ``due``."""
        written = {
            name: getattr(new, name)
            for name in LAGGING_FIELDS
            if getattr(old, name) != getattr(new, name)
        }
        if not written:
            return
        entry = self._lagging.setdefault(key, _Lagging(product_id))
        for name in written:
            entry.shown.setdefault(name, getattr(old, name))
        entry.pending.append((due, written))
        heapq.heappush(self._due, (due, next(self._order), key))

    def settle(self, now: float) -> set[int]:
        """Let every write due by ``now`` show; returns the products whose reads changed."""
        changed: set[int] = set()
        while self._due and self._due[0][0] <= now:
            _, _, key = heapq.heappop(self._due)
            entry = self._lagging.get(key)
            if entry is None:
                continue
            while entry.pending and entry.pending[0][0] <= now:
                _, written = entry.pending.popleft()
                for name, value in written.items():
                    if any(name in later for _, later in entry.pending):
                        entry.shown[name] = value
                    else:
                        entry.shown.pop(name, None)  # reads see the record's own value again
                changed.add(entry.product_id)
            if not entry.pending:
                del self._lagging[key]
        return changed

    def seen(self, key: Key, record: R) -> R:
        """The record as reads see it now."""
        entry = self._lagging.get(key)
        if entry is None or not entry.shown:
            return record
        return replace(record, **entry.shown)

    def lagging(self, product_id: int) -> bool:
        """Whether reads of this product (or one of its variants) differ from the truth."""
        return any(e.product_id == product_id for e in self._lagging.values())

    def forget(self, key: Key) -> None:
        """The record is gone; nothing is left to show late."""
        self._lagging.pop(key, None)
