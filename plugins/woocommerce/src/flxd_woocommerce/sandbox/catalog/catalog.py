"""The catalog of one store: products and variations, the SKU and GTIN indexes, and when a
record's ``date_modified`` moves.

``date_modified`` follows what WooCommerce really does, in both behaviours:

- a product saved through the API moves (its data store touches the post on every save), except
  that in ``pessimistic`` a write that changes nothing but stock does not (issue 19427);
- stock taken or given back by orders never moves anything (issue 40060, open);
- a variation moves only when its status or menu order changes: its data store updates the
  post for those fields alone (issues 19427, 19562), so a price, stock or SKU edit leaves its
  ``date_modified`` where it was. The parent product moves with each variation save in
  ``documented`` (a reading of the variable product's sync) and stays put in ``pessimistic``.

Webhook events: ``product.created`` / ``product.updated`` for products and variations (a
variation's payload is the variation seen through ``/products/{id}``), ``product.deleted``
when a product goes to the trash (a forced delete fires nothing: the topic hooks
``wp_trash_post``). Stock changes made by orders fire nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from flxd_woocommerce.sandbox.catalog.records import Product, Variation
from flxd_woocommerce.sandbox.catalog.writes import (
    apply_product,
    apply_variation,
    managed_stock_status,
    sanitize_title,
)
from flxd_woocommerce.sandbox.ids import IdSequence

__all__ = ["Catalog", "Emit"]

Emit = Callable[[str, str, int], None]
_STOCK_FIELDS = frozenset({"stock_quantity", "stock_status", "manage_stock", "backorders"})
_VARIATION_POST_FIELDS = frozenset({"status", "menu_order"})


def _snapshot(item: Product | Variation) -> dict[str, Any]:
    return {
        name: copy.deepcopy(getattr(item, name))
        for name in item.__dataclass_fields__
        if name not in ("modified", "created")
    }


def _changed(before: Mapping[str, Any], item: Product | Variation) -> set[str]:
    after = _snapshot(item)
    return {name for name, value in after.items() if before.get(name) != value}


class Catalog:
    def __init__(self, ids: IdSequence, emit: Emit, *, pessimistic: bool) -> None:
        self.ids = ids
        self.emit = emit
        self.pessimistic = pessimistic
        self.products: dict[int, Product] = {}
        self.variations: dict[int, Variation] = {}

    # ------------------------------------------------------------- lookups

    def product(self, product_id: int) -> Product:
        product = self.products.get(product_id)
        if product is None:
            raise LookupError(f"no product {product_id}")
        return product

    def variation(self, product_id: int, variation_id: int) -> Variation:
        variation = self.variations.get(variation_id)
        if variation is None or variation.product_id != product_id:
            raise LookupError(f"no variation {variation_id} of product {product_id}")
        return variation

    def variations_of(self, product_id: int) -> list[Variation]:
        found = [v for v in self.variations.values() if v.product_id == product_id]
        return sorted(found, key=lambda v: (v.menu_order, v.id))

    def sellables(self) -> Iterator[Product | Variation]:
        yield from self.products.values()
        yield from self.variations.values()

    def sku_owner(self, sku: str, exclude: int) -> int | None:
        """Who holds ``sku`` already (any case: MySQL compares without case), trash excluded."""
        wanted = sku.casefold()
        for item in self.sellables():
            if item.id != exclude and item.sku.casefold() == wanted and not _trashed(item):
                return item.id
        return None

    def gtin_owner(self, gtin: str, exclude: int) -> int | None:
        for item in self.sellables():
            if item.id != exclude and item.global_unique_id == gtin and not _trashed(item):
                return item.id
        return None

    def stock_status_of(self, product: Product) -> str:
        """A variable product's stock status comes from its variations."""
        if product.type != "variable":
            return product.stock_status
        statuses = {v.stock_status for v in self.variations_of(product.id)}
        for status in ("instock", "onbackorder"):
            if status in statuses:
                return status
        return "outofstock"

    # -------------------------------------------------------------- writes

    def _writers(self) -> dict[str, Any]:
        return {
            "sku_owner": self.sku_owner,
            "gtin_owner": self.gtin_owner,
            "next_meta_id": lambda: self.ids.next("meta"),
        }

    def create_product(self, params: Mapping[str, Any], now: datetime) -> Product:
        product = Product(id=0, created=now, modified=now)
        apply_product(product, params, **self._writers())
        product.id = self.ids.next("post")
        if not product.slug:
            product.slug = self._unique_slug(product.name or "product", product.id)
        self.products[product.id] = product
        self.emit("product", "created", product.id)
        return product

    def update_product(self, product: Product, params: Mapping[str, Any], now: datetime) -> Product:
        """Apply ``params`` to a copy, so a refused write (a duplicate SKU) changes nothing."""
        draft = copy.deepcopy(product)
        apply_product(draft, params, **self._writers())
        changed = _changed(_snapshot(product), draft)
        stock_only = bool(changed) and changed <= _STOCK_FIELDS
        if not (self.pessimistic and stock_only):
            draft.modified = now
        self.products[draft.id] = draft
        self.emit("product", "updated", draft.id)
        return draft

    def trash_product(self, product: Product, now: datetime) -> Product:
        if product.status != "trash":
            product.trashed_status, product.status = product.status, "trash"
            product.modified = now
            self.emit("product", "deleted", product.id)
        return product

    def delete_product(self, product: Product) -> Product:
        for variation in self.variations_of(product.id):
            del self.variations[variation.id]
        del self.products[product.id]
        return product

    def create_variation(
        self, parent: Product, params: Mapping[str, Any], now: datetime
    ) -> Variation:
        variation = Variation(id=0, product_id=parent.id, created=now, modified=now)
        apply_variation(variation, parent, params, **self._writers())
        variation.id = self.ids.next("post")
        self.variations[variation.id] = variation
        if not self.pessimistic:
            parent.modified = now
        self.emit("product", "created", variation.id)
        return variation

    def update_variation(
        self, variation: Variation, params: Mapping[str, Any], now: datetime
    ) -> Variation:
        parent = self.product(variation.product_id)
        draft = copy.deepcopy(variation)
        apply_variation(draft, parent, params, **self._writers())
        if _changed(_snapshot(variation), draft) & _VARIATION_POST_FIELDS:
            draft.modified = now
        if not self.pessimistic:
            parent.modified = now
        self.variations[draft.id] = draft
        self.emit("product", "updated", draft.id)
        return draft

    def delete_variation(self, variation: Variation) -> Variation:
        del self.variations[variation.id]
        return variation

    def take_stock(self, item: Product | Variation, quantity: int) -> None:
        """Stock moved by an order (negative gives it back): no date, no webhook."""
        item.total_sales = max(0, item.total_sales + quantity)
        if not item.manage_stock:
            return
        item.stock_quantity = (item.stock_quantity or 0) - quantity
        item.stock_status = managed_stock_status(item)

    def set_stock(self, item: Product | Variation, quantity: int) -> None:
        """Stock set from outside the API (``wc_update_product_stock``): no date, no webhook."""
        item.stock_quantity = quantity
        item.stock_status = managed_stock_status(item)

    def load(self, products: list[Product], variations: list[Variation]) -> None:
        self.products = {p.id: p for p in products}
        self.variations = {v.id: v for v in variations}

    def _unique_slug(self, name: str, product_id: int) -> str:
        base = sanitize_title(name)
        taken = {p.slug for p in self.products.values()}
        slug, counter = base, 2
        while slug in taken:
            slug, counter = f"{base}-{counter}", counter + 1
        return slug


def _trashed(item: Product | Variation) -> bool:
    return isinstance(item, Product) and item.status == "trash"
