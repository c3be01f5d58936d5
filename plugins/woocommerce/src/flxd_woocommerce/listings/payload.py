"""A hub listing as WooCommerce products: the body of a product create, and of its variations.

A listing with one variant and no options becomes a simple product; any other a variable
product with one variation per hub variant, told apart by the variants' options (each option
name an attribute "used for variations", its values the attribute's options). The listing's
attributes become descriptive product attributes (shown, not used for variations), one per
name with its values. Prices are regular prices, as strings; a variant with a quantity gets
managed stock. A GTIN (or, without one, a UPC) goes to `global_unique_id`.

Limits (what WordPress can keep, none of them in WooCommerce's documents): an option name
becomes the meta key `attribute_<name>` of each variation, and meta keys have 255 bytes, so an
option name may take 245 once WordPress made it a slug (`attribute_length` applies to those).
Descriptive attributes have no such limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from flxd.plugin import Listing, RecordError, Variant, sku_key
from flxd_woocommerce.config import PublishListingsSettings

__all__ = ["MAX_OPTION_NAME", "Draft", "amount", "product_draft", "variation_body"]

MAX_OPTION_NAME = 245
Policy = Literal["truncate", "skip", "fail"]


@dataclass(frozen=True, slots=True)
class Draft:
    body: dict[str, Any]
    """The product to create (without variations)."""
    sku: str | None
    """The product-level SKU, by which a product flxd may already have created is found."""
    simple: bool
    variations: list[tuple[Variant, dict[str, Any]]] = field(default_factory=list)
    """Each hub variant with the body of its variation (variable products)."""


def amount(value: Decimal) -> str:
    """Money as WooCommerce takes it: a decimal string."""
    return format(value, "f")


def _slug_length(name: str) -> int:
    """How long WordPress's slug of an attribute name is (sanitize_title, roughly: lowercase,
    spaces to dashes, anything but ASCII letters and digits percent-encoded)."""
    slug = re.sub(r"\s+", "-", name.strip().lower())
    return len(quote(slug, safe="-_"))


def _option_name(name: str, policy: Policy, record: str) -> str:
    if _slug_length(name) <= MAX_OPTION_NAME:
        return name
    if policy == "truncate":
        while _slug_length(name) > MAX_OPTION_NAME:
            name = name[:-1]
        return name.strip()
    raise RecordError(
        f"option name {name[:40]!r}... is longer than WordPress keeps ({MAX_OPTION_NAME} "
        f'characters as a slug); attribute_length = "{policy}" (an option that tells '
        "variations apart cannot be left out)",
        record=record,
    )


def _stock(variant: Variant) -> dict[str, Any]:
    if variant.quantity is None:
        return {"manage_stock": False}
    return {"manage_stock": True, "stock_quantity": variant.quantity}


def _code(variant: Variant) -> dict[str, str]:
    code = variant.gtin or variant.upc
    return {"global_unique_id": code} if code else {}


def _descriptive(variants: Sequence[Variant]) -> list[dict[str, Any]]:
    values: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in variant.attributes:
            found = values.setdefault(name, [])
            if value not in found:
                found.append(value)
    return [
        {"name": name, "visible": True, "variation": False, "options": options}
        for name, options in values.items()
    ]


def variation_body(variant: Variant, names: dict[str, str]) -> dict[str, Any]:
    """A hub variant as a variation; `names` maps option names to the ones WooCommerce keeps."""
    body: dict[str, Any] = {
        "sku": variant.sku,
        "attributes": [{"name": names[n], "option": v} for n, v in variant.options],
        **_stock(variant),
        **_code(variant),
    }
    if variant.price is not None:
        body["regular_price"] = amount(variant.price)
    return body


def product_draft(listing: Listing, settings: PublishListingsSettings) -> Draft:
    """What to create for `listing`; RecordError when WooCommerce could not take it."""
    variants = listing.variants
    if not variants:
        raise RecordError("the listing has no variants", record=listing.key)
    body: dict[str, Any] = {
        "name": listing.name or listing.key,
        "status": settings.status,
        "description": listing.description or "",
    }
    descriptive = _descriptive(variants)
    if len(variants) == 1 and not variants[0].options:
        variant = variants[0]
        body |= {"type": "simple", "sku": variant.sku, **_stock(variant), **_code(variant)}
        if variant.price is not None:
            body["regular_price"] = amount(variant.price)
        if descriptive:
            body["attributes"] = descriptive
        return Draft(body, variant.sku, True)
    options: dict[str, list[str]] = {}
    for variant in variants:
        if not variant.options:
            raise RecordError(
                f"variant {variant.sku} has no options; WooCommerce tells a product's "
                "variations apart by their attributes",
                record=listing.key,
            )
        for name, value in variant.options:
            found = options.setdefault(name, [])
            if value not in found:
                found.append(value)
    names = {n: _option_name(n, settings.attribute_length, listing.key) for n in options}
    # The product's own SKU is the listing key, unless a variant already uses it.
    taken = {sku_key(v.sku) for v in variants}
    sku = None if sku_key(listing.key) in taken else listing.key
    used = {n.lower() for n in names.values()}  # WooCommerce keeps one attribute per name
    body |= {
        "type": "variable",
        "attributes": [
            {"name": names[n], "visible": True, "variation": True, "options": values}
            for n, values in options.items()
        ]
        + [a for a in descriptive if a["name"].lower() not in used],
    }
    if sku is not None:
        body["sku"] = sku
    return Draft(body, sku, False, [(v, variation_body(v, names)) for v in variants])
