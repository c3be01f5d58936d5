"""WooCommerce products as flxd reads them: core's ChannelProduct, with the items a shopper can
buy, identified by "sku", "gtin" (`global_unique_id`: GTIN, UPC, EAN or ISBN) and "meta" (the
meta field the import settings name).

- A variable product sells its variations (options from the variations' attributes); a simple
  product sells itself. Grouped and external products sell nothing of their own: they are left
  out (`SELLABLE`).
- The price is the regular price: a sale price set on the store is the merchant's, and flxd
  neither reads it as the hub's price nor overwrites it.
- Stock: an item that manages its stock has its own quantity; a variation whose stock is its
  product's (`manage_stock: "parent"`) has none, its product keeps it; one that manages none
  has no quantity at all. Negative stock (backorders) is kept as it is.

Parsed at the boundary; anything malformed raises RecordError naming the product, so the
caller skips that product and goes on with the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flxd.plugin import ChannelItem, ChannelProduct, Pairs, RecordError
from flxd_woocommerce.parse import gmt_date, money, objects, shown, text, whole

__all__ = ["SELLABLE", "parse_product", "product_id_of"]

SELLABLE = frozenset({"simple", "variable"})


def product_id_of(raw: Any) -> int:
    if not isinstance(raw, Mapping):
        raise RecordError(f"expected a product object, got {type(raw).__name__}", record="product")
    value = raw.get("id")
    try:
        return whole(value, "id", minimum=1)
    except RecordError as exc:
        raise RecordError(str(exc), record=f"product {shown(value)}") from None


def parse_product(
    raw: Mapping[str, Any], variations: Sequence[Any] = (), *, meta_key: str | None = None
) -> ChannelProduct:
    """A product of a products page, with its variations when it is variable."""
    pid = product_id_of(raw)
    try:
        gmt_date(raw.get("date_modified_gmt"), "date_modified_gmt")  # scans position by it
        kind = raw.get("type")
        if kind not in SELLABLE:
            raise RecordError(f"type: {shown(kind)} is not a product flxd can sell")
        product_stock = _stock(raw, "")
        if kind == "variable":
            items = tuple(
                _variation(pid, v, product_stock is not None, meta_key) for v in variations
            )
        else:
            items = (
                ChannelItem(
                    product_ref=str(pid),
                    variant_ref=None,
                    identifiers=_identifiers(raw, meta_key),
                    price=money(raw.get("regular_price"), "regular_price"),
                    quantity=product_stock,
                ),
            )
        return ChannelProduct(
            ref=str(pid),
            name=text(raw.get("name"), "name") or f"Product {pid}",
            description=text(raw.get("description"), "description"),
            identifiers=_identifiers(raw, meta_key),
            attributes=_attributes(raw.get("attributes")),
            items=items,
            stock=product_stock if kind == "variable" else None,
        )
    except RecordError as exc:
        raise RecordError(str(exc), record=exc.record or f"product {pid}") from None


def _stock(raw: Mapping[str, Any], where: str) -> int | None:
    """The item's own stock, None when it keeps none of its own."""
    if raw.get("manage_stock") is not True:
        return None
    return whole(raw.get("stock_quantity"), f"{where}stock_quantity")


def _identifiers(raw: Mapping[str, Any], meta_key: str | None) -> dict[str, str | None]:
    found = {
        "sku": text(raw.get("sku"), "sku"),
        "gtin": text(raw.get("global_unique_id"), "global_unique_id"),
    }
    if meta_key:
        found["meta"] = _meta(raw.get("meta_data"), meta_key)
    return found


def _meta(value: Any, key: str) -> str | None:
    for row in objects(value, "meta_data"):
        if row.get("key") == key:
            found = row.get("value")
            if isinstance(found, int | float) and not isinstance(found, bool):
                return str(found)
            return text(found, f"meta_data {key}") if isinstance(found, str) else None
    return None


def _variation(
    product_id: int, raw: Any, product_keeps_stock: bool, meta_key: str | None
) -> ChannelItem:
    if not isinstance(raw, Mapping):
        raise RecordError(f"a variation that is not an object ({type(raw).__name__})")
    variation_id = whole(raw.get("id"), "variations.id", minimum=1)
    record = f"product {product_id} variation {variation_id}"
    try:
        parent_stock = raw.get("manage_stock") == "parent" or (
            raw.get("manage_stock") is False and product_keeps_stock
        )
        return ChannelItem(
            product_ref=str(product_id),
            variant_ref=str(variation_id),
            identifiers=_identifiers(raw, meta_key),
            price=money(raw.get("regular_price"), "regular_price"),
            quantity=None if parent_stock else _stock(raw, ""),
            stock_ref=str(product_id) if parent_stock else None,
            options=tuple(
                (
                    text(a.get("name"), "attributes.name") or "",
                    text(a.get("option"), "attributes.option") or "",
                )
                for a in objects(raw.get("attributes"), "attributes")
            ),
        )
    except RecordError as exc:
        raise RecordError(str(exc), record=record) from None


def _attributes(raw: Any) -> Pairs:
    """Descriptive attributes (those not used for variations) as name/value pairs."""
    pairs: list[tuple[str, str]] = []
    for item in objects(raw, "attributes"):
        if item.get("variation") is True:
            continue
        name = text(item.get("name"), "attributes.name")
        options = item.get("options")
        values = [v for v in options if isinstance(v, str)] if isinstance(options, list) else []
        if name and values:
            pairs.append((name, ", ".join(v.strip() for v in values if v.strip())))
    return tuple(pairs)
