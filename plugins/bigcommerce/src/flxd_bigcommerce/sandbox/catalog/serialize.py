"""Catalog records as BigCommerce's V3 JSON (``product_Full``, ``productVariant_Full``, ...).

Listing 250 products with their variants is the sandbox's hottest path, so each product's JSON
is built once and cached as bytes until the catalog reports a change; a page is then a join of
cached fragments, O(page) per request.

Reads render what reads see (stock and prices may lag behind writes under the pessimistic
behaviour, see :mod:`.read_lag`); the answer to a write renders what was written
(``as_written``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.records import CustomField, Option, Product, Variant
from flxd_bigcommerce.sandbox.dates import format_iso

__all__ = [
    "SUPPORTED_INCLUDES",
    "custom_field_json",
    "dumps",
    "option_json",
    "product_bytes",
    "product_json",
    "variant_json",
]

SUPPORTED_INCLUDES = frozenset(
    {
        "variants",
        "custom_fields",
        "options",
        "modifiers",
        "images",
        "videos",
        "bulk_pricing_rules",
        "primary_image",
    }
)
# Sub-resources the sandbox does not model are still included, empty, when asked for.
_ALWAYS_EMPTY = ("modifiers", "images", "videos", "bulk_pricing_rules")


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _num(value: Decimal | None) -> int | float | None:
    """V3 money and dimensions are JSON numbers; whole values print without a fraction."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _calculated(price: Decimal, sale_price: Decimal | None) -> Decimal:
    if sale_price is not None and 0 < sale_price < price:
        return sale_price
    return price


def product_json(catalog: Catalog, product: Product, *, as_written: bool = False) -> dict[str, Any]:
    """The product without sub-resources."""
    if as_written:
        inventory = catalog.product_inventory(product)
    else:
        product = catalog.seen_product(product)
        inventory = catalog.seen_inventory(product)
    return {
        "id": product.id,
        "name": product.name,
        "type": product.type,
        "sku": product.sku,
        "description": product.description,
        "weight": _num(product.weight),
        "width": _num(product.width),
        "depth": _num(product.depth),
        "height": _num(product.height),
        "price": _num(product.price),
        "cost_price": _num(product.cost_price),
        "retail_price": _num(product.retail_price),
        "sale_price": _num(product.sale_price),
        "map_price": _num(product.map_price),
        "tax_class_id": product.tax_class_id,
        "product_tax_code": product.product_tax_code,
        "calculated_price": _num(_calculated(product.price, product.sale_price)),
        "categories": list(product.categories),
        "brand_id": product.brand_id,
        "inventory_level": inventory,
        "inventory_warning_level": product.inventory_warning_level,
        "inventory_tracking": product.inventory_tracking,
        "reviews_rating_sum": 0,
        "reviews_count": 0,
        "total_sold": product.total_sold,
        "fixed_cost_shipping_price": _num(product.fixed_cost_shipping_price),
        "is_free_shipping": product.is_free_shipping,
        "is_visible": product.is_visible,
        "is_featured": product.is_featured,
        "related_products": list(product.related_products),
        "warranty": product.warranty,
        "bin_picking_number": product.bin_picking_number,
        "layout_file": product.layout_file,
        "upc": product.upc,
        "mpn": product.mpn,
        "gtin": product.gtin,
        "date_last_imported": (
            format_iso(product.date_last_imported) if product.date_last_imported else ""
        ),
        "search_keywords": product.search_keywords,
        "availability": product.availability,
        "availability_description": product.availability_description,
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "sort_order": product.sort_order,
        "condition": product.condition,
        "is_condition_shown": product.is_condition_shown,
        "order_quantity_minimum": product.order_quantity_minimum,
        "order_quantity_maximum": product.order_quantity_maximum,
        "page_title": product.page_title,
        "meta_keywords": list(product.meta_keywords),
        "meta_description": product.meta_description,
        "view_count": product.view_count,
        "preorder_release_date": (
            format_iso(product.preorder_release_date) if product.preorder_release_date else None
        ),
        "preorder_message": product.preorder_message,
        "is_preorder_only": product.is_preorder_only,
        "is_price_hidden": product.is_price_hidden,
        "price_hidden_label": product.price_hidden_label,
        "custom_url": {"url": product.custom_url, "is_customized": False},
        "open_graph_type": "product",
        "open_graph_title": "",
        "open_graph_description": "",
        "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True,
        "open_graph_use_image": True,
        "base_variant_id": product.base_variant_id,
        "date_created": format_iso(product.date_created),
        "date_modified": format_iso(product.date_modified),
    }


