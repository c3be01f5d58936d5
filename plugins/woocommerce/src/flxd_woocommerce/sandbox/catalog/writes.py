"""Applying a request's fields to a product or a variation, the way WooCommerce's
``prepare_object_for_database`` and ``WC_Product`` setters do: prices through
``wc_format_decimal`` (an unparseable price silently becomes ``""``), stock quantities through
``wc_stock_amount``, managed stock deciding the stock status, ``meta_data`` rows updated by id or
key (a ``null`` value deletes the row), SKU and GTIN uniqueness refused with WooCommerce's own
error codes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flxd_woocommerce.sandbox.catalog.records import (
    Attribute,
    Meta,
    Product,
    Variation,
    VariationAttribute,
)
from flxd_woocommerce.sandbox.errors import WpError

__all__ = [
    "apply_meta",
    "apply_product",
    "apply_variation",
    "flag",
    "format_decimal",
    "sanitize_title",
    "stock_amount",
]

Owner = Callable[[str, int], int | None]
_NOT_DECIMAL = re.compile(r"[^0-9.\-]")
_GTIN_CHARS = re.compile(r"[^0-9Xx\-]")
_GTIN_FORMAT = re.compile(r"^[0-9\-]*[0-9Xx]?$")

_PRODUCT_TEXT = ("name", "description", "short_description", "purchase_note", "tax_class", "weight")
_PRODUCT_FLAGS = ("featured", "virtual", "downloadable", "sold_individually", "reviews_allowed")
_PRODUCT_CHOICES = ("status", "catalog_visibility", "tax_status", "backorders", "type")


def format_decimal(value: Any) -> str:
    """``wc_format_decimal``: strip everything but digits, ``.`` and ``-``; nothing left that
    parses is ``""``."""
    if value is None or isinstance(value, bool):
        return ""
    text = _NOT_DECIMAL.sub("", str(value))
    if text == "":
        return ""
    try:
        Decimal(text)
    except InvalidOperation:
        return ""
    return text


def stock_amount(value: Any) -> int:
    """``wc_stock_amount``: a whole number, 0 for anything unreadable."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def sanitize_title(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "product"


def apply_meta(meta: list[Meta], entries: Any, next_id: Callable[[], int]) -> None:
    """``update_meta_data(key, value, id)`` for each entry: by id when one matches, else the
    first row with the key (dropping later duplicates), else a new row. A null value deletes."""
    if not isinstance(entries, list):
        return
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("key"), str):
            continue
        key, value, meta_id = entry["key"], entry.get("value"), entry.get("id")
        target = next((m for m in meta if meta_id and m.id == meta_id), None)
        if target is None:
            same_key = [m for m in meta if m.key == key]
            target = same_key[0] if same_key else None
            for extra in same_key[1:]:
                meta.remove(extra)
        if value is None:
            if target is not None:
                meta.remove(target)
            continue
        if target is None:
            meta.append(Meta(id=next_id(), key=key, value=value))
        else:
            target.key, target.value = key, value


