"""Which channel writes a listing needs on one connection: the plan sync_listings works from.

Pure: a listing as the hub has it now, and its links on the connection (what the channel was
last told), give one `ProductChanges` per channel product. Every channel follows the same rules:

- a paused listing gets nothing at all (its changes go out once it is unpaused);
- presence acts on the whole parent: hide, unhide and delist are per channel product, for all
  of its variants at once;
- a delisted listing's products are delisted and nothing else is sent to them;
- a price or quantity is written when the hub's differs from what the link says was pushed;
- a variant of a published listing with no link on the connection (added after publishing)
  cannot be placed: it is reported, never silently left out.

A channel turns the changes into its API's requests and reports each one's outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from flxd.hub.links import LIVE_STATES
from flxd.hub.model import Link, LinkState, Listing, ListingStatus, Presence, Variant

__all__ = [
    "ChangeKind",
    "ListingChange",
    "ListingPlan",
    "ProductChanges",
    "Unplaced",
    "plan_listing",
]


class ChangeKind(StrEnum):
    PRICE = "update_price"
    QUANTITY = "update_quantity"
    HIDE = "hide"
    UNHIDE = "unhide"
    DELIST = "delist"

    @property
    def presence(self) -> LinkState | None:
        """The state the product's links take once the channel took this change."""
        return _PRESENCE.get(self)


_PRESENCE = {
    ChangeKind.HIDE: LinkState.HIDDEN,
    ChangeKind.UNHIDE: LinkState.LISTED,
    ChangeKind.DELIST: LinkState.DELISTED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ListingChange:
    """One write the channel needs: a variant's price or quantity, or a product's presence."""

    kind: ChangeKind
    listing_key: str
    product_ref: str
    links: tuple[Link, ...]
    """Every link of the channel product (presence changes apply to all of them)."""
    variant: Variant | None = None
    """The variant (price and quantity changes)."""
    link: Link | None = None
    """The variant's link (price and quantity changes)."""
    old: Decimal | int | None = None
    new: Decimal | int | None = None
    product_quantity: int | None = None
    """Quantity changes: the total of the product's linked variants in the hub, for a channel
    that keeps stock by product rather than by variant."""

    @property
    def sku(self) -> str | None:
        return None if self.variant is None else self.variant.sku

    @property
    def variant_ids(self) -> tuple[int, ...]:
        """The hub variants this change is about."""
        if self.variant is not None:
            return (self.variant.id,)
        return tuple(k.variant_id for k in self.links)

    def describe(self) -> dict[str, Any]:
        """The change as a dry run's plan shows it."""
        if self.variant is None:
            return {
                "action": self.kind.value,
                "listing": self.listing_key,
                "product": self.product_ref,
            }
        return {
            "action": self.kind.value,
            "sku": self.variant.sku,
            "old": None if self.old is None else str(self.old),
            "new": str(self.new),
        }


@dataclass(frozen=True, slots=True)
class ProductChanges:
    """Everything one channel product needs, presence first."""

    listing: Listing
    product_ref: str
    links: tuple[Link, ...]
    changes: tuple[ListingChange, ...]


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A hub variant sync cannot place on the channel, and why."""

    variant: Variant
    listing_key: str
    reason: str


@dataclass(slots=True)
class ListingPlan:
    products: list[ProductChanges] = field(default_factory=list)
    settled: list[tuple[tuple[int, ...], LinkState]] = field(default_factory=list)
    """Links to put in a state without asking the channel (a delisted listing's products that
    are gone from the store already)."""
    unplaced: list[Unplaced] = field(default_factory=list)
    paused: bool = False


def plan_listing(listing: Listing, links: Sequence[Link]) -> ListingPlan:
    """What `listing` needs on the connection its `links` belong to."""
    plan = ListingPlan()
    if not links:
        return plan
    if listing.status is ListingStatus.PAUSED:
        plan.paused = True
        return plan
    products: dict[str, list[Link]] = {}
    for link in links:
        if link.state in LIVE_STATES and link.product_ref:
            products.setdefault(link.product_ref, []).append(link)
    if listing.presence is Presence.DELISTED:
        gone = tuple(k.variant_id for k in links if k.state is LinkState.MISSING)
        if gone:  # nothing left on the store to remove
            plan.settled.append((gone, LinkState.DELISTED))
        for product_ref, plinks in products.items():
            delist = _presence(ChangeKind.DELIST, listing, product_ref, plinks)
            plan.products.append(ProductChanges(listing, product_ref, tuple(plinks), (delist,)))
        return plan
    variants = {v.id: v for v in listing.variants}
    linked = {k.variant_id for k in links}
    if products:  # the listing is on the channel; a variant with no link there is not
        plan.unplaced += [
            Unplaced(v, listing.key, "not on the channel: added after the listing was published")
            for v in listing.variants
            if v.id not in linked
        ]
    for product_ref, plinks in products.items():
        changes: list[ListingChange] = []
        states = {k.state for k in plinks}
        if listing.presence is Presence.HIDDEN and LinkState.LISTED in states:
            changes.append(_presence(ChangeKind.HIDE, listing, product_ref, plinks))
        elif listing.presence is Presence.LISTED and LinkState.HIDDEN in states:
            changes.append(_presence(ChangeKind.UNHIDE, listing, product_ref, plinks))
        total = sum(variants[k.variant_id].quantity or 0 for k in plinks)
        for link in plinks:
            variant = variants[link.variant_id]
            if variant.price is not None and variant.price != link.pushed_price:
                changes.append(
                    _variant_change(
                        ChangeKind.PRICE,
                        listing,
                        product_ref,
                        plinks,
                        variant,
                        link,
                        link.pushed_price,
                        variant.price,
                    )
                )
            if variant.quantity is not None and variant.quantity != link.pushed_quantity:
                changes.append(
                    _variant_change(
                        ChangeKind.QUANTITY,
                        listing,
                        product_ref,
                        plinks,
                        variant,
                        link,
                        link.pushed_quantity,
                        variant.quantity,
                        total,
                    )
                )
        if changes:
            plan.products.append(
                ProductChanges(listing, product_ref, tuple(plinks), tuple(changes))
            )
    return plan


def _presence(
    kind: ChangeKind, listing: Listing, product_ref: str, links: Sequence[Link]
) -> ListingChange:
    return ListingChange(
        kind=kind, listing_key=listing.key, product_ref=product_ref, links=tuple(links)
    )


def _variant_change(
    kind: ChangeKind,
    listing: Listing,
    product_ref: str,
    links: Sequence[Link],
    variant: Variant,
    link: Link,
    old: Decimal | int | None,
    new: Decimal | int,
    product_quantity: int | None = None,
) -> ListingChange:
    return ListingChange(
        kind=kind,
        listing_key=listing.key,
        product_ref=product_ref,
        links=tuple(links),
        variant=variant,
        link=link,
        old=old,
        new=new,
        product_quantity=product_quantity,
    )
