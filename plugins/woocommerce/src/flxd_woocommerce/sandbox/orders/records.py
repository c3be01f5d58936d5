"""A store's order records (mutable; the order book is their only writer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flxd_woocommerce.sandbox.catalog.records import Meta

__all__ = ["ADDRESS_FIELDS", "LineItem", "Note", "Order", "ShippingLine", "blank_address"]

ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)


def blank_address(*, billing: bool) -> dict[str, str]:
    fields = ADDRESS_FIELDS + (("email", "phone") if billing else ())
    return dict.fromkeys(fields, "")


@dataclass(slots=True, kw_only=True)
class LineItem:
    id: int
    product_id: int
    variation_id: int = 0
    name: str
    sku: str = ""
    quantity: int
    unit_price: Decimal
    meta: list[Meta] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(slots=True, kw_only=True)
class ShippingLine:
    id: int
    method_id: str = "flat_rate"
    method_title: str = "Flat rate"
    total: Decimal = Decimal("0")


@dataclass(slots=True, kw_only=True)
class Note:
    id: int
    order_id: int
    note: str
    customer_note: bool = False
    added_by_user: bool = False
    created: datetime

    @property
    def author(self) -> str:
        return "admin" if self.added_by_user else "system"


@dataclass(slots=True, kw_only=True)
class Order:
    id: int
    order_key: str
    status: str = "pending"
    currency: str = "USD"
    created_via: str = "checkout"
    version: str = ""
    created: datetime
    modified: datetime
    paid: datetime | None = None
    completed: datetime | None = None
    customer_id: int = 0
    customer_note: str = ""
    customer_ip_address: str = ""
    customer_user_agent: str = ""
    billing: dict[str, str] = field(default_factory=lambda: blank_address(billing=True))
    shipping: dict[str, str] = field(default_factory=lambda: blank_address(billing=False))
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    cart_hash: str = ""
    meta: list[Meta] = field(default_factory=list)
    line_items: list[LineItem] = field(default_factory=list)
    shipping_lines: list[ShippingLine] = field(default_factory=list)
    stock_reduced: bool = False
    trashed_status: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((i.total for i in self.line_items), Decimal("0")) + self.shipping_total

    @property
    def shipping_total(self) -> Decimal:
        return sum((s.total for s in self.shipping_lines), Decimal("0"))
