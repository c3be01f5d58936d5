"""The memory channel's listings, each on core's side of the work:

- import: the store's products, page by page, as neutral ChannelProducts; core's import flow
  matches SKUs, links, and commits each page with its cursor;
- publish: a product for each hub listing core says is publishable, looked up by SKU first (a
  run that crashed after the create must not create it twice);
- sync: core plans the changes; a BatchWriter sends them as batch writes and reports each
  item's result (the store answers 207 when it did not take them all).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any

from flxd.plugin import (
    ChangeKind,
    ChannelItem,
    ChannelProduct,
    ImportPage,
    Link,
    LinkState,
    Listing,
    ListingChange,
    PermanentError,
    ProductChanges,
    RecordError,
    RunContext,
    SyncOutcomes,
    sync_listings,
)
from flxd_memory.api import MemoryApi

__all__ = ["BatchWriter", "product_pages", "publish", "sync"]

BATCH = 50
"""Items the store takes in one batch write (its documented maximum)."""


async def product_pages(api: MemoryApi, ctx: RunContext, limit: int) -> AsyncIterator[ImportPage]:
    """The store's products changed after the cursor, a page at a time (for `import_pages`)."""
    after = ctx.cursor() or "0"
    while True:
        page = await api.get("/products", {"after": after, "limit": limit})
        products, skipped = [], []
        for raw in page["data"]:
            try:
                products.append(_product(raw))
            except (KeyError, TypeError, ArithmeticError) as exc:
                skipped.append(
                    RecordError(f"unreadable: {exc!r}", record=f"product {raw.get('id', '?')}")
                )
        if page["data"]:
            after = str(page["data"][-1]["modified"])
            yield ImportPage(products, cursor=after, skipped=skipped)
        if page["next"] is None:  # the store's end marker; a short page is not the end
            return


def _product(raw: dict[str, Any]) -> ChannelProduct:
    ref = str(raw["id"])
    items = tuple(
        ChannelItem(
            product_ref=ref,
            variant_ref=str(v["id"]),
            identifiers={"sku": v["sku"]},
            price=_decimal(v["price"]),
            quantity=v["quantity"],
        )
        for v in raw["variants"]
    )
    return ChannelProduct(
        ref=ref, name=raw["name"], description=None, identifiers={}, attributes=(), items=items
    )


async def publish(api: MemoryApi, ctx: RunContext, limit: int) -> None:
    async with ctx.transaction() as hub:
        start = await hub.catalog.last_seq()
    previous = ctx.cursor()
    after = 0
    while not ctx.stopping:
        async with ctx.transaction() as hub:
            ids = await hub.links.publishable(
                ctx.connection,
                after_id=after,
                limit=limit,
                changed_after=int(previous) if previous else None,
            )
            listings = await hub.catalog.listings_by_id(ids)
        if not ids:
            break
        for listing_id in ids:
            await _publish(api, ctx, listings[listing_id])
        after = ids[-1]
    if not ctx.stopping:  # refused listings are tried again once they change after `start`
        async with ctx.transaction() as hub:
            hub.set_cursor(str(start))


async def _publish(api: MemoryApi, ctx: RunContext, listing: Listing) -> None:
    found = await api.get("/products", {"sku": listing.variants[0].sku, "limit": 1})
    if found["data"]:
        product = found["data"][0]
        ctx.count("linked")
    else:
        body = {
            "name": listing.name or listing.key,
            "variants": [
                {"sku": v.sku, "price": _text(v.price), "quantity": v.quantity}
                for v in listing.variants
            ],
        }
        plan = {
            "action": "create_product",
            "listing": listing.key,
            "variants": len(listing.variants),
        }
        try:
            answer = await api.write("/products", body, plan=plan, irreversible=True)
        except PermanentError as exc:  # a SKU taken by another product
            ctx.skip(RecordError(str(exc), record=listing.key))
            async with ctx.transaction() as hub:
                await hub.links.save(
                    [_failed(ctx, listing, v.id, str(exc)) for v in listing.variants]
                )
            return
        ctx.count("created")
        if answer.planned:  # a dry run's: nothing was created, nothing to link
            return
        product = answer.data
    await _link(ctx, listing, product)


