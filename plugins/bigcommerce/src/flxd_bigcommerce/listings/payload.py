"""A hub listing as the body of `POST /v3/catalog/products`.

A listing with one variant and no options becomes a simple product (its stock tracked by
product); any other listing becomes a product with one option variant per hub variant (stock
tracked by variant). Attributes become custom fields: BigCommerce allows 250 characters per
name and value and 200 fields per product, and every name/value pair must be unique.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from flxd.plugin import Listing, RecordError, Variant, sku_key
from flxd_bigcommerce.config import PublishListingsSettings

__all__ = [
    "MAX_CUSTOM_FIELDS",
    "MAX_FIELD_LENGTH",
    "Draft",
    "custom_fields",
    "number",
    "product_draft",
]

MAX_FIELD_LENGTH = 250
MAX_CUSTOM_FIELDS = 200
Policy = Literal["truncate", "skip", "fail"]


@dataclass(frozen=True, slots=True)
class Draft:
    body: dict[str, Any]
    sku: str | None
    """The product-level SKU (a simple product's is its variant's): how a product flxd may
    already have created is found again."""
    simple: bool
    dropped: tuple[str, ...] = ()
    """Attribute names left out under the `skip` policy (reported, not fatal)."""


def number(value: Decimal) -> int | float:
    """Money as V3 sends and takes it: a JSON number."""
    return int(value) if value == value.to_integral_value() else float(value)


def custom_fields(
    variants: Sequence[Variant], policy: Policy
) -> tuple[list[dict[str, str]], tuple[str, ...]]:
    """The listing's attributes as custom fields, duplicates collapsed; and the names the
    `skip` policy left out. RecordError under `fail` (or past 200 fields)."""
    fields: dict[tuple[str, str], None] = {}
    dropped: list[str] = []
    for variant in variants:
        for name, value in variant.attributes:
            if len(name) > MAX_FIELD_LENGTH or len(value) > MAX_FIELD_LENGTH:
                if policy == "fail":
                    raise RecordError(
                        f"attribute {name[:40]!r} is longer than {MAX_FIELD_LENGTH} characters "
                        f'({max(len(name), len(value))}); attribute_length = "fail"',
                        record=variant.sku,
                    )
                if policy == "skip":
                    dropped.append(name[:40])
                    continue
                name, value = name[:MAX_FIELD_LENGTH].strip(), value[:MAX_FIELD_LENGTH].strip()
            fields[(name, value)] = None
    if len(fields) > MAX_CUSTOM_FIELDS:
        raise RecordError(
            f"{len(fields)} distinct attributes; BigCommerce allows {MAX_CUSTOM_FIELDS} custom "
            "fields per product"
        )
    return [{"name": n, "value": v} for n, v in fields], tuple(dict.fromkeys(dropped))


def product_draft(listing: Listing, settings: PublishListingsSettings) -> Draft:
    """The product to create for `listing`; RecordError when BigCommerce could not take it."""
    variants = listing.variants
    if not variants:
        raise RecordError("the listing has no variants", record=listing.key)
    try:
        fields, dropped = custom_fields(variants, settings.attribute_length)
    except RecordError as exc:
        raise RecordError(str(exc), record=listing.key) from None
    body: dict[str, Any] = {
        "name": listing.name or listing.key,
        "type": settings.product_type,
        "weight": number(settings.default_weight),
        "description": listing.description or "",
        "custom_fields": fields,
    }
    simple = len(variants) == 1 and not variants[0].options
    if simple:
        variant = variants[0]
        body |= {"sku": variant.sku, "price": number(variant.price or Decimal(0))}
        body |= _codes(variant)
        if variant.quantity is not None:
            body |= {"inventory_tracking": "product", "inventory_level": variant.quantity}
        return Draft(body, variant.sku, True, dropped)
    for variant in variants:
        if not variant.options:
            raise RecordError(
                f"variant {variant.sku} has no options; BigCommerce needs option values to tell "
                "a product's variants apart",
                record=listing.key,
            )
    prices = [v.price for v in variants if v.price is not None]
    body["price"] = number(min(prices) if prices else Decimal(0))
    # The product's own SKU is the listing key, unless a variant already uses it.
    taken = {sku_key(v.sku) for v in variants}
    sku = None if sku_key(listing.key) in taken else listing.key
    if sku is not None:
        body["sku"] = sku
    if any(v.quantity is not None for v in variants):
        body["inventory_tracking"] = "variant"
    body["variants"] = [_variant_body(v) for v in variants]
    return Draft(body, sku, False, dropped)


def _variant_body(variant: Variant) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": variant.sku,
        "option_values": [
            {"option_display_name": name, "label": label} for name, label in variant.options
        ],
    }
    if variant.price is not None:
        body["price"] = number(variant.price)
    if variant.quantity is not None:
        body["inventory_level"] = variant.quantity
    return body | _codes(variant)


def _codes(variant: Variant) -> dict[str, str]:
    return {
        k: v for k, v in (("upc", variant.upc), ("mpn", variant.mpn), ("gtin", variant.gtin)) if v
    }
