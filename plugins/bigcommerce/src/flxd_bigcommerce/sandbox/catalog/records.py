"""Catalog records as the sandbox stores them: products, variants, options and custom fields.

Records are immutable; a change replaces the record (``dataclasses.replace``) so the serialized
JSON cached for a product can be trusted until the catalog says the product changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

__all__ = [
    "Availability",
    "CustomField",
    "InventoryTracking",
    "Option",
    "OptionValue",
    "Product",
    "ProductType",
    "Variant",
]

ProductType = Literal["physical", "digital"]
Availability = Literal["available", "disabled", "preorder"]
InventoryTracking = Literal["none", "product", "variant"]
Condition = Literal["New", "Used", "Refurbished"]

MAX_INVENTORY = 2_147_483_647


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    id: int
    name: str
    type: ProductType
    sku: str = ""
    description: str = ""
    weight: Decimal = Decimal(0)
    width: Decimal = Decimal(0)
    depth: Decimal = Decimal(0)
    height: Decimal = Decimal(0)
    price: Decimal = Decimal(0)
    cost_price: Decimal = Decimal(0)
    retail_price: Decimal = Decimal(0)
    sale_price: Decimal = Decimal(0)
    map_price: Decimal = Decimal(0)
    tax_class_id: int = 0
    product_tax_code: str = ""
    categories: tuple[int, ...] = ()
    brand_id: int = 0
    inventory_level: int = 0
    inventory_warning_level: int = 0
    inventory_tracking: InventoryTracking = "none"
    fixed_cost_shipping_price: Decimal = Decimal(0)
    is_free_shipping: bool = False
    is_visible: bool = True
    is_featured: bool = False
    related_products: tuple[int, ...] = ()
    warranty: str = ""
    bin_picking_number: str = ""
    layout_file: str = ""
    upc: str = ""
    mpn: str = ""
    gtin: str = ""
    search_keywords: str = ""
    availability: Availability = "available"
    availability_description: str = ""
    sort_order: int = 0
    condition: Condition = "New"
    is_condition_shown: bool = False
    order_quantity_minimum: int = 0
    order_quantity_maximum: int = 0
    page_title: str = ""
    meta_keywords: tuple[str, ...] = ()
    meta_description: str = ""
    preorder_release_date: datetime | None = None
    preorder_message: str = ""
    is_preorder_only: bool = False
    is_price_hidden: bool = False
    price_hidden_label: str = ""
    custom_url: str = ""
    total_sold: int = 0
    view_count: int = 0
    date_created: datetime
    date_modified: datetime
    date_last_imported: datetime | None = None
    # The base variant of a simple product; None once the product has option variants.
    base_variant_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    id: int
    product_id: int
    sku: str
    # The V2 SKU id: None for a base variant, set for variants made of option values.
    sku_id: int | None = None
    price: Decimal | None = None
    sale_price: Decimal | None = None
    retail_price: Decimal | None = None
    map_price: Decimal | None = None
    cost_price: Decimal | None = None
    weight: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    depth: Decimal | None = None
    is_free_shipping: bool = False
    fixed_cost_shipping_price: Decimal | None = None
    purchasing_disabled: bool = False
    purchasing_disabled_message: str = ""
    image_url: str = ""
    upc: str | None = None
    mpn: str | None = None
    gtin: str | None = None
    inventory_level: int = 0
    inventory_warning_level: int = 0
    bin_picking_number: str = ""
    option_value_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionValue:
    id: int
    label: str
    sort_order: int = 0
    is_default: bool = False
    value_data: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    id: int
    product_id: int
    display_name: str
    type: str = "rectangles"
    sort_order: int = 0
    values: tuple[OptionValue, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)

    def value(self, value_id: int) -> OptionValue | None:
        return next((v for v in self.values if v.id == value_id), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomField:
    id: int
    product_id: int
    name: str
    value: str
