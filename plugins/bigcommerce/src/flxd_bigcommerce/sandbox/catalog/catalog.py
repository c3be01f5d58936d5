"""One store's catalog: the records, the indexes that enforce BigCommerce's uniqueness rules, and
the bookkeeping every change goes through (``date_modified``, the JSON cache, webhook events,
and -- under the pessimistic behaviour -- stock and prices that reads see late).

Operations that BigCommerce exposes live beside this module (``products``, ``variants``,
``options``, ``custom_fields``, ``inventory``); they change records only through the methods here,
so indexes and caches cannot drift.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from flxd_bigcommerce.sandbox.behaviour import Behaviour, PessimisticSettings
from flxd_bigcommerce.sandbox.catalog.read_lag import ReadLag
from flxd_bigcommerce.sandbox.catalog.records import CustomField, Option, Product, Variant
from flxd_bigcommerce.sandbox.clock import SandboxClock
from flxd_bigcommerce.sandbox.dates import whole_seconds
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.events import EventSink
from flxd_bigcommerce.sandbox.ids import IdSequence

__all__ = ["Catalog"]

_Owner = tuple[int, int | None]  # (product id, variant id or None for the product-level SKU)


class Catalog:
    """Products, variants, options and custom fields of one store."""

    def __init__(
        self,
        clock: SandboxClock,
        emit: EventSink,
        ids: IdSequence,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.clock = clock
        self.emit = emit
        self.ids = ids
        self.behaviour = behaviour or Behaviour("documented", PessimisticSettings())
        # While True (seeding, loading) writes are visible at once.
        self.muted = False
        self.read_lag = ReadLag()
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self.options: dict[int, Option] = {}
        self.custom_fields: dict[int, CustomField] = {}
        self._product_ids: list[int] = []  # sorted: the default listing order, sliced per page
        self._variants_of: dict[int, list[int]] = {}
        self._options_of: dict[int, list[int]] = {}
        self._fields_of: dict[int, list[int]] = {}
        self._skus: dict[str, set[_Owner]] = {}
        self._names: dict[str, int] = {}
        # Serialized JSON per product id, filled by the serializer and dropped on any change.
        self.json_cache: dict[int, Any] = {}

    # ----------------------------------------------------------------- reads

    def product(self, product_id: int) -> Product:
        found = self.products.get(product_id)
        if found is None:
            raise ApiError.not_found("Product")
        return found

    def variant(self, variant_id: int, product_id: int | None = None) -> Variant:
        found = self.variants.get(variant_id)
        if found is None or (product_id is not None and found.product_id != product_id):
            raise ApiError.not_found("Variant")
        return found

    def product_ids(self) -> list[int]:
        """Product ids in ascending order (do not mutate)."""
        return self._product_ids

    def variants_of(self, product_id: int) -> Iterator[Variant]:
        return (self.variants[v] for v in self._variants_of.get(product_id, ()))

    def options_of(self, product_id: int) -> Iterator[Option]:
        return (self.options[o] for o in self._options_of.get(product_id, ()))

    def fields_of(self, product_id: int) -> Iterator[CustomField]:
        return (self.custom_fields[f] for f in self._fields_of.get(product_id, ()))

    def product_inventory(self, product: Product) -> int:
        """What the catalog reports as the product's level: the sum of its variants when
        tracked by variant, else its own level."""
        if product.inventory_tracking == "variant":
            return sum(v.inventory_level for v in self.variants_of(product.id))
        return product.inventory_level

    def owner_of_sku(self, sku: str) -> set[tuple[int, int | None]]:
        return set(self._skus.get(sku.casefold(), ()))

    # ------------------------------------------------------ what reads see

    def settle(self) -> None:
        """Let stock and price writes whose visibility delay has passed show in reads."""
        if self.read_lag:
            for product_id in self.read_lag.settle(self.clock.monotonic()):
                self.json_cache.pop(product_id, None)

    def seen_product(self, product: Product) -> Product:
        """The product as reads show it (stock and prices may lag behind writes)."""
        return self.read_lag.seen(("product", product.id), product) if self.read_lag else product

    def seen_variant(self, variant: Variant) -> Variant:
        return self.read_lag.seen(("variant", variant.id), variant) if self.read_lag else variant

    def seen_inventory(self, product: Product) -> int:
        """:meth:`product_inventory` as reads show it."""
        if not self.read_lag:
            return self.product_inventory(product)
        if product.inventory_tracking == "variant":
            return sum(self.seen_variant(v).inventory_level for v in self.variants_of(product.id))
        return self.seen_product(product).inventory_level

    def lagging(self, product_id: int) -> bool:
        """Whether reads of the product differ from what was written."""
        return bool(self.read_lag) and self.read_lag.lagging(product_id)

    # ------------------------------------------------------- date_modified

    def stamps(self, *, product_field: bool) -> bool:
        """Whether a write moves the product's ``date_modified``: always when documented;
        under the pessimistic ``date_modified_on_product_fields_only`` only when it wrote a
        product-level field other than stock (not variants, stock, options, custom fields)."""
        return product_field or not self.behaviour.active.date_modified_on_product_fields_only

    def _lag(self, key: tuple[str, int], product_id: int, old: Any, new: Any) -> None:
        delay = self.behaviour.active.visibility_delay
        if delay > 0 and not self.muted:
            self.read_lag.record(key, product_id, old, new, self.clock.monotonic() + delay)

    # ------------------------------------------------------------ uniqueness

    def check_sku(self, sku: str, product_id: int, variant_id: int | None) -> None:
        """409 unless ``sku`` is free for this product-level SKU or variant.

        SKUs are unique regardless of letter case across products and variants (D:PROD#L7139);
        a simple product's SKU and its base variant's SKU are the same SKU.
        """
        if not sku:
            return
        base = self.products[product_id].base_variant_id if product_id in self.products else None
        if variant_id is None or variant_id == base:
            allowed: set[_Owner] = {(product_id, None), (product_id, base)}
        else:
            allowed = {(product_id, variant_id)}
        if self._skus.get(sku.casefold(), set()) - allowed:
            raise ApiError(
                409,
                "Product was in conflict with another product. This is the result of duplicate "
                "unique values such as name or SKU.",
                {"sku": f"Sku {sku} is not unique"},
            )

    def check_name(self, name: str, product_id: int | None) -> None:
        holder = self._names.get(name.casefold())
        if holder is not None and holder != product_id:
            raise ApiError(
                409,
                "Product was in conflict with another product. This is the result of duplicate "
                "unique values such as name or SKU.",
                {"name": f"The product name is a duplicate: {name}"},
            )

    # --------------------------------------------------------------- writes

    def put_product(self, product: Product, *, touch: bool = True) -> Product:
        """Insert or replace a product, keeping name/SKU indexes and the id order."""
        old = self.products.get(product.id)
        if touch:
            product = replace(product, date_modified=whole_seconds(self.clock.now()))
        if old is None:
            bisect.insort(self._product_ids, product.id)
        else:
            self._names.pop(old.name.casefold(), None)
            self._index_sku(old.sku, (old.id, None), add=False)
            self._lag(("product", product.id), product.id, old, product)
        self._names[product.name.casefold()] = product.id
        self._index_sku(product.sku, (product.id, None), add=True)
        self.products[product.id] = product
        self.json_cache.pop(product.id, None)
        return product

    def touch(self, product_id: int) -> Product:
        """Record that something belonging to the product changed (its variants, options or
        custom fields): bumps ``date_modified`` unless the behaviour says such writes do not."""
        if not self.stamps(product_field=False):
            self.json_cache.pop(product_id, None)
            return self.products[product_id]
        return self.put_product(self.products[product_id])

    def drop_product(self, product_id: int) -> Product:
        product = self.products.pop(product_id)
        self._product_ids.pop(bisect.bisect_left(self._product_ids, product_id))
        self._names.pop(product.name.casefold(), None)
        self._index_sku(product.sku, (product_id, None), add=False)
        self.read_lag.forget(("product", product_id))
        for variant_id in list(self._variants_of.get(product_id, ())):
            self.drop_variant(variant_id)
        for option_id in self._options_of.pop(product_id, []):
            del self.options[option_id]
        for field_id in self._fields_of.pop(product_id, []):
            del self.custom_fields[field_id]
        self._variants_of.pop(product_id, None)
        self.json_cache.pop(product_id, None)
        return product

    def put_variant(self, variant: Variant) -> Variant:
        old = self.variants.get(variant.id)
        if old is None:
            self._variants_of.setdefault(variant.product_id, []).append(variant.id)
        else:
            self._index_sku(old.sku, (old.product_id, old.id), add=False)
            self._lag(("variant", variant.id), variant.product_id, old, variant)
        self._index_sku(variant.sku, (variant.product_id, variant.id), add=True)
        self.variants[variant.id] = variant
        self.json_cache.pop(variant.product_id, None)
        return variant

    def drop_variant(self, variant_id: int) -> Variant:
        variant = self.variants.pop(variant_id)
        self._variants_of[variant.product_id].remove(variant_id)
        self._index_sku(variant.sku, (variant.product_id, variant_id), add=False)
        self.read_lag.forget(("variant", variant_id))
        self.json_cache.pop(variant.product_id, None)
        return variant

    def put_option(self, option: Option) -> Option:
        if option.id not in self.options:
            self._options_of.setdefault(option.product_id, []).append(option.id)
        self.options[option.id] = option
        self.json_cache.pop(option.product_id, None)
        return option

    def drop_option(self, option_id: int) -> Option:
        option = self.options.pop(option_id)
        self._options_of[option.product_id].remove(option_id)
        self.json_cache.pop(option.product_id, None)
        return option

    def put_custom_field(self, custom_field: CustomField) -> CustomField:
        if custom_field.id not in self.custom_fields:
            self._fields_of.setdefault(custom_field.product_id, []).append(custom_field.id)
        self.custom_fields[custom_field.id] = custom_field
        self.json_cache.pop(custom_field.product_id, None)
        return custom_field

    def drop_custom_field(self, field_id: int) -> CustomField:
        custom_field = self.custom_fields.pop(field_id)
        self._fields_of[custom_field.product_id].remove(field_id)
        self.json_cache.pop(custom_field.product_id, None)
        return custom_field

    def load(
        self,
        products: Iterable[Product],
        variants: Iterable[Variant],
        options: Iterable[Option],
        custom_fields: Iterable[CustomField],
    ) -> None:
        """Bulk-insert records from a saved state, as they were (no date bump, no events)."""
        for product in products:
            self.put_product(product, touch=False)
        for variant in variants:
            self.put_variant(variant)
        for option in options:
            self.put_option(option)
        for custom_field in custom_fields:
            self.put_custom_field(custom_field)

    def _index_sku(self, sku: str, owner: _Owner, *, add: bool) -> None:
        if not sku:
            return
        key = sku.casefold()
        owners = self._skus.setdefault(key, set())
        if add:
            owners.add(owner)
        else:
            owners.discard(owner)
            if not owners:
                del self._skus[key]
