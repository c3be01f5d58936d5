"""SKU matching: which hub variant each channel item becomes, for one page of imported products.

Pure, and the same for every channel: given the page (as neutral ChannelProducts) and what the
hub already has (variants with the same master SKUs, the links of these products and variants),
it decides what to create, what to overwrite, what to link and what to skip.

- The master SKU is the item identifier the settings name (`master_sku`); an item without one
  is skipped and named. SKUs match regardless of case.
- Two items of one page with the same master SKU: the first takes it, the other is skipped.
- A master SKU already linked to another live channel product stays with it (first come,
  first served), so it does not flip between two products on every import.
- New items join the listing their product's other variants are in, else the listing they were
  linked to, else a listing keyed by the product's own master SKU.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from flxd.config.operations import ImportListingsSettings
from flxd.errors import RecordError
from flxd.hub.links import LIVE_STATES
from flxd.hub.model import Link, LinkState, Pairs, Variant, VariantUpdate, sku_key

__all__ = [
    "ChannelItem",
    "ChannelProduct",
    "HubView",
    "ImportPlan",
    "Match",
    "listing_key_candidates",
    "new_links",
    "plan_page",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelItem:
    """One sellable item of a channel product: a variant, or a simple product itself."""

    product_ref: str
    variant_ref: str | None
    """None for a simple product (the product is the item)."""
    identifiers: Mapping[str, str | None]
    """What identifies it on the channel, by name: "sku", "upc", "mpn", "gtin", or any other
    the channel offers as a master SKU (its ImportListingsSettings narrows `master_sku`)."""
    price: Decimal | None
    quantity: int | None
    """None when the channel does not keep this item's stock by itself."""
    options: Pairs = ()
    stock_ref: str | None = None
    """Where the item's stock lives when it is not the item itself (its product)."""

    def master(self, field: str) -> str | None:
        value = self.identifiers.get(field)
        return value or None

    @property
    def record(self) -> str:
        """How log lines and run errors name this item."""
        if self.variant_ref is None:
            return f"product {self.product_ref}"
        return f"product {self.product_ref} variant {self.variant_ref}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelProduct:
    ref: str
    name: str
    description: str | None
    identifiers: Mapping[str, str | None]
    attributes: Pairs
    items: tuple[ChannelItem, ...]
    stock: int | None = None
    """The product's own stock, when it keeps stock for its variants (they have none); else
    None."""

    def master(self, field: str) -> str | None:
        value = self.identifiers.get(field)
        return value or None


@dataclass(frozen=True, slots=True)
class HubView:
    """What the hub has that this page touches."""

    variants: Mapping[str, Variant]
    """Existing hub variants by `sku_key` of a master SKU on the page."""
    listing_keys: Mapping[int, str]
    """Keys of the listings those variants and the page's links belong to."""
    listings_by_key: Mapping[str, int]
    """Existing listings among the keys new listings would get."""
    product_links: Sequence[Link]
    """Links to the page's products."""
    variant_links: Mapping[int, Link]
    """Links of the matched hub variants, by hub variant id."""


@dataclass(frozen=True, slots=True)
class Match:
    item: ChannelItem
    master: str
    existing: Variant | None
    """The hub variant with this master SKU before the import (None: created now)."""
    newly_linked: bool
    """No link tied this hub variant to this very item before."""
    prices_imported: bool
    """The hub took the channel's price and quantity (created, or overwritten)."""


@dataclass(slots=True)
class ImportPlan:
    updates: list[VariantUpdate] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    skips: list[RecordError] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    """Hub variants whose link to an item on this page now belongs to another hub variant."""
    vanished: list[int] = field(default_factory=list)
    """Hub variants linked to an item these products no longer have."""


def listing_key_candidates(
    products: Sequence[ChannelProduct], settings: ImportListingsSettings
) -> set[str]:
    """Keys the page's products would give new listings (looked up before planning)."""
    keys = set()
    for product in products:
        key = _own_key(product, settings)
        if key is not None:
            keys.add(key)
    return keys


def plan_page(
    products: Sequence[ChannelProduct], settings: ImportListingsSettings, hub: HubView
) -> ImportPlan:
    field_name = settings.master_sku
    overwrite = settings.mode == "create_and_overwrite"
    plan = ImportPlan()
    claimed: dict[str, str] = {}  # sku_key -> the item that took it on this page
    links_of: dict[str, list[Link]] = {}
    for link in hub.product_links:
        links_of.setdefault(link.product_ref, []).append(link)
    for product in products:
        kept: list[tuple[ChannelItem, str, Variant | None]] = []
        for item in product.items:
            master = item.master(field_name)
            if not master:
                plan.skips.append(RecordError(f"no {field_name}", record=item.record))
                continue
            key = sku_key(master)
            if key in claimed:
                plan.skips.append(
                    RecordError(
                        f"{field_name} {master!r} is also {claimed[key]}", record=item.record
                    )
                )
                continue
            existing = hub.variants.get(key)
            holder = hub.variant_links.get(existing.id) if existing is not None else None
            if (
                holder is not None
                and holder.state in LIVE_STATES
                and holder.product_ref != product.ref
            ):
                plan.skips.append(
                    RecordError(
                        f"{field_name} {master!r} is already linked to product "
                        f"{holder.product_ref}",
                        record=item.record,
                    )
                )
                continue
            claimed[key] = item.record
            kept.append((item, master, existing))
        prior = links_of.get(product.ref, [])
        _plan_product(plan, product, kept, prior, hub, settings, overwrite)
    return plan


