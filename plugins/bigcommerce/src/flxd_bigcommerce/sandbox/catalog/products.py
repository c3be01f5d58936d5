"""Product writes as BigCommerce performs them: create (with variants and custom fields), update,
batch update, delete.

A simple product owns one *base variant* (``sku_id`` null, no option values) that mirrors the
product's SKU, codes and stock; a product created with option variants has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.custom_fields import apply_inline_fields, check_inline_fields
from flxd_bigcommerce.sandbox.catalog.records import MAX_INVENTORY, Product
from flxd_bigcommerce.sandbox.catalog.variants import (
    announce_stock,
    create_option_variant,
    mirror_base_variant,
    new_base_variant,
    plan_option_values,
    sku_event_data,
)
from flxd_bigcommerce.sandbox.catalog.writes import ProductWrite
from flxd_bigcommerce.sandbox.dates import whole_seconds
from flxd_bigcommerce.sandbox.errors import ApiError

__all__ = [
    "MAX_BATCH_PRODUCTS",
    "MAX_DELETE_PRODUCTS",
    "STOCK_FIELDS",
    "WriteOutcome",
    "check_batch_size",
    "create_product",
    "delete_products",
    "update_product",
    "update_products",
]

MAX_BATCH_PRODUCTS = 10
MAX_DELETE_PRODUCTS = 250
_REQUIRED_ON_CREATE = ("name", "type", "weight", "price")
# Fields stored as tuples on the record but sent as JSON arrays.
_TUPLE_FIELDS = frozenset({"categories", "related_products", "meta_keywords"})
_NOT_RECORD_FIELDS = frozenset({"id", "custom_fields", "variants", "custom_url"})
# What the inventory service keeps for a product or variant (API.md §8): writing only these is
# a stock write, not a product-level one.
STOCK_FIELDS = frozenset({"inventory_level", "inventory_warning_level"})


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """A saved product and, when part of the request could not be applied, why (a 207)."""

    product: Product
    problems: Mapping[str, str]


def _record_changes(write: ProductWrite) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, value in write.provided().items():
        if name in _NOT_RECORD_FIELDS:
            continue
        if name in _TUPLE_FIELDS:
            value = tuple(value or ())
        elif value is None and name != "preorder_release_date":
            continue  # null for a non-nullable field leaves it as it was
        elif name == "inventory_level":
            value = min(value, MAX_INVENTORY)  # the Catalog API clamps (D:INVDOC#L27-32)
        changes[name] = value
    if write.custom_url is not None:
        changes["custom_url"] = write.custom_url.url
    return changes


def _inventory_problem(changes: dict[str, Any], tracking: str, *, simple: bool) -> dict[str, str]:
    """A product-level stock write on a product with variants tracked by variant cannot be
    saved: BigCommerce saves the rest and answers 207 (D:PROD#L367-373). A simple product's
    stock is its base variant's, so there it always lands."""
    if "inventory_level" in changes and tracking == "variant" and not simple:
        changes.pop("inventory_level")
        return {
            "inventory_level": "The product's inventory is tracked by variant; "
            "set inventory_level on its variants"
        }
    return {}


def create_product(catalog: Catalog, write: ProductWrite) -> WriteOutcome:
    provided = write.model_fields_set
    missing = {f: f"{f} is required" for f in _REQUIRED_ON_CREATE if f not in provided}
    if missing or any(getattr(write, f) is None for f in _REQUIRED_ON_CREATE):
        raise ApiError.invalid(missing or {"body": "name, type, weight and price are required"})
    assert write.name is not None and write.type is not None  # for the type checker
    # Checks run against a product id nobody has (-1); the real id is taken once they pass.
    catalog.check_name(write.name, None)
    catalog.check_sku(write.sku or "", -1, None)
    variant_writes = write.variants or []
    _check_payload_skus(write.sku or "", [v.sku or "" for v in variant_writes])
    for index, variant in enumerate(variant_writes):
        if not variant.sku:
            raise ApiError.invalid({f"variants.{index}.sku": "sku is required"})
        if not variant.option_values:
            raise ApiError.invalid({f"variants.{index}.option_values": "option_values required"})
        catalog.check_sku(variant.sku, -1, -1)
        plan_option_values(catalog, -1, variant.option_values, create=True)
    check_inline_fields(catalog, -1, write.custom_fields or [])

    product_id = catalog.ids.take("product")
    now = whole_seconds(catalog.clock.now())
    changes = _record_changes(write)
    problems = _inventory_problem(
        changes, changes.get("inventory_tracking", "none"), simple=not variant_writes
    )
    product = Product(id=product_id, date_created=now, date_modified=now, **changes)
    if not product.custom_url:
        product = replace(product, custom_url=_default_url(product.name))
    catalog.put_product(product, touch=False)
    catalog.emit("store/product/created", {"type": "product", "id": product_id})
    if variant_writes:
        for variant in variant_writes:
            create_option_variant(catalog, product_id, variant, touch=False)
    else:
        base = new_base_variant(catalog, product)
        catalog.put_product(replace(product, base_variant_id=base.id), touch=False)
    apply_inline_fields(catalog, product_id, write.custom_fields or [])
    return WriteOutcome(catalog.products[product_id], problems)


def update_product(catalog: Catalog, product_id: int, write: ProductWrite) -> WriteOutcome:
    product = catalog.product(product_id)
    _check_update(catalog, product, write)
    return _apply_update(catalog, product, write)


def update_products(catalog: Catalog, writes: Sequence[ProductWrite]) -> list[WriteOutcome]:
    """Batch update: every item is checked before any is applied (413 past 10 items)."""
    check_batch_size(len(writes))
    targets: list[Product] = []
    for index, write in enumerate(writes):
        if write.id is None:
            raise ApiError.invalid({f"{index}.id": "id is required to update a product"})
        product = catalog.product(write.id)
        _check_update(catalog, product, write)
        targets.append(product)
    _check_payload_skus("", [w.sku or "" for w in writes if "sku" in w.model_fields_set])
    names = [w.name.casefold() for w in writes if w.name]
    if len(names) != len(set(names)):
        raise ApiError(409, "Duplicate product names in the batch", {"name": "duplicate"})
    return [_apply_update(catalog, p, w) for p, w in zip(targets, writes, strict=True)]


def check_batch_size(count: int) -> None:
    """413 for a batch past 10 products (D:PROD#L149-152, L418-424)."""
    if count > MAX_BATCH_PRODUCTS:
        raise ApiError(
            413,
            "The request payload is too large. The maximum items allowed in the array is "
            f"{MAX_BATCH_PRODUCTS}.",
        )


def delete_products(catalog: Catalog, product_ids: Iterable[int]) -> int:
    """Delete products (unknown ids are skipped, as BigCommerce's filter delete does)."""
    ids = [pid for pid in dict.fromkeys(product_ids) if pid in catalog.products]
    for product_id in ids:
        skus = [v for v in catalog.variants_of(product_id) if v.sku_id is not None]
        catalog.drop_product(product_id)
        for variant in skus:
            catalog.emit("store/sku/deleted", sku_event_data(variant))
        catalog.emit("store/product/deleted", {"type": "product", "id": product_id})
    return len(ids)


def _check_update(catalog: Catalog, product: Product, write: ProductWrite) -> None:
    if write.name is not None:
        catalog.check_name(write.name, product.id)
    if write.sku is not None:
        catalog.check_sku(write.sku, product.id, None)
    check_inline_fields(catalog, product.id, write.custom_fields or [])


def _apply_update(catalog: Catalog, product: Product, write: ProductWrite) -> WriteOutcome:
    changes = _record_changes(write)
    problems = _inventory_problem(
        changes,
        changes.get("inventory_tracking", product.inventory_tracking),
        simple=product.base_variant_id is not None,
    )
    level_changed = (
        "inventory_level" in changes and changes["inventory_level"] != product.inventory_level
    )
    product_field = bool(set(changes) - STOCK_FIELDS)
    updated = catalog.put_product(
        replace(product, **changes), touch=catalog.stamps(product_field=product_field)
    )
    mirror_base_variant(catalog, updated)
    apply_inline_fields(catalog, product.id, write.custom_fields or [])
    catalog.emit("store/product/updated", {"type": "product", "id": product.id})
    if level_changed:
        announce_stock(catalog, catalog.products[product.id], None)
    return WriteOutcome(catalog.products[product.id], problems)


def _check_payload_skus(product_sku: str, variant_skus: Sequence[str]) -> None:
    seen: set[str] = {product_sku.casefold()} if product_sku else set()
    for sku in variant_skus:
        if sku and sku.casefold() in seen:
            raise ApiError(409, "Duplicate SKU in the request", {"sku": f"Sku {sku} is not unique"})
        if sku:
            seen.add(sku.casefold())


def _default_url(name: str) -> str:
    slug = "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())
    return f"/{slug}/"
