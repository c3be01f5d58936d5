"""BigCommerce products as flxd reads them: core's ChannelProduct, with the items a shopper can
buy (identified by "sku", "upc", "mpn" and "gtin").

A product with option variants sells those variants; a simple product (a base variant and no
options) sells itself. Parsed at the boundary from `GET /v3/catalog/products?include=variants,
custom_fields`; anything malformed raises RecordError naming the product, so the caller skips
that product and goes on with the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flxd.plugin import ChannelItem, ChannelProduct, Pairs, RecordError
from flxd_bigcommerce.parse import money, objects, parse_date, shown, text, whole

__all__ = ["parse_product"]


def parse_product(raw: Mapping[str, Any]) -> ChannelProduct:
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
                ChannelItem(
                    product_ref=str(pid),
                    variant_ref=None,
                    identifiers=_identifiers(raw, ""),
                    price=price,
                    quantity=(
                        None
                        if tracking == "none"
                        else whole(raw.get("inventory_level"), "inventory_level", minimum=0)
                    ),
                ),
            )
        # Read for its validity only: the scans order and position pages by it.
        parse_date(raw.get("date_modified"), "date_modified")
        stock = None
        if options and tracking == "product" and raw.get("inventory_level") is not None:
            stock = whole(raw.get("inventory_level"), "inventory_level", minimum=0)
        return ChannelProduct(
            ref=str(pid),
            stock=stock,
            name=text(raw.get("name"), "name") or f"Product {pid}",
            description=text(raw.get("description"), "description"),
            identifiers=_identifiers(raw, ""),
            attributes=_custom_fields(raw.get("custom_fields")),
            items=items,
        )
    except RecordError as exc:
        raise RecordError(str(exc), record=record) from None


def _identifiers(raw: Mapping[str, Any], where: str) -> dict[str, str | None]:
    return {name: text(raw.get(name), where + name) for name in ("sku", "upc", "mpn", "gtin")}


def _variant_item(
    product_id: int, raw: Mapping[str, Any], product_price: Decimal | None, *, tracking: str
) -> ChannelItem:
    variant_id = whole(raw.get("id"), "variants.id", minimum=1)
    price = money(raw.get("price"), "variants.price", required=False)
    return ChannelItem(
        product_ref=str(product_id),
        variant_ref=str(variant_id),
        identifiers=_identifiers(raw, ""),
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
