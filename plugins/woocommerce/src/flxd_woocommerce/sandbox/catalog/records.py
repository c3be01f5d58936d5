"""A store's product and variation records. Mutable on purpose (the catalog is the only writer
and keeps the SKU index and dates right); tests may read them freely."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Attribute", "Meta", "Product", "Variation", "VariationAttribute"]


def _dimensions() -> dict[str, str]:
    return {"length": "", "width": "", "height": ""}


@dataclass(slots=True, kw_only=True)
class Meta:
    """One ``meta_data`` row: ids are unique per store; a value may be any JSON."""

    id: int
    key: str
    value: Any


@dataclass(slots=True, kw_only=True)
class Attribute:
    """A product attribute; ``variation`` attributes define the variations' options."""

    id: int = 0
    name: str
    position: int = 0
    visible: bool = False
    variation: bool = False
    options: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class VariationAttribute:
    id: int = 0
    name: str
    option: str


@dataclass(slots=True, kw_only=True)
class _Sellable:
    id: int
    sku: str = ""
    global_unique_id: str = ""
    regular_price: str = ""
    sale_price: str = ""
    virtual: bool = False
    downloadable: bool = False
    tax_status: str = "taxable"
    tax_class: str = ""
    manage_stock: bool = False
    stock_quantity: int | None = None
    stock_status: str = "instock"
    backorders: str = "no"
    weight: str = ""
    dimensions: dict[str, str] = field(default_factory=_dimensions)
    menu_order: int = 0
    meta: list[Meta] = field(default_factory=list)
    total_sales: int = 0
    created: datetime
    modified: datetime

    @property
    def price(self) -> str:
        """The active price: the sale price when there is one, else the regular price."""
        return self.sale_price if self.sale_price != "" else self.regular_price

    @property
    def on_sale(self) -> bool:
        return (
            self.sale_price != ""
            and self.regular_price != ""
            and (_decimal(self.sale_price) < _decimal(self.regular_price))
        )


@dataclass(slots=True, kw_only=True)
class Product(_Sellable):
    name: str = ""
    slug: str = ""
    type: str = "simple"
    status: str = "publish"
    featured: bool = False
    catalog_visibility: str = "visible"
    description: str = ""
    short_description: str = ""
    sold_individually: bool = False
    reviews_allowed: bool = True
    parent_id: int = 0
    purchase_note: str = ""
    attributes: list[Attribute] = field(default_factory=list)
    trashed_status: str | None = None
    """The status a trashed product had (``status`` is ``"trash"`` meanwhile)."""


@dataclass(slots=True, kw_only=True)
class Variation(_Sellable):
    product_id: int
    description: str = ""
    status: str = "publish"
    attributes: list[VariationAttribute] = field(default_factory=list)


def _decimal(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
