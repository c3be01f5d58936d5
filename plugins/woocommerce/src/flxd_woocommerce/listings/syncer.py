"""`sync_listings` on WooCommerce: core plans the changes (flxd.plugin.flows.sync_listings); this
turns them into WooCommerce's batch requests and reports each change's outcome.

- price: the regular price (a sale price the merchant set stays), of a variation through its
  product's `/products/{id}/variations/batch`, of a simple product through `/products/batch`;
- quantity: managed stock (`manage_stock` on, `stock_quantity`) of the variation, or of the
  product for a simple one or one whose variations take the product's stock (set to the total
  of its variants);
- hide / unhide: the product's `catalog_visibility` (`hidden` / `visible`), for the whole
  product; delist: the product goes to draft (never deleted, so nothing the store knows of
  it is lost; relist and publish bring it back).

One batch item per target (a product's price and visibility together), 100 items a request;
WooCommerce takes variations only through their own product's route, so each product's
variations go in their own requests. Each item's outcome is in the answer: taken; the product
or variation gone (deleted behind flxd's back); refused with WooCommerce's message; or not
saved (a database error on that item, a 5xx inside the answer), which the next run sends again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flxd.plugin import (
    ChangeKind,
    ListingChange,
    ProductChanges,
    RunContext,
    SyncOutcomes,
    sync_listings,
)
from flxd_woocommerce.client import MAX_BATCH, BatchItem, WooClient
from flxd_woocommerce.errors import NotFound
from flxd_woocommerce.listings.payload import amount

__all__ = ["WooCommerceWriter", "run_sync"]

_PRODUCT_GONE = frozenset({"woocommerce_rest_product_invalid_id"})
_VARIATION_GONE = frozenset({"woocommerce_rest_product_variation_invalid_id"})
_BODIES: dict[ChangeKind, dict[str, str]] = {
    ChangeKind.HIDE: {"catalog_visibility": "hidden"},
    ChangeKind.UNHIDE: {"catalog_visibility": "visible"},
    ChangeKind.DELIST: {"status": "draft"},
}


async def run_sync(client: WooClient, ctx: RunContext) -> None:
    await sync_listings(ctx, WooCommerceWriter(client))


@dataclass(slots=True)
class _Item:
    """One batch item: the planned changes it carries to one product or variation."""

    product_id: int
    variation_id: int | None
    body: dict[str, Any] = field(default_factory=dict)
    changes: list[ListingChange] = field(default_factory=list)
    linked: tuple[int, ...] = ()

    def add(self, change: ListingChange, body: dict[str, Any]) -> None:
        self.body.update(body)
        self.changes.append(change)


class WooCommerceWriter:
    """Queues one item per target; sends full batches as they fill, the rest at the end."""

    def __init__(self, client: WooClient) -> None:
        self._client = client
        self._products: dict[int, _Item] = {}
        self._variations: dict[int, dict[int, _Item]] = {}

    async def write(self, products: Sequence[ProductChanges], outcomes: SyncOutcomes) -> None:
        for product in products:
            for change in product.changes:
                self._add(change)
        await self._send(outcomes, everything=False)

    async def flush(self, outcomes: SyncOutcomes) -> None:
        await self._send(outcomes, everything=True)

    def _add(self, change: ListingChange) -> None:
        product_id = int(change.product_ref)
        linked = tuple(k.variant_id for k in change.links)
        link = change.link
        if change.kind in _BODIES:
            self._product(product_id, linked).add(change, _BODIES[change.kind])
            return
        assert link is not None
        if change.kind is ChangeKind.PRICE:
            assert isinstance(change.new, Decimal)
            body: dict[str, Any] = {"regular_price": amount(change.new)}
        elif link.stock_ref:  # the variations take the product's stock: it holds their total
            self._product(product_id, linked).add(
                change, {"manage_stock": True, "stock_quantity": change.product_quantity or 0}
            )
            return
        else:
            body = {"manage_stock": True, "stock_quantity": change.new}
        if link.variant_ref:
            variation_id = int(link.variant_ref)
            items = self._variations.setdefault(product_id, {})
            item = items.get(variation_id)
            if item is None:
                item = items[variation_id] = _Item(product_id, variation_id, linked=linked)
            item.add(change, body)
        else:
            self._product(product_id, linked).add(change, body)

    def _product(self, product_id: int, linked: tuple[int, ...]) -> _Item:
        item = self._products.get(product_id)
        if item is None:
            item = self._products[product_id] = _Item(product_id, None, linked=linked)
        return item

    async def _send(self, outcomes: SyncOutcomes, *, everything: bool) -> None:
        while len(self._products) >= MAX_BATCH or (everything and self._products):
            batch = [self._products.pop(p) for p in list(self._products)[:MAX_BATCH]]
            batch = [i for i in batch if str(i.product_id) not in outcomes.missing]
            if batch:
                await self._batch("products", batch, outcomes)
        for product_id in list(self._variations):
            items = self._variations[product_id]
            while len(items) >= MAX_BATCH or (everything and items):
                batch = [items.pop(v) for v in list(items)[:MAX_BATCH]]
                if str(product_id) not in outcomes.missing:
                    await self._batch(f"products/{product_id}/variations", batch, outcomes)
            if not items:
                del self._variations[product_id]

    async def _batch(self, path: str, items: list[_Item], outcomes: SyncOutcomes) -> None:
        # Absolute values: harmless twice; but one sent late by a node that lost the
        # connection could put back an older price: core confirms the lease first.
        try:
            answer = await self._client.batch(
                path,
                update=[{"id": i.variation_id or i.product_id, **i.body} for i in items],
                plan=[c.describe() for i in items for c in i.changes],
                irreversible=True,
            )
        except NotFound:  # the variations route of a product that is gone
            product = items[0]
            outcomes.product_missing(
                str(product.product_id), product.linked, "deleted on WooCommerce"
            )
            return
        if answer is None:
            for item in items:
                outcomes.taken(*item.changes)
            return
        for item, result in zip(items, answer["update"], strict=True):
            self._report(item, result, outcomes)

    def _report(self, item: _Item, result: BatchItem, outcomes: SyncOutcomes) -> None:
        if result.ok:
            outcomes.taken(*item.changes)
            return
        reason = f"{result.code}: {result.message}"
        if item.variation_id is None and result.code in _PRODUCT_GONE:
            outcomes.product_missing(str(item.product_id), item.linked, "deleted on WooCommerce")
        elif result.code in _VARIATION_GONE:
            for change in item.changes:
                outcomes.variant_missing(change, f"deleted on WooCommerce ({reason})")
        elif result.status >= 500:
            for change in item.changes:
                outcomes.again(change, f"WooCommerce did not save it: {reason}")
        else:
            for change in item.changes:
                outcomes.refused(change, f"WooCommerce refused it: {reason}")