def _plan_product(
    plan: ImportPlan,
    product: ChannelProduct,
    kept: list[tuple[ChannelItem, str, Variant | None]],
    prior: list[Link],
    hub: HubView,
    settings: ImportListingsSettings,
    overwrite: bool,
) -> None:
    refs = {_refs(item) for item in product.items}
    by_refs = {(link.product_ref, link.variant_ref): link for link in prior}
    plan.vanished += [
        link.variant_id
        for link in prior
        if (link.product_ref, link.variant_ref) not in refs and link.state in LIVE_STATES
    ]
    if not kept:
        return
    key, exists = _listing_of(product, kept, prior, hub, settings)
    for item, master, existing in kept:
        before = by_refs.get(_refs(item))
        if before is not None and (existing is None or before.variant_id != existing.id):
            plan.superseded.append(before.variant_id)
        newly = before is None or existing is None or before.variant_id != existing.id
        if existing is None:
            plan.updates.append(_full_update(product, item, master, key, listing=not exists))
        elif overwrite:
            target = hub.listing_keys[existing.listing_id]
            if settings.overwrite_product_data:
                plan.updates.append(_full_update(product, item, master, target, listing=True))
            else:
                plan.updates.append(
                    VariantUpdate(sku=master, price=item.price, quantity=item.quantity)
                )
        plan.matches.append(
            Match(
                item=item,
                master=master,
                existing=existing,
                newly_linked=newly,
                prices_imported=existing is None or overwrite,
            )
        )


def _listing_of(
    product: ChannelProduct,
    kept: list[tuple[ChannelItem, str, Variant | None]],
    prior: list[Link],
    hub: HubView,
    settings: ImportListingsSettings,
) -> tuple[str, bool]:
    """(listing key, whether that listing exists) for the product's new hub variants: the
    listing its other variants are in, else the one it was linked to, else its own key."""
    for _, _, existing in kept:
        if existing is not None:
            return hub.listing_keys[existing.listing_id], True
    for link in prior:
        if link.listing_id in hub.listing_keys:
            return hub.listing_keys[link.listing_id], True
    key = _own_key(product, settings) or kept[0][1]
    return key, key in hub.listings_by_key


def _own_key(product: ChannelProduct, settings: ImportListingsSettings) -> str | None:
    own = product.master(settings.master_sku)
    if own:
        return own
    first = product.items[0].master(settings.master_sku) if product.items else None
    return first or None


def _full_update(
    product: ChannelProduct, item: ChannelItem, master: str, parent: str, *, listing: bool
) -> VariantUpdate:
    """The hub variant as the channel has it; `listing` also states the listing's name and
    description (left out when the variant joins a listing the import must not change)."""
    return VariantUpdate(
        sku=master,
        parent=parent,
        listing_name=product.name if listing else None,
        description=product.description if listing else None,
        upc=item.identifiers.get("upc"),
        mpn=item.identifiers.get("mpn"),
        gtin=item.identifiers.get("gtin"),
        price=item.price,
        quantity=item.quantity,
        options=item.options,
        attributes=product.attributes,
    )


def _refs(item: ChannelItem) -> tuple[str, str | None]:
    return item.product_ref, item.variant_ref


def new_links(
    connection: str,
    plan: ImportPlan,
    variants: Mapping[str, tuple[int, int]],
    prior: Sequence[Link],
) -> list[Link]:
    """The links the plan makes, once every matched hub variant exists (`variants`: (variant
    id, listing id) by `sku_key`). Pushed values are what the channel has now; a hidden
    product stays hidden."""
    hidden = {
        (link.product_ref, link.variant_ref) for link in prior if link.state is LinkState.HIDDEN
    }
    links = []
    for match in plan.matches:
        variant_id, listing_id = variants[sku_key(match.master)]
        refs = _refs(match.item)
        links.append(
            Link(
                connection=connection,
                variant_id=variant_id,
                listing_id=listing_id,
                product_ref=refs[0],
                variant_ref=refs[1],
                state=LinkState.HIDDEN if refs in hidden else LinkState.LISTED,
                pushed_price=match.item.price,
                pushed_quantity=match.item.quantity,
                stock_ref=match.item.stock_ref,
            )
        )
    return links
