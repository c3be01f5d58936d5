"""import_listings, the part every channel shares: pages of channel products into the hub.

The channel scans its catalog and yields `ImportPage`s: its products as neutral ChannelProducts
(flxd.hub.matching) and the cursor each page moves to. Core matches items to hub variants by
master SKU, creates or overwrites per the settings, links, flags drift, and commits each page
with its cursor in one transaction. Pages are fetched while earlier ones are written; pages
fetched while the hub was busy are applied together (the hub then commits, and syncs to disk,
less often, and keeps up with the store).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field

import anyio
from anyio.abc import ObjectSendStream

from flxd.config.operations import ImportListingsSettings
from flxd.errors import RecordError
from flxd.hub.matching import (
    ChannelProduct,
    HubView,
    ImportPlan,
    Match,
    listing_key_candidates,
    new_links,
    plan_page,
)
from flxd.hub.model import LinkState, ListingStatus
from flxd.plugin.context import HubWriter, RunContext

__all__ = ["ImportPage", "import_pages"]

AHEAD = 3
"""Pages fetched ahead of the one being written (at most AHEAD + 1 are applied together)."""


@dataclass(slots=True)
class ImportPage:
    products: list[ChannelProduct]
    cursor: str
    """The cursor value once this page is in the hub."""
    part: str = ""
    """Which part of the operation's cursor moves."""
    skipped: list[RecordError] = field(default_factory=list)
    """What the channel could not read on this page (counted and named in the run)."""


async def import_pages(ctx: RunContext, pages: AsyncIterator[ImportPage]) -> bool:
    """Apply every page, fetching the next while the current one is written. False when the
    run stopped early for shutdown (the pages applied so far are committed). An error the
    channel raises while fetching is raised here, after the pages before it are committed."""
    settings = ctx.settings
    assert isinstance(settings, ImportListingsSettings)
    send, receive = anyio.create_memory_object_stream[ImportPage | Exception](AHEAD)
    failure: Exception | None = None
    finished = True
    async with anyio.create_task_group() as tg:
        tg.start_soon(_fetch, pages, send)
        async with receive:
            async for first in receive:
                batch = [first]
                while len(batch) < AHEAD + 1 and not isinstance(batch[-1], Exception):
                    try:
                        batch.append(receive.receive_nowait())
                    except (anyio.WouldBlock, anyio.EndOfStream):
                        break
                ready = [page for page in batch if isinstance(page, ImportPage)]
                if ready:
                    await _apply(ctx, settings, ready)
                if isinstance(batch[-1], Exception):
                    failure = batch[-1]
                    break
                if ctx.stopping:
                    finished = False
                    break
        tg.cancel_scope.cancel()
    if failure is not None:
        # Raised out here, not in the task group, so the runner sees the channel's error itself.
        raise failure
    return finished


async def _fetch(
    pages: AsyncIterator[ImportPage], send: ObjectSendStream[ImportPage | Exception]
) -> None:
    async with send, aclosing(pages):  # type: ignore[type-var]
        try:
            async for page in pages:
                await send.send(page)
        except Exception as exc:
            await send.send(exc)  # the consumer raises it (see `import_pages`)


async def _apply(
    ctx: RunContext, settings: ImportListingsSettings, pages: list[ImportPage]
) -> None:
    """Pages fetched together, in one transaction, with the last one's cursor."""
    products: dict[str, ChannelProduct] = {}
    for page in pages:
        for problem in page.skipped:
            ctx.skip(problem)
        for product in page.products:
            # A product read twice (modified again while the scan ran): its latest state wins.
            products[product.ref] = product
    ctx.count("products", len(products))
    async with ctx.transaction() as hub:
        if products:
            await _match_and_write(ctx, hub, settings, list(products.values()))
        for page in pages:
            hub.set_cursor(page.cursor, part=page.part)