async def _link(ctx: RunContext, listing: Listing, product: dict[str, Any]) -> None:
    """Link each hub variant to the product's variant with its SKU, recording what the store
    has; where that differs from the hub, the next sync sends the hub's values."""
    on_store = {v["sku"].lower(): v for v in product["variants"]}
    links, differing = [], []
    for variant in listing.variants:
        item = on_store.get(variant.sku.lower())
        if item is None:
            continue  # not on that product: sync reports it as unplaced
        price = _decimal(item["price"])
        links.append(
            Link(
                connection=ctx.connection,
                variant_id=variant.id,
                listing_id=listing.id,
                product_ref=str(product["id"]),
                variant_ref=str(item["id"]),
                state=LinkState.LISTED,
                pushed_price=price,
                pushed_quantity=item["quantity"],
            )
        )
        if (variant.price, variant.quantity) != (price, item["quantity"]):
            differing.append((listing.id, variant.id))
    async with ctx.transaction() as hub:
        await hub.links.save(links)
        await hub.catalog.mark_changed(differing, "linked")


def _failed(ctx: RunContext, listing: Listing, variant_id: int, error: str) -> Link:
    return Link(
        connection=ctx.connection,
        variant_id=variant_id,
        listing_id=listing.id,
        product_ref="",
        variant_ref=None,
        state=LinkState.FAILED,
        error=error,
    )


async def sync(api: MemoryApi, ctx: RunContext) -> None:
    await sync_listings(ctx, BatchWriter(api))


class BatchWriter:
    """core's ListingWriter for the memory store: one batch item per planned change."""

    def __init__(self, api: MemoryApi) -> None:
        self._api = api
        self._queued: list[ListingChange] = []

    async def write(self, products: Sequence[ProductChanges], outcomes: SyncOutcomes) -> None:
        self._queued += [change for product in products for change in product.changes]
        while len(self._queued) >= BATCH:
            await self._send(outcomes)

    async def flush(self, outcomes: SyncOutcomes) -> None:
        while self._queued:
            await self._send(outcomes)

    async def _send(self, outcomes: SyncOutcomes) -> None:
        batch, self._queued = self._queued[:BATCH], self._queued[BATCH:]
        # Nothing more goes to a product found deleted earlier in this round.
        batch = [change for change in batch if change.product_ref not in outcomes.missing]
        if not batch:
            return
        # Absolute values, harmless twice; but a node that lost the connection must not send
        # an older price after the new holder sent a newer one: core confirms the lease first.
        answer = await self._api.write(
            "/batch",
            [_item(change) for change in batch],
            plan=[change.describe() for change in batch],
            irreversible=True,
        )
        if answer.planned:  # a dry run: core rolls the outcomes back with the rest
            outcomes.taken(*batch)
            return
        for change, result in zip(batch, answer.data["results"], strict=True):
            if result["status"] == 200:
                outcomes.taken(change)
            elif result["status"] == 404 and change.variant is None:
                variants = [link.variant_id for link in change.links]
                outcomes.product_missing(change.product_ref, variants, result["error"])
            elif result["status"] == 404:
                outcomes.variant_missing(change, result["error"])
            elif result["status"] >= 500:
                outcomes.again(change, f"the memory store failed it: {result['error']}")
            else:
                outcomes.refused(change, f"the memory store refused it: {result['error']}")


def _item(change: ListingChange) -> dict[str, Any]:
    if change.kind is ChangeKind.DELIST:
        return {"product": int(change.product_ref), "delete": True}
    if change.kind in (ChangeKind.HIDE, ChangeKind.UNHIDE):
        return {"product": int(change.product_ref), "available": change.kind is ChangeKind.UNHIDE}
    assert change.link is not None and change.link.variant_ref is not None
    field = "price" if change.kind is ChangeKind.PRICE else "quantity"
    value = _text(change.new) if isinstance(change.new, Decimal) else change.new
    return {"variant": int(change.link.variant_ref), field: value}


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")
