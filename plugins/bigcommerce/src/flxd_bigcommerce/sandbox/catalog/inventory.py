"""The Inventory API over the catalog's stock: absolute adjustments and inventory items.

The sandbox has one location, the default one (id 1), so "catalog inventory" and "inventory at
the default location" are the same number. Adjustments apply before the response is sent;
BigCommerce applies them asynchronously (D:INVDOC#L3, L19). Under the documented behaviour a
client cannot tell the difference; under the pessimistic one reads show the new levels only
after ``visibility_delay`` (see :mod:`.read_lag`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.products import update_product
from flxd_bigcommerce.sandbox.catalog.records import MAX_INVENTORY, Product, Variant
from flxd_bigcommerce.sandbox.catalog.variants import update_variant
from flxd_bigcommerce.sandbox.catalog.writes import ProductWrite, VariantWrite
from flxd_bigcommerce.sandbox.errors import ApiError

__all__ = [
    "DEFAULT_LOCATION_CODE",
    "DEFAULT_LOCATION_ID",
    "MAX_ADJUSTMENT_ITEMS",
    "AdjustmentItem",
    "InventoryItem",
    "apply_absolute",
    "inventory_items",
    "parse_adjustments",
]

MAX_ADJUSTMENT_ITEMS = 2000
DEFAULT_LOCATION_ID = 1
DEFAULT_LOCATION_CODE = "BC-LOCATION-1"
DEFAULT_LOCATION_NAME = "Default location"


class AdjustmentItem(BaseModel):
    """One item of an absolute adjustment: exactly one of sku, variant_id, product_id."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    location_id: int
    quantity: int = Field(ge=0, le=MAX_INVENTORY)
    sku: str | None = None
    variant_id: int | None = None
    product_id: int | None = None

    @model_validator(mode="after")
    def _one_identity(self) -> AdjustmentItem:
        if sum(x is not None for x in (self.sku, self.variant_id, self.product_id)) != 1:
            raise ValueError("exactly one of sku, variant_id and product_id is required")
        return self


class _Adjustment(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    reason: str | None = None
    items: list[AdjustmentItem]


def _problem(title: str, errors: Mapping[str, str] | None = None) -> ApiError:
    # The Inventory API puts the message in brackets in the title (D:INV#L102).
    return ApiError(422, f"[{title}]", errors or {})


def parse_adjustments(payload: Any) -> list[AdjustmentItem]:
    items = payload.get("items") if isinstance(payload, Mapping) else None
    if isinstance(items, list) and len(items) > MAX_ADJUSTMENT_ITEMS:
        raise ApiError(413, f"The maximum number of items in a payload is {MAX_ADJUSTMENT_ITEMS}")
    try:
        return _Adjustment.model_validate(payload).items
    except ValidationError as exc:
        errors = {".".join(map(str, e["loc"])) or "body": e["msg"] for e in exc.errors()}
        raise _problem("Invalid adjustment payload", errors) from None


@dataclass(frozen=True, slots=True)
class _Target:
    product: Product
    variant: Variant | None  # None: the product-level stock item


def _resolve(catalog: Catalog, item: AdjustmentItem) -> _Target:
    if item.location_id != DEFAULT_LOCATION_ID:
        raise _problem(f"Location with id {item.location_id} does not exist")
    if item.sku is not None:
        owners = catalog.owner_of_sku(item.sku)
        if not owners:
            raise _problem(f"Item with sku {item.sku} does not exist")
        product_id, variant_id = min(owners, key=lambda o: (o[1] is not None, o))
        if variant_id is None:
            return _by_product(catalog.products[product_id], catalog, f"sku {item.sku}")
        return _by_variant(catalog, catalog.variants[variant_id], f"sku {item.sku}")
    if item.variant_id is not None:
        variant = catalog.variants.get(item.variant_id)
        if variant is None:
            raise _problem(f"Item with variant_id {item.variant_id} does not exist")
        return _by_variant(catalog, variant, f"variant_id {item.variant_id}")
    product = catalog.products.get(item.product_id or 0)
    if product is None:
        raise _problem(f"Item with product_id {item.product_id} does not exist")
    return _by_product(product, catalog, f"product_id {item.product_id}")


def _by_product(product: Product, catalog: Catalog, what: str) -> _Target:
    if product.inventory_tracking == "variant":
        if product.base_variant_id is not None:  # a simple product: the same stock item
            return _Target(product, catalog.variants[product.base_variant_id])
        raise _problem(f"Item with {what} is tracked by variant, please update stock by variant id")
    return _Target(product, None)


def _by_variant(catalog: Catalog, variant: Variant, what: str) -> _Target:
    product = catalog.products[variant.product_id]
    if product.inventory_tracking == "product":
        if variant.id == product.base_variant_id:
            return _Target(product, None)
        raise _problem(f"Item with {what} is tracked by product, please update stock by product id")
    return _Target(product, variant)


def apply_absolute(catalog: Catalog, items: Sequence[AdjustmentItem]) -> None:
    """Set stock levels; every item is resolved before any is written."""
    targets = [(_resolve(catalog, item), item.quantity) for item in items]
    for target, quantity in targets:
        if target.variant is None:
            update_product(catalog, target.product.id, ProductWrite(inventory_level=quantity))
        else:
            update_variant(catalog, target.variant.id, VariantWrite(inventory_level=quantity))


@dataclass(frozen=True, slots=True)
class InventoryItem:
    product_id: int
    variant_id: int
    sku: str
    sku_id: int | None
    available: int
    warning_level: int
    bin_picking_number: str

    def to_json(self) -> dict[str, Any]:
        return {
            "identity": {
                "sku": self.sku,
                "variant_id": self.variant_id,
                "product_id": self.product_id,
                "sku_id": self.sku_id or 0,
            },
            "locations": [
                {
                    "location_id": DEFAULT_LOCATION_ID,
                    "location_code": DEFAULT_LOCATION_CODE,
                    "location_name": DEFAULT_LOCATION_NAME,
                    "available_to_sell": self.available,
                    "total_inventory_onhand": self.available,
                    "location_enabled": True,
                    "settings": {
                        "safety_stock": 0,
                        "is_in_stock": self.available > 0,
                        "warning_level": self.warning_level,
                        "bin_picking_number": self.bin_picking_number,
                    },
                }
            ],
        }


def inventory_items(
    catalog: Catalog,
    *,
    skus: set[str] | None = None,
    variant_ids: set[int] | None = None,
    product_ids: set[int] | None = None,
) -> Iterator[InventoryItem]:
    """One item per variant, in product then variant order, with its level at location 1."""
    folded = {s.casefold() for s in skus} if skus is not None else None
    for product_id in catalog.product_ids():
        if product_ids is not None and product_id not in product_ids:
            continue
        product = catalog.seen_product(catalog.products[product_id])
        for variant in map(catalog.seen_variant, catalog.variants_of(product_id)):
            if variant_ids is not None and variant.id not in variant_ids:
                continue
            if folded is not None and variant.sku.casefold() not in folded:
                continue
            by_variant = product.inventory_tracking == "variant"
            yield InventoryItem(
                product_id=product_id,
                variant_id=variant.id,
                sku=variant.sku,
                sku_id=variant.sku_id,
                available=variant.inventory_level if by_variant else product.inventory_level,
                warning_level=(
                    variant.inventory_warning_level
                    if by_variant
                    else product.inventory_warning_level
                ),
                bin_picking_number=variant.bin_picking_number or product.bin_picking_number,
            )
