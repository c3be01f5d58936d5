"""Order records: the order, its line items ("order products"), shipping addresses and
shipments. Money is ``Decimal``; V2 renders it as strings with four decimals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

__all__ = ["Address", "Order", "OrderLine", "OrderShippingAddress", "Shipment", "ShipmentItem"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    first_name: str
    last_name: str
    company: str = ""
    street_1: str
    street_2: str = ""
    city: str
    state: str
    zip: str
    country: str
    country_iso2: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """One order product: a snapshot of the catalog item at checkout."""

    id: int
    product_id: int
    variant_id: int
    order_address_id: int
    name: str
    sku: str
    upc: str = ""
    type: str = "physical"
    base_price: Decimal
    price_tax: Decimal = Decimal(0)
    quantity: int
    quantity_shipped: int = 0
    weight: Decimal = Decimal(0)
    # (option display name, value label, option id, option value id)
    options: tuple[tuple[str, str, int, int], ...] = ()

    @property
    def price_inc_tax(self) -> Decimal:
        return self.base_price + self.price_tax

    @property
    def unshipped(self) -> int:
        return self.quantity - self.quantity_shipped


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderShippingAddress:
    id: int
    address: Address
    shipping_method: str = "Flat Rate"
    cost_ex_tax: Decimal = Decimal(0)
    cost_tax: Decimal = Decimal(0)
    shipping_zone_id: int = 1
    shipping_zone_name: str = "Everywhere"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentItem:
    order_product_id: int
    product_id: int
    quantity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipment:
    id: int
    order_id: int
    order_address_id: int
    date_created: datetime
    items: tuple[ShipmentItem, ...]
    tracking_number: str = ""
    shipping_provider: str = ""
    tracking_carrier: str = ""
    tracking_link: str = ""
    shipping_method: str = ""
    merchant_shipping_cost: Decimal = Decimal(0)
    comments: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    id: int
    customer_id: int
    status_id: int
    date_created: datetime
    date_modified: datetime
    date_shipped: datetime | None = None
    billing_address: Address
    lines: tuple[OrderLine, ...]
    shipping_addresses: tuple[OrderShippingAddress, ...]
    payment_method: str = "Credit Card"
    payment_status: str = "captured"
    currency_code: str = "USD"
    discount_amount: Decimal = Decimal(0)
    refunded_amount: Decimal = Decimal(0)
    staff_notes: str = ""
    customer_message: str = ""
    channel_id: int = 1
    is_deleted: bool = False
    ip_address: str = ""
    external_order_id: str = ""
    cart_id: str = ""

    @property
    def items_total(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def items_shipped(self) -> int:
        return sum(line.quantity_shipped for line in self.lines)

    @property
    def subtotal_ex_tax(self) -> Decimal:
        return sum((line.base_price * line.quantity for line in self.lines), Decimal(0))

    @property
    def subtotal_tax(self) -> Decimal:
        return sum((line.price_tax * line.quantity for line in self.lines), Decimal(0))

    @property
    def shipping_ex_tax(self) -> Decimal:
        return sum((a.cost_ex_tax for a in self.shipping_addresses), Decimal(0))

    @property
    def shipping_tax(self) -> Decimal:
        return sum((a.cost_tax for a in self.shipping_addresses), Decimal(0))

    @property
    def total_ex_tax(self) -> Decimal:
        return self.subtotal_ex_tax + self.shipping_ex_tax - self.discount_amount

    @property
    def total_tax(self) -> Decimal:
        return self.subtotal_tax + self.shipping_tax

    @property
    def total_inc_tax(self) -> Decimal:
        return self.total_ex_tax + self.total_tax

    def line(self, order_product_id: int) -> OrderLine | None:
        return next((x for x in self.lines if x.id == order_product_id), None)
