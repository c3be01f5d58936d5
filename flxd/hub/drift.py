"""Drift: where a channel's price or stock is no longer what flxd last pushed there, found by
comparing what the channel has now (its reconciliation reader's `ChannelStock`) with the links.

Pure, like the change plan (flxd.hub.changeplan), and by the same rules: a paused listing is
left alone (nothing is pushed to it), so is a delisted one (sync removes it), and only live
links count. For each value the channel reports:

- it differs from what the link says was pushed: the link is corrected to what the channel has
  (the change plan then compares the hub with the truth);
- it also differs from the hub's value: the variant has *drifted* and is logged as changed, so
  the next sync_listings puts the hub's value back through the channel's own writer.

A value equal to the hub's but not to the link's is only a correction (nothing to send); one
equal to the link's but not to the hub's is a change sync has not pushed yet (not drift).

Stock kept by a channel product for all its variants (`Link.stock_ref`) is compared as the
change plan writes it: the total of the product's linked variants in the hub.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from flxd.hub.links import LIVE_STATES
from flxd.hub.model import Link, Listing, ListingStatus, Presence

__all__ = ["ChannelStock", "DriftReport", "Seen", "find_drift"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelStock:
    """One channel item's price and stock as the channel has them now (a reconciliation
    reader yields these, a page at a time)."""

    product_ref: str
    variant_ref: str | None
    """None: the product itself -- a product sold as one item, or the stock a product keeps
    for all its variants (then `price` may be None)."""
    price: Decimal | None
    """None when the channel reports none (nothing is compared)."""
    quantity: int | None
    """None when the item keeps no stock of its own (nothing is compared)."""
    sku: str | None = None
    """For messages only; items are matched by their ids."""

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.product_ref, self.variant_ref)


@dataclass(frozen=True, slots=True)
class Seen:
    """A link to correct: what the channel has now (None: unknown, send again)."""

    variant_id: int
    listing_id: int
    price: Decimal | None = None
    quantity: int | None = None
    set_price: bool = False
    set_quantity: bool = False


@dataclass(slots=True)
class DriftReport:
    checked: int = 0
    """Linked variants compared with what the channel has."""
    paused: int = 0
    """Linked variants the channel reported but left alone: their listing is paused."""
    corrected: list[Seen] = field(default_factory=list)
    drifted: list[tuple[int, int]] = field(default_factory=list)
    """(listing id, variant id) to log as changed: the hub's value goes back."""


def find_drift(
    stock: Iterable[ChannelStock], links: Sequence[Link], listings: Mapping[int, Listing]
) -> DriftReport:
    """Compare what the channel has (`stock`) with `links` (every link of those channel
    products on one connection) and their hub `listings`."""
    report = DriftReport()
    seen = {s.key: s for s in stock}
    by_product: dict[str, list[Link]] = {}
    for link in links:
        listing = listings.get(link.listing_id)
        if link.state not in LIVE_STATES or not link.product_ref or listing is None:
            continue
        if listing.presence is Presence.DELISTED:
            continue
        if listing.status is ListingStatus.PAUSED:
            report.paused += (link.product_ref, link.variant_ref) in seen
            continue
        by_product.setdefault(link.product_ref, []).append(link)
    for product_ref, plinks in by_product.items():
        _compare_product(seen, product_ref, plinks, listings, report)
    return report


def _compare_product(
    seen: Mapping[tuple[str, str | None], ChannelStock],
    product_ref: str,
    plinks: Sequence[Link],
    listings: Mapping[int, Listing],
    report: DriftReport,
) -> None:
    variants = {v.id: v for link in plinks for v in listings[link.listing_id].variants}
    drifted: set[int] = set()
    by_product_stock: list[Link] = []
    for link in plinks:
        variant = variants.get(link.variant_id)
        item = seen.get((product_ref, link.variant_ref))
        if variant is None:
            continue
        if link.stock_ref:
            by_product_stock.append(link)
        if item is None:
            continue
        report.checked += 1
        price = item.price
        fix_price = price is not None and price != link.pushed_price
        quantity = item.quantity if not link.stock_ref else None
        fix_quantity = quantity is not None and quantity != link.pushed_quantity
        if fix_price or fix_quantity:
            report.corrected.append(
                Seen(link.variant_id, link.listing_id, price, quantity, fix_price, fix_quantity)
            )
        if (fix_price and variant.price is not None and price != variant.price) or (
            fix_quantity and variant.quantity is not None and quantity != variant.quantity
        ):
            drifted.add(link.variant_id)
    held = seen.get((product_ref, None))
    # Only variants with a quantity in the hub have one to put back (as in the change plan).
    stocked = [k for k in by_product_stock if variants[k.variant_id].quantity is not None]
    if stocked and held is not None and held.quantity is not None:
        hub_total = sum(variants[k.variant_id].quantity or 0 for k in plinks)
        pushed_total = sum(k.pushed_quantity or 0 for k in plinks)
        if held.quantity != pushed_total and held.quantity != hub_total:
            # The product's one number is not any variant's: forget what was pushed, so the
            # plan sends the total again.
            for link in stocked:
                report.corrected.append(
                    Seen(link.variant_id, link.listing_id, None, None, False, True)
                )
                drifted.add(link.variant_id)
    for link in plinks:
        if link.variant_id in drifted:
            report.drifted.append((link.listing_id, link.variant_id))
