"""`sync_listings` on BigCommerce: core plans the changes (flxd.plugin.flows.sync_listings); this
turns them into BigCommerce's batch requests and reports each change's outcome.

- price: option variants through the variants batch, simple products through the products
  batch; quantity: inventory absolute adjustments (by variant id, or product id for a simple
  product or one that keeps stock by product) at `location_id`;
- hide / unhide: the product's `availability` (`disabled` / `available`) through the products
  batch -- BigCommerce has one availability for a product and all its variants;
- delist: the product (with all its variants) is deleted; only a later publish lists it again.

Several changes to one target (a product's price and availability) go out as one batch item.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from flxd.plugin import (
    ChangeKind,
    ListingChange,
    ProductChanges,
    RunContext,
    SyncOutcomes,
    sync_listings,
)
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import SyncListingsSettings
from flxd_bigcommerce.listings.batches import BATCH_SIZES, KINDS, BatchSender, Delivery, Kind, Write
from flxd_bigcommerce.listings.payload import number

__all__ = ["BigCommerceWriter", "run_sync"]

_AVAILABILITY = {ChangeKind.HIDE: "disabled", ChangeKind.UNHIDE: "available"}


async def run_sync(client: BigCommerceClient, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, SyncListingsSettings)
    await sync_listings(ctx, BigCommerceWriter(client, settings.location_id, ctx))


class BigCommerceWriter:
    """Queues writes per target (one item per product or variant) and sends full batches."""

    def __init__(self, client: BigCommerceClient, location_id: int, ctx: RunContext) -> None:
        self._sender = BatchSender(client, location_id=location_id)
        self._log = ctx.log
        self._pending: dict[Kind, dict[tuple[str, int], Write]] = {k: {} for k in KINDS}

    async def write(self, products: Sequence[ProductChanges], outcomes: SyncOutcomes) -> None:
        for product in products:
            for change in product.changes:
                self._add(_write_for(change))
        await self._flush(outcomes, everything=False)

    async def flush(self, outcomes: SyncOutcomes) -> None:
        await self._flush(outcomes, everything=True)

    def _add(self, write: Write) -> None:
        pending = self._pending[write.kind]
        earlier = pending.get(write.target)
        if earlier is None:
            pending[write.target] = write
        else:
            earlier.merge(write)

    async def _flush(self, outcomes: SyncOutcomes, *, everything: bool) -> None:
        """Send full batches (and, with `everything`, the partly filled ones too)."""
        for kind in KINDS:
            size = BATCH_SIZES[kind]
            pending = self._pending[kind]
            while len(pending) >= size or (everything and pending):
                batch = [pending.pop(t) for t in list(pending)[:size]]
                # Nothing is pushed to a product found missing or that this round deletes.
                doomed = {int(ref) for ref in outcomes.missing}
                if kind != "delete":
                    doomed.update(w.product_id for w in self._pending["delete"].values())
                batch = [w for w in batch if w.product_id not in doomed]
                if batch:
                    self._report(await self._sender.send(kind, batch), outcomes)

    def _report(self, delivery: Delivery, outcomes: SyncOutcomes) -> None:
        for write in delivery.taken:
            outcomes.taken(*write.changes)
        for write in delivery.missing:
            outcomes.product_missing(str(write.product_id), write.linked, "deleted on BigCommerce")
        if delivery.by_product:
            self._log.info(
                "stock tracked by product on BigCommerce: set to the total of its variants",
                products=sorted(delivery.by_product),
            )
            for write in delivery.taken:
                if write.product_id in delivery.by_product:
                    outcomes.stock_at(write.linked, str(write.product_id))
        for write, message in delivery.gone:
            for change in write.changes:
                outcomes.variant_missing(change, message)
        for write, message in delivery.refused:
            for change in write.changes:
                outcomes.refused(change, f"BigCommerce refused it: {message}")
        for write, message in delivery.again:
            for change in write.changes:
                outcomes.again(change, f"BigCommerce did not save it: {message}")


def _write_for(change: ListingChange) -> Write:
    """The batch item a change needs (merged later with others to the same target)."""
    product_id = int(change.product_ref)
    linked = tuple(k.variant_id for k in change.links)
    link = change.link
    if change.kind is ChangeKind.DELIST:
        write = Write("delete", ("id", product_id), product_id, linked)
    elif change.kind in _AVAILABILITY:
        write = Write("products", ("id", product_id), product_id, linked)
        write.body = {"id": product_id, "availability": _AVAILABILITY[change.kind]}
    elif change.kind is ChangeKind.PRICE:
        assert link is not None
        if link.variant_ref:
            write = Write("variants", ("id", int(link.variant_ref)), product_id, linked)
        else:
            write = Write("products", ("id", product_id), product_id, linked)
        assert isinstance(change.new, Decimal)
        write.body = {"id": write.target[1], "price": number(change.new)}
    else:
        assert link is not None and change.kind is ChangeKind.QUANTITY
        # Stock tracked by product: the product's stock is its variants' total.
        if link.stock_ref:
            target = ("product_id", int(link.stock_ref))
        elif link.variant_ref:
            target = ("variant_id", int(link.variant_ref))
        else:
            target = ("product_id", product_id)
        write = Write("stock", target, product_id, linked)
        quantity = change.product_quantity if link.stock_ref else change.new
        write.body = {target[0]: target[1], "quantity": quantity}
        write.product_stock = change.product_quantity
    write.changes.append(change)
    return write