async def _match_and_write(
    ctx: RunContext,
    hub: HubWriter,
    settings: ImportListingsSettings,
    products: list[ChannelProduct],
) -> None:
    connection, field_name = ctx.connection, settings.master_sku
    masters = [m for p in products for i in p.items if (m := i.master(field_name))]
    variants = await hub.catalog.variants_by_sku(masters)
    product_links = await hub.links.for_products(connection, [p.ref for p in products])
    variant_links = await hub.links.for_variants(connection, [v.id for v in variants.values()])
    listing_ids = {v.listing_id for v in variants.values()}
    listing_ids |= {link.listing_id for link in product_links}
    view = HubView(
        variants=variants,
        listing_keys=await hub.catalog.listing_keys(listing_ids),
        listings_by_key=await hub.catalog.listings_by_key(
            listing_key_candidates(products, settings)
        ),
        product_links=product_links,
        variant_links={link.variant_id: link for link in variant_links},
    )
    plan = plan_page(products, settings, view)
    for problem in plan.skips:
        ctx.skip(problem)
    if plan.updates:
        status = ListingStatus.PAUSED if settings.new_listings_paused else ListingStatus.ACTIVE
        result = await hub.catalog.upsert(plan.updates, new_status=status)
        for key, n in (("created", result.created), ("updated", result.updated)):
            if n:
                ctx.count(key, n)
    ids = {key: (v.id, v.listing_id) for key, v in variants.items()}
    ids |= await hub.catalog.variant_ids([m.master for m in plan.matches if m.existing is None])
    await hub.links.remove(connection, plan.superseded)
    if plan.vanished:
        await hub.links.mark(
            connection,
            plan.vanished,
            state=LinkState.MISSING,
            error="no longer on the channel product",
        )
    await hub.links.save(new_links(connection, plan, ids, product_links))
    await _flag_differences(ctx, hub, plan, products)


async def _flag_differences(
    ctx: RunContext, hub: HubWriter, plan: ImportPlan, products: list[ChannelProduct]
) -> None:
    """A linked hub variant keeps its own price and quantity (unless overwritten): log a change
    where the channel shows something else, so the next sync brings the channel in line. That
    is a newly linked item, and also one changed on the store since the last sync (an order
    took stock, a price was edited there): the link now records the store's values, so without
    a change in the log nothing would ever put the hub's back."""
    linked = [m for m in plan.matches if m.existing is not None and m.newly_linked]
    if linked:
        ctx.count("linked", len(linked))
    kept = [m for m in plan.matches if m.existing is not None and not m.prices_imported]
    totals = _hub_stock_totals(kept, {p.ref: p.stock for p in products})
    differing = [m for m in kept if m.newly_linked and _differs(m)]
    drifted = [m for m in kept if not m.newly_linked and _drifted(m, totals)]
    if drifted:
        ctx.count("differing", len(drifted))
    await hub.catalog.mark_changed(
        [(m.existing.listing_id, m.existing.id) for m in differing if m.existing], "linked"
    )
    await hub.catalog.mark_changed(
        [(m.existing.listing_id, m.existing.id) for m in drifted if m.existing], "store_differs"
    )


def _differs(match: Match) -> bool:
    hub, item = match.existing, match.item
    assert hub is not None
    return (hub.price is not None and hub.price != item.price) or (
        hub.quantity is not None and hub.quantity != item.quantity
    )


def _hub_stock_totals(matches: list[Match], stocks: dict[str, int | None]) -> dict[str, bool]:
    """For products that keep stock by product: whether the store's stock differs from the
    total of the product's variants in the hub (what sync sets it to). Products the hub states
    no quantity for are left out."""
    totals: dict[str, int] = {}
    for m in matches:
        if m.existing is not None and m.item.stock_ref and m.existing.quantity is not None:
            ref = m.item.product_ref
            totals[ref] = totals.get(ref, 0) + m.existing.quantity
    return {ref: stocks.get(ref) not in (None, total) for ref, total in totals.items()}


def _drifted(match: Match, product_differs: dict[str, bool]) -> bool:
    """The store changed an item the hub states a value for (a quantity only where the item
    has one of its own on the store: not untracked, not kept by the product)."""
    hub, item = match.existing, match.item
    assert hub is not None
    if hub.price is not None and item.price is not None and hub.price != item.price:
        return True
    if hub.quantity is None:
        return False
    if item.quantity is not None:
        return hub.quantity != item.quantity
    return product_differs.get(item.product_ref, False)
