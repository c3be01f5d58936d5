"""BigCommerce products as flxd reads them: a product with the items a shopper can buy.

A product with option variants sells those variants; a simple product (a base variant and no
options) sells itself. Parsed at the boundary from `GET /v3/catalog/products?include=variants,
custom_fields`; anything malformed raises RecordError naming the product, so the caller skips
that product and goes on with the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from flxd.errors import RecordError
from flxd_bigcommerce.parse import money, objects, parse_date, shown, text, whole

__all__ = ["MasterField", "Product", "ProductItem", "parse_product"]

MasterField = Literal["sku", "upc", "mpn"]
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductItem:
    """One sellable item: an option variant, or a simple product itself (`variant_id` None)."""

    product_id: int
    variant_id: int | None
    sku: str | None
    upc: str | None
    mpn: str | None
    gtin: str | None
    price: Decimal | None
    quantity: int | None
    """None when BigCommerce does not track this item's stock by itself."""
    options: Pairs = ()
    stock_ref: str | None = None
    """The product's id when the product tracks stock by product (a variant has none)."""

    def master(self, field: MasterField) -> str | None:
        value: str | None = getattr(self, field)
        return value

    @property
    def record(self) -> str:
        """How log lines and run errors name this item."""
        if self.variant_id is None:
            return f"product {self.product_id}"
        return f"product {self.product_id} variant {self.variant_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    id: int
    name: str
    description: str | None
    sku: str | None
    upc: str | None
    mpn: str | None
    date_modified: datetime
    attributes: Pairs
    """Custom fields as name/value pairs, in BigCommerce's order."""
    items: tuple[ProductItem, ...]
    stock: int | None = None
    """The product's own stock, for a product with variants that tracks stock by product (its
    variants then have none of their own); None otherwise."""

    @property
    def simple(self) -> bool:
        return len(self.items) == 1 and self.items[0].variant_id is None

    def master(self, field: MasterField) -> str | None:
        value: str | None = getattr(self, field)
        return value


def parse_product(raw: Mapping[str, Any]) -> Product:
    """A product of a V3 products page (with `variants` and `custom_fields` included)."""
    if not isinstance(raw, Mapping):
        raise RecordError(f"expected a product object, got {type(raw).__name__}", record="product")
    product_id = raw.get("id")
    # The id as sent, quoted unless it is a number: it may be anything, even unprintable.
    record = f"product {product_id if isinstance(product_id, int) else shown(product_id)}"
    try:
        pid = whole(product_id, "id", minimum=1)
        variants = objects(raw.get("variants"), "variants")
        options = [v for v in variants if v.get("option_values")]
        tracking = raw.get("inventory_tracking")
        price = money(raw.get("price"), "price", required=False)
        if options:
            items = tuple(_variant_item(pid, v, price, tracking=str(tracking)) for v in options)
        else:
            items = (
                ProductItem(
                    product_id=pid,
                    variant_id=None,
                    sku=text(raw.get("sku"), "sku"),
                    upc=text(raw.get("upc"), "upc"),
                    mpn=text(raw.get("mpn"), "mpn"),
                    gtin=text(raw.get("gtin"), "gtin"),
                    price=price,
                    quantity=(
                        None
                        if tracking == "none"
                        else whole(raw.get("inventory_level"), "inventory_level", minimum=0)
                    ),
                ),
            )
        stock = None
        if options and tracking == "product" and raw.get("inventory_level") is not None:
            stock = whole(raw.get("inventory_level"), "inventory_level", minimum=0)
        return Product(
            id=pid,
            stock=stock,
            name=text(raw.get("name"), "name") or f"Product {pid}",
            description=text(raw.get("description"), "description"),
            sku=text(raw.get("sku"), "sku"),
            upc=text(raw.get("upc"), "upc"),
            mpn=text(raw.get("mpn"), "mpn"),
            date_modified=parse_date(raw.get("date_modified"), "date_modified"),
            attributes=_custom_fields(raw.get("custom_fields")),
            items=items,
        )
    except RecordError as exc:
        raise RecordError(str(exc), record=record) from None


def _variant_item(
    product_id: int, raw: Mapping[str, Any], product_price: Decimal | None, *, tracking: str
) -> ProductItem:
    variant_id = whole(raw.get("id"), "variants.id", minimum=1)
    price = money(raw.get("price"), "variants.price", required=False)
    return ProductItem(
        product_id=product_id,
        variant_id=variant_id,
        sku=text(raw.get("sku"), "sku"),
        upc=text(raw.get("upc"), "upc"),
        mpn=text(raw.get("mpn"), "mpn"),
        gtin=text(raw.get("gtin"), "gtin"),
        price=price if price is not None else product_price,
        # Stock tracked by product has no per-variant number to take.
        quantity=(
            whole(raw.get("inventory_level"), "variants.inventory_level", minimum=0)
            if tracking == "variant"
            else None
        ),
        stock_ref=str(product_id) if tracking == "product" else None,
        options=tuple(
            (
                text(v.get("option_display_name"), "option_display_name") or "",
                text(v.get("label"), "option label") or "",
            )
            for v in objects(raw.get("option_values"), "variants.option_values")
        ),
    )


def _custom_fields(raw: Any) -> Pairs:
    pairs = []
    for item in objects(raw, "custom_fields"):
        name = text(item.get("name"), "custom_fields.name")
        value = text(item.get("value"), "custom_fields.value")
        if name and value:
            pairs.append((name, value))
    return tuple(pairs)
