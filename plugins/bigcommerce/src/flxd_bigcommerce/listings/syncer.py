"""`sync_listings`: push hub changes since the cursor (a change sequence) to BigCommerce.

A run reads the change log in rounds: up to ROUND_LISTINGS listings touched since the cursor.
Each touched listing is compared, as it is now, with what its links say BigCommerce has; what
differs is queued per target (so a variant changed ten times is one item) and sent through the
batch endpoints as batches fill up, the rest at the end of the round. Then the pushed values,
link states and the cursor are committed. A crash between a batch and that commit leaves the
cursor where it was: the next run compares again and sends the same absolute values.

- price: option variants through the variants batch, simple products through the products
  batch; quantity: inventory absolute adjustments (by variant id, or product id for a simple
  product) at `location_id`;
- hide / unhide: the product's `availability` (`disabled` / `available`) through the products
  batch -- BigCommerce has one availability for a product and all its variants;
- delist: the product (with all its variants) is deleted; the links become `delisted` and only
  a later publish lists the listing again;
- paused listings are left alone entirely (their changes are pushed once unpaused).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from flxd.errors import RecordError
from flxd.hub.links import LIVE_STATES
from flxd.hub.model import Link, LinkState, Listing, ListingStatus, Presence
from flxd.plugin.context import HubWriter, RunContext
from flxd_bigcommerce.config import SyncListingsSettings
from flxd_bigcommerce.listings.batches import (
    BATCH_SIZES,
    KINDS,
    BatchSender,
    Delivery,
    Kind,
    Write,
)
from flxd_bigcommerce.listings.payload import number

if TYPE_CHECKING:
    from flxd_bigcommerce.channel import BigCommerceChannel

__all__ = ["ROUND_LISTINGS", "run_sync"]

ROUND_LISTINGS = 25_000
CHANGES_PAGE = 5_000
LISTINGS_PAGE = 500
_AVAILABILITY = {LinkState.HIDDEN: "disabled", LinkState.LISTED: "available"}
# What each presence change is called in plans and counts.
_ACTIONS = {LinkState.HIDDEN: "hide", LinkState.LISTED: "unhide", LinkState.DELISTED: "delist"}
_COUNTS = {LinkState.HIDDEN: "hidden", LinkState.LISTED: "unhidden", LinkState.DELISTED: "delisted"}


async def run_sync(channel: BigCommerceChannel, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, SyncListingsSettings)
    cursor = int(ctx.cursor() or 0)
    sender = BatchSender(
        channel.client, location_id=settings.location_id, confirm_lease=ctx.confirm_lease
    )
    while not ctx.stopping:
        touched, last = await _touched(ctx, cursor)
        if last == cursor:
            return
        round_ = _Round(ctx, sender, channel.name)
        complete = True
        for start in range(0, len(touched), LISTINGS_PAGE):
            if ctx.stopping:
                # Shutting down: send and record what is queued; the cursor stays, so the
                # listings not planned yet are compared again by the next run.
                complete = False
                break
            await round_.plan_page(touched[start : start + LISTINGS_PAGE])
        await round_.flush(everything=True)
        async with ctx.transaction() as hub:
            await round_.record(hub)
            if complete:
                hub.set_cursor(str(last))
        cursor = last


async def _touched(ctx: RunContext, cursor: int) -> tuple[list[int], int]:
    """Listings changed after `cursor` (up to a round's worth) and the last change covered."""
    listings: set[int] = set()
    last = cursor
    while len(listings) < ROUND_LISTINGS:
        async with ctx.transaction() as hub:
            batch = await hub.catalog.changes_since(last, CHANGES_PAGE)
        if not batch.changes:
            break
        listings.update(c.listing_id for c in batch.changes)
        last = batch.last_seq
    return sorted(listings), last


class _Round:
    """One round: every touched listing planned once, its writes sent, the results kept."""

    def __init__(self, ctx: RunContext, sender: BatchSender, connection: str) -> None:
        self.ctx = ctx
        self.sender = sender
        self.connection = connection
        self.pending: dict[Kind, dict[tuple[str, int], Write]] = {k: {} for k in KINDS}
        self.pushed: dict[int, list[Any]] = {}
        """Hub variant id -> [price, quantity] BigCommerce has, for the variants planned."""
        self.changed: set[int] = set()
        """Variants with a price or quantity BigCommerce took this round."""
        self.states: list[tuple[tuple[int, ...], LinkState | None, str | None]] = []
        """(hub variants, new link state or None to keep it, error) to record."""
        self.skus: dict[int, str] = {}
        self.missing: set[int] = set()
        """Products found deleted on BigCommerce this round (nothing more is sent to them)."""
        self.stock_refs: list[tuple[tuple[int, ...], str]] = []
        """Variants found to keep their stock at their product (remembered for next time)."""

    # ---- planning --------------------------------------------------------------------------

    async def plan_page(self, listing_ids: Sequence[int]) -> None:
        async with self.ctx.transaction() as hub:
            listings = await hub.catalog.listings_by_id(listing_ids)
            variant_ids = [v.id for item in listings.values() for v in item.variants]
            links = await hub.links.for_variants(self.connection, variant_ids)
        by_variant = {link.variant_id: link for link in links}
        for listing_id in listing_ids:
            listing = listings.get(listing_id)
            if listing is None:
                continue
            mine = [by_variant[v.id] for v in listing.variants if v.id in by_variant]
            if mine:
                self._plan(listing, mine)
        await self.flush(everything=False)

    def _plan(self, listing: Listing, links: list[Link]) -> None:
        if listing.status is ListingStatus.PAUSED:
            self.ctx.count("paused")
            return
        products: dict[str, list[Link]] = {}
        for link in links:
            if link.state in LIVE_STATES and link.product_ref:
                products.setdefault(link.product_ref, []).append(link)
        if listing.presence is Presence.DELISTED:
            gone = [k.variant_id for k in links if k.state is LinkState.MISSING]
            if gone:  # nothing left on the store to remove
                self.states.append((tuple(gone), LinkState.DELISTED, None))
            for product_ref, plinks in products.items():
                self._queue(
                    self._write("delete", ("id", int(product_ref)), plinks),
                    LinkState.DELISTED,
                    listing,
                )
            return
        variants = {v.id: v for v in listing.variants}
        for product_ref, plinks in products.items():
            states = {k.state for k in plinks}
            if listing.presence is Presence.HIDDEN and LinkState.LISTED in states:
                self._queue(
                    self._write("products", ("id", int(product_ref)), plinks),
                    LinkState.HIDDEN,
                    listing,
                )
            elif listing.presence is Presence.LISTED and LinkState.HIDDEN in states:
                self._queue(
                    self._write("products", ("id", int(product_ref)), plinks),
                    LinkState.LISTED,
                    listing,
                )
            for link in plinks:
                variant = variants[link.variant_id]
                self.pushed[link.variant_id] = [link.pushed_price, link.pushed_quantity]
                self.skus[link.variant_id] = variant.sku
                if variant.price is not None and variant.price != link.pushed_price:
                    if link.variant_ref:
                        write = self._write("variants", ("id", int(link.variant_ref)), plinks)
                    else:
                        write = self._write("products", ("id", int(product_ref)), plinks)
                    write.body["price"] = number(variant.price)
                    write.prices[variant.id] = variant.price
                    write.plans.append(
                        _plan("update_price", variant.sku, link.pushed_price, variant.price)
                    )
                    self._add(write)
                if variant.quantity is not None and variant.quantity != link.pushed_quantity:
                    # Stock tracked by product: the product's stock is its variants' total.
                    total = sum(variants[k.variant_id].quantity or 0 for k in plinks)
                    if link.stock_ref:
                        target = ("product_id", int(link.stock_ref))
                    elif link.variant_ref:
                        target = ("variant_id", int(link.variant_ref))
                    else:
                        target = ("product_id", int(product_ref))
                    write = self._write("stock", target, plinks)
                    write.body[target[0]] = target[1]
                    write.body["quantity"] = total if link.stock_ref else variant.quantity
                    write.product_stock = total
                    write.quantities[variant.id] = variant.quantity
                    write.plans.append(
                        _plan(
                            "update_quantity", variant.sku, link.pushed_quantity, variant.quantity
                        )
                    )
                    self._add(write)

    def _write(self, kind: Kind, target: tuple[str, int], links: list[Link]) -> Write:
        product_id = int(links[0].product_ref)
        write = Write(kind, target, product_id, tuple(k.variant_id for k in links))
        if kind in ("products", "variants"):
            write.body["id"] = target[1]
        return write

    def _queue(self, write: Write, state: LinkState, listing: Listing) -> None:
        """A presence change of a whole product (all its variants)."""
        write.state = state
        if write.kind == "products":
            write.body["availability"] = _AVAILABILITY[state]
        write.plans.append(
            {"action": _ACTIONS[state], "listing": listing.key, "product": write.product_id}
        )
        self._add(write)

    def _add(self, write: Write) -> None:
        pending = self.pending[write.kind]
        earlier = pending.get(write.target)
        if earlier is None:
            pending[write.target] = write
        else:
            earlier.merge(write)

    # ---- sending ---------------------------------------------------------------------------

    async def flush(self, *, everything: bool) -> None:
        """Send full batches (and, with `everything`, the partly filled ones too)."""
        for kind in KINDS:
            size = BATCH_SIZES[kind]
            pending = self.pending[kind]
            while len(pending) >= size or (everything and pending):
                targets = list(pending)[:size]
                batch = [pending.pop(t) for t in targets]
                # Nothing is pushed to a product found missing or that this round deletes.
                doomed = set(self.missing)
                if kind != "delete":
                    doomed.update(w.product_id for w in self.pending["delete"].values())
                batch = [w for w in batch if w.product_id not in doomed]
                await self._send(kind, batch)

    async def _send(self, kind: Kind, batch: list[Write]) -> None:
        if not batch:
            return
        if self.ctx.dry_run:
            for write in batch:
                for entry in write.plans:
                    self.ctx.plan(**entry)
            self._taken(batch)
            return
        delivery = await self.sender.send(kind, batch)
        self._taken(delivery.taken)
        self._settle(delivery)

    def _taken(self, writes: Iterable[Write]) -> None:
        for write in writes:
            for variant_id, price in write.prices.items():
                self.pushed[variant_id][0] = price
                self.changed.add(variant_id)
            for variant_id, quantity in write.quantities.items():
                self.pushed[variant_id][1] = quantity
                self.changed.add(variant_id)
            if write.state is not None:
                self.states.append((write.linked, write.state, None))
                self.ctx.count(_COUNTS[write.state])

    def _settle(self, delivery: Delivery) -> None:
        for write in delivery.missing:
            self.states.append((write.linked, LinkState.MISSING, "deleted on BigCommerce"))
        if delivery.by_product:
            self.ctx.log.info(
                "stock tracked by product on BigCommerce: set to the total of its variants",
                products=sorted(delivery.by_product),
            )
            for write in delivery.taken:
                if write.product_id in delivery.by_product:
                    self.stock_refs.append((write.linked, str(write.product_id)))
        missing = {w.product_id for w in delivery.missing} - self.missing
        if missing:
            self.missing |= missing
            self.ctx.count("missing", len(missing))
            self.ctx.log.warning("products deleted on BigCommerce", products=sorted(missing))
        for write, message in delivery.gone:
            self.states.append((write.variants, LinkState.MISSING, message))
            self.ctx.count("missing")
        for write, message in delivery.refused:
            self.states.append((write.variants, None, message))
            record = ", ".join(self.skus.get(v, str(v)) for v in write.variants)
            self.ctx.skip(RecordError(f"BigCommerce refused it: {message}", record=record))

    # ---- recording -------------------------------------------------------------------------

    async def record(self, hub: HubWriter) -> None:
        """Save what BigCommerce now has: pushed values and link states."""
        await hub.links.record_pushed(
            self.connection, [(vid, *self.pushed[vid]) for vid in sorted(self.changed)]
        )
        if self.changed:
            self.ctx.count("pushed", len(self.changed))
        for variant_ids, state, error in self.states:
            await hub.links.mark(self.connection, variant_ids, state=state, error=error)
        for variant_ids, stock_ref in self.stock_refs:
            await hub.links.locate_stock(self.connection, variant_ids, stock_ref)


def _plan(action: str, sku: str, old: object, new: object) -> dict[str, Any]:
    return {"action": action, "sku": sku, "old": None if old is None else str(old), "new": str(new)}