def flag(value: Any) -> bool:
    """``wc_string_to_bool``: true, 1, "1", "yes", "true" (any case) are true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() in ("yes", "true", "1")
    return bool(value == 1)


def _clean(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _set_sku(item: Product | Variation, value: Any, sku_owner: Owner) -> None:
    sku = _clean(value)
    if sku != "":
        owner = sku_owner(sku, item.id)
        if owner is not None:
            raise WpError(
                400, "product_invalid_sku", "Invalid or duplicated SKU.", {"resource_id": owner}
            )
    item.sku = sku


def _set_gtin(item: Product | Variation, value: Any, gtin_owner: Owner) -> None:
    gtin = _GTIN_CHARS.sub("", _clean(value))
    if gtin != "" and not _GTIN_FORMAT.match(gtin):
        raise WpError(
            400,
            "product_invalid_global_unique_id_format",
            "Invalid GTIN, UPC, EAN, or ISBN. The letter X is only valid as the final ISBN-10 "
            "check digit.",
        )
    if gtin != "" and gtin_owner(gtin, item.id) is not None:
        raise WpError(
            400, "product_invalid_global_unique_id", "Invalid or duplicated GTIN, UPC, EAN or ISBN."
        )
    item.global_unique_id = gtin


def _apply_stock(item: Product | Variation, params: Mapping[str, Any], *, variable: bool) -> None:
    if "manage_stock" in params:
        item.manage_stock = flag(params["manage_stock"])
    if "backorders" in params:
        item.backorders = str(params["backorders"])
    requested_status = params.get("stock_status")
    if item.manage_stock:
        if "stock_quantity" in params:
            item.stock_quantity = stock_amount(params["stock_quantity"])
        elif item.stock_quantity is None:
            item.stock_quantity = 0
        if not variable:
            item.stock_status = managed_stock_status(item)
    else:
        item.stock_quantity = None
        if requested_status is not None and not variable:
            item.stock_status = str(requested_status)


def managed_stock_status(item: Product | Variation) -> str:
    """What ``validate_props`` makes of managed stock (no-stock threshold 0)."""
    quantity = item.stock_quantity or 0
    if quantity > 0:
        return "instock"
    return "outofstock" if item.backorders == "no" else "onbackorder"


def _apply_common(item: Product | Variation, params: Mapping[str, Any], *, priced: bool) -> None:
    if "dimensions" in params and isinstance(params["dimensions"], Mapping):
        for side in ("length", "width", "height"):
            if side in params["dimensions"]:
                item.dimensions[side] = _clean(params["dimensions"][side])
    if "menu_order" in params:
        item.menu_order = stock_amount(params["menu_order"])
    if priced:
        if "regular_price" in params:
            item.regular_price = format_decimal(params["regular_price"])
        if "sale_price" in params:
            item.sale_price = format_decimal(params["sale_price"])
    else:
        item.regular_price = item.sale_price = ""


def _attributes(entries: Any) -> list[Attribute]:
    found: list[Attribute] = []
    if not isinstance(entries, list):
        return found
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        name = _clean(entry.get("name"))
        attribute_id = stock_amount(entry.get("id", 0))
        if not name and not attribute_id:
            continue
        options = entry.get("options", [])
        if isinstance(options, str):
            options = [part.strip() for part in options.split("|")]
        found.append(
            Attribute(
                id=attribute_id,
                name=name or f"pa_attribute_{attribute_id}",
                position=stock_amount(entry.get("position", 0)),
                visible=flag(entry.get("visible", False)),
                variation=flag(entry.get("variation", False)),
                options=[str(o) for o in options if str(o) != ""],
            )
        )
    return found


def apply_product(
    product: Product,
    params: Mapping[str, Any],
    *,
    sku_owner: Owner,
    gtin_owner: Owner,
    next_meta_id: Callable[[], int],
) -> None:
    """Write ``params`` (already sanitized by the route's schema) onto ``product``."""
    for name in _PRODUCT_TEXT:
        if name in params:
            setattr(product, name, _clean(params[name]))
    for name in _PRODUCT_FLAGS:
        if name in params:
            setattr(product, name, flag(params[name]))
    for name in _PRODUCT_CHOICES:
        if name in params:
            setattr(product, name, str(params[name]))
    if "slug" in params:
        product.slug = sanitize_title(str(params["slug"]))
    if "parent_id" in params:
        product.parent_id = stock_amount(params["parent_id"])
    if "sku" in params:
        _set_sku(product, params["sku"], sku_owner)
    if "global_unique_id" in params:
        _set_gtin(product, params["global_unique_id"], gtin_owner)
    if "attributes" in params:
        product.attributes = _attributes(params["attributes"])
    priced = product.type not in ("variable", "grouped")
    _apply_common(product, params, priced=priced)
    _apply_stock(product, params, variable=product.type == "variable")
    apply_meta(product.meta, params.get("meta_data"), next_meta_id)


def apply_variation(
    variation: Variation,
    parent: Product,
    params: Mapping[str, Any],
    *,
    sku_owner: Owner,
    gtin_owner: Owner,
    next_meta_id: Callable[[], int],
) -> None:
    """Write ``params`` onto ``variation``. Attributes the parent does not use for variations
    are dropped, as WooCommerce drops them."""
    if "description" in params:
        variation.description = _clean(params["description"])
    if "status" in params:
        variation.status = str(params["status"])
    elif "visible" in params:
        variation.status = "publish" if flag(params["visible"]) else "private"
    for name in ("virtual", "downloadable"):
        if name in params:
            setattr(variation, name, flag(params[name]))
    for name in ("tax_status", "tax_class", "weight"):
        if name in params:
            setattr(variation, name, _clean(params[name]))
    if "sku" in params:
        _set_sku(variation, params["sku"], sku_owner)
    if "global_unique_id" in params:
        _set_gtin(variation, params["global_unique_id"], gtin_owner)
    if "attributes" in params and isinstance(params["attributes"], list):
        allowed = {a.name.casefold(): a for a in parent.attributes if a.variation}
        chosen: list[VariationAttribute] = []
        for entry in params["attributes"]:
            if not isinstance(entry, Mapping):
                continue
            attribute = allowed.get(_clean(entry.get("name")).casefold())
            if attribute is None:
                continue
            option = _clean(entry.get("option"))
            chosen.append(VariationAttribute(id=attribute.id, name=attribute.name, option=option))
        variation.attributes = chosen
    _apply_common(variation, params, priced=True)
    _apply_stock(variation, params, variable=False)
    apply_meta(variation.meta, params.get("meta_data"), next_meta_id)
