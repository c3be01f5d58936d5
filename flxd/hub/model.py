"""The hub's domain objects. Parsed at the boundary; the inside never sees raw API dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "AckState",
    "Address",
    "Link",
    "LinkState",
    "Listing",
    "ListingStatus",
    "Order",
    "OrderLine",
    "Presence",
    "Shipment",
    "ShipmentLine",
    "ShipmentState",
    "Variant",
    "VariantUpdate",
    "sku_key",
]

Pairs = tuple[tuple[str, str], ...]


def sku_key(sku: str) -> str:
    """SKUs are unique regardless of letter case (as on BigCommerce)."""
    return sku.strip().lower()


class ListingStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # nothing about price or quantity is pushed to any channel


class Presence(StrEnum):
    """What the merchant wants the listing to be on channels; acts on the whole parent."""

    LISTED = "listed"
    HIDDEN = "hidden"  # shown, unavailable to buy (out of stock)
    DELISTED = "delisted"  # removed from the channel


class LinkState(StrEnum):
    LISTED = "listed"
    HIDDEN = "hidden"
    DELISTED = "delisted"
    MISSING = "missing"  # deleted on the channel behind flxd's back
    FAILED = "failed"  # the channel refused it; see the link's error


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantUpdate:
    """A variant as a feed, the CLI or an import states it. None means "leave as it is"."""

    sku: str
    parent: str | None = None
    listing_name: str | None = None
    description: str | None = None
    upc: str | None = None
    mpn: str | None = None
    gtin: str | None = None
    price: Decimal | None = None
    quantity: int | None = None
    options: Pairs | None = None
    attributes: Pairs | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    id: int
    listing_id: int
    sku: str
    upc: str | None
    mpn: str | None
    gtin: str | None
    price: Decimal | None
    quantity: int | None
    options: Pairs
    attributes: Pairs
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    id: int
    key: str
    name: str | None
    description: str | None
    status: ListingStatus
    presence: Presence
    seq: int
    variants: tuple[Variant, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A hub variant tied to a channel item, with what was last pushed there."""

    connection: str
    variant_id: int
    listing_id: int
    product_ref: str
    variant_ref: str | None
    state: LinkState
    pushed_price: Decimal | None = None
    pushed_quantity: int | None = None
    error: str | None = None
    stock_ref: str | None = None
    """Where the channel keeps this variant's stock when not at the variant itself (e.g. the
    product, when the channel tracks stock per product); None: the variant's own item."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    channel_address_id: str
    name: str | None = None
    company: str | None = None
    street_1: str | None = None
    street_2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    phone: str | None = None
    email: str | None = None
    shipping_method: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    channel_line_id: str
    sku: str | None
    name: str | None
    quantity: int
    unit_price: Decimal | None = None
    total: Decimal | None = None
    channel_address_id: str | None = None
    id: int | None = None  # hub id, once stored


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    connection: str
    channel_order_id: str
    status_code: str
    status_name: str | None
    created_at: datetime
    modified_at: datetime
    grand_total: Decimal
    currency: str | None = None
    subtotal: Decimal | None = None
    shipping_total: Decimal | None = None
    tax_total: Decimal | None = None
    discount_total: Decimal | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    billing_address: Address | None = None
    lines: tuple[OrderLine, ...] = ()
    addresses: tuple[Address, ...] = ()
    id: int | None = None
    imported_at: datetime | None = None
    acknowledged_at: datetime | None = None
    ack_state: AckState | None = None
    ack_note: str | None = None
    pii_erased_at: datetime | None = None


class AckState(StrEnum):
    """Where an order's acknowledgement on its channel stands (None: none was asked for)."""

    PENDING = "pending"
    DONE = "done"
    CONFLICT = "conflict"  # changed on the channel by someone else first; not overwritten
    FAILED = "failed"  # the channel refused it (the order is gone, …)


class ShipmentState(StrEnum):
    PENDING = "pending"
    PUSHED = "pushed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentLine:
    order_line_id: int
    quantity: int
    sku: str | None = None
    channel_line_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipment:
    id: int
    order_id: int
    carrier: str | None
    tracking_number: str | None
    method: str | None
    state: ShipmentState
    lines: tuple[ShipmentLine, ...] = field(default=())
    channel_shipment_id: str | None = None
    error: str | None = None
    created_at: datetime | None = None
    attempted_at: datetime | None = None
    """Set before the first push: from then on it may exist on the channel (look before
    creating it again)."""