def variant_json(catalog: Catalog, variant: Variant, *, as_written: bool = False) -> dict[str, Any]:
    product = catalog.products[variant.product_id]
    if not as_written:
        product = catalog.seen_product(product)
        variant = catalog.seen_variant(variant)
    price = variant.price if variant.price is not None else product.price
    option_values = []
    for value_id in variant.option_value_ids:
        option = next((o for o in catalog.options_of(product.id) if o.value(value_id)), None)
        if option is not None:
            value = option.value(value_id)
            assert value is not None
            option_values.append(
                {
                    "id": value.id,
                    "label": value.label,
                    "option_id": option.id,
                    "option_display_name": option.display_name,
                }
            )
    data: dict[str, Any] = {
        "id": variant.id,
        "product_id": variant.product_id,
        "sku": variant.sku,
        "sku_id": variant.sku_id,
        "price": _num(variant.price),
        "calculated_price": _num(_calculated(price, variant.sale_price)),
        "sale_price": _num(variant.sale_price),
        "retail_price": _num(variant.retail_price),
        "weight": _num(variant.weight),
        "width": _num(variant.width),
        "height": _num(variant.height),
        "depth": _num(variant.depth),
        "is_free_shipping": variant.is_free_shipping,
        "fixed_cost_shipping_price": _num(variant.fixed_cost_shipping_price),
        "calculated_weight": _num(variant.weight if variant.weight is not None else product.weight),
        "purchasing_disabled": variant.purchasing_disabled,
        "purchasing_disabled_message": variant.purchasing_disabled_message,
        "image_url": variant.image_url,
        "cost_price": _num(variant.cost_price),
        "upc": variant.upc,
        "mpn": variant.mpn,
        "gtin": variant.gtin,
        "inventory_level": variant.inventory_level,
        "inventory_warning_level": variant.inventory_warning_level,
        "bin_picking_number": variant.bin_picking_number,
        "option_values": option_values,
    }
    if variant.map_price is not None:  # the schemas type map_price as a non-null number
        data["map_price"] = _num(variant.map_price)
    return data


def custom_field_json(custom_field: CustomField) -> dict[str, Any]:
    return {"id": custom_field.id, "name": custom_field.name, "value": custom_field.value}


def option_json(option: Option) -> dict[str, Any]:
    return {
        "id": option.id,
        "product_id": option.product_id,
        "name": f"{option.display_name}{option.product_id}",
        "display_name": option.display_name,
        "type": option.type,
        "sort_order": option.sort_order,
        "config": option.config,
        "option_values": [
            {
                "id": v.id,
                "label": v.label,
                "sort_order": v.sort_order,
                "value_data": v.value_data or {},
                "is_default": v.is_default,
            }
            for v in option.values
        ],
    }


@dataclass(slots=True)
class _Fragments:
    """A product's cached JSON: the object without its closing brace, and sub-resource arrays."""

    core: bytes
    variants: bytes | None = None
    custom_fields: bytes | None = None
    options: bytes | None = None


def _sub_resource(
    catalog: Catalog, product_id: int, include: str, as_written: bool
) -> Iterable[dict[str, Any]]:
    if include == "variants":
        return (
            variant_json(catalog, v, as_written=as_written) for v in catalog.variants_of(product_id)
        )
    if include == "custom_fields":
        return (custom_field_json(f) for f in catalog.fields_of(product_id))
    return (option_json(o) for o in catalog.options_of(product_id))


def product_bytes(
    catalog: Catalog, product_id: int, includes: Collection[str], *, as_written: bool = False
) -> bytes:
    """The product's JSON object with the requested sub-resources, from the cache (which
    holds what reads see; ``as_written`` renders past it while reads lag)."""
    written = as_written and catalog.lagging(product_id)
    fragments: _Fragments | None = None if written else catalog.json_cache.get(product_id)
    if fragments is None:
        product = catalog.products[product_id]
        core = dumps(product_json(catalog, product, as_written=written))
        fragments = _Fragments(core=core[:-1])
        if not written:
            catalog.json_cache[product_id] = fragments
    parts = [fragments.core]
    for include in ("variants", "custom_fields", "options"):
        if include not in includes:
            continue
        cached: bytes | None = getattr(fragments, include)
        if cached is None:
            cached = dumps(list(_sub_resource(catalog, product_id, include, written)))
            setattr(fragments, include, cached)
        parts.append(b',"' + include.encode() + b'":' + cached)
    for include in _ALWAYS_EMPTY:
        if include in includes:
            parts.append(b',"' + include.encode() + b'":[]')
    parts.append(b"}")
    return b"".join(parts)
