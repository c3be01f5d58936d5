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
from flxd_bigcommerce.parse import money, parse_date, whole

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

    @property
    def simple(self) -> bool:
        return len(self.items) == 1 and self.items[0].variant_id is None

    def master(self, field: MasterField) -> str | None:
        value: str | None = getattr(self, field)
        return value


def parse_product(raw: Mapping[str, Any]) -> Product:
    """A product of a V3 products page (with `variants` and `custom_fields` included)."""
    product_id = raw.get("id")
    record = f"product {product_id}"
    try:
        pid = whole(product_id, "id", minimum=1)
        variants = [v for v in raw.get("variants") or () if isinstance(v, Mapping)]
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
                    sku=_text(raw.get("sku")),
                    upc=_text(raw.get("upc")),
                    mpn=_text(raw.get("mpn")),
                    gtin=_text(raw.get("gtin")),
                    price=price,
                    quantity=(
                        None
                        if tracking == "none"
                        else whole(raw.get("inventory_level"), "inventory_level", minimum=0)
                    ),
                ),
            )
        return Product(
            id=pid,
            name=_text(raw.get("name")) or f"Product {pid}",
            description=_text(raw.get("description")),
            sku=_text(raw.get("sku")),
            upc=_text(raw.get("upc")),
            mpn=_text(raw.get("mpn")),
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
        sku=_text(raw.get("sku")),
        upc=_text(raw.get("upc")),
        mpn=_text(raw.get("mpn")),
        gtin=_text(raw.get("gtin")),
        price=price if price is not None else product_price,
        # Stock tracked by product has no per-variant number to take.
        quantity=(
            whole(raw.get("inventory_level"), "variants.inventory_level", minimum=0)
            if tracking == "variant"
            else None
        ),
        stock_ref=str(product_id) if tracking == "product" else None,
        options=tuple(
            (str(v.get("option_display_name") or "").strip(), str(v.get("label") or "").strip())
            for v in raw.get("option_values") or ()
            if isinstance(v, Mapping)
        ),
    )


def _custom_fields(raw: Any) -> Pairs:
    if not isinstance(raw, list):
        return ()
    pairs = []
    for item in raw:
        if isinstance(item, Mapping):
            name, value = _text(item.get("name")), _text(item.get("value"))
            if name and value:
                pairs.append((name, value))
    return tuple(pairs)


def _text(value: Any) -> str | None:
    """BigCommerce sends "" (or null) for an absent text value."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
