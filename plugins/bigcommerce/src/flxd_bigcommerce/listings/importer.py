"""`import_listings`: BigCommerce products into the hub, linked by master SKU.

The first run (and `run --once --full`) reads the whole catalog by id; later runs read what
was modified since the cursor, minus `overlap`. Pages are fetched while earlier ones are
written; each page (with the ones fetched while the hub was busy) lands in one hub
transaction together with the cursor.

Cursors: the main part is an ISO-8601 UTC timestamp (everything modified before it is in the
hub), never later than the run's start minus `SKEW`. An incremental run reads up to its start
all the same, so it brings in what the store has when it runs; the last `SKEW` is read again
by the next run. While a full scan is under way, part
`scan` holds `after <id> until <timestamp>` so an interrupted scan resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

import anyio
from anyio.abc import ObjectSendStream

from flxd.errors import RecordError
from flxd.hub.model import LinkState, ListingStatus
from flxd.plugin.context import HubWriter, RunContext
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import ImportListingsSettings
from flxd_bigcommerce.listings.matching import (
    HubView,
    ImportPlan,
    Match,
    listing_key_candidates,
    new_links,
    plan_page,
)
from flxd_bigcommerce.listings.products import Product, parse_product
from flxd_bigcommerce.listings.scan import ScanPage, full_scan, modified_scan
from flxd_bigcommerce.parse import format_v3_date, parse_date

__all__ = ["SCAN_PART", "SKEW", "run_import"]

SCAN_PART = "scan"
SKEW = timedelta(seconds=5)
"""How far behind "now" a run's window ends, for writes BigCommerce dated before committing."""
AHEAD = 3
"""Pages fetched ahead of the one being written (at most AHEAD + 1 are applied together)."""


async def run_import(client: BigCommerceClient, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, ImportListingsSettings)
    started = ctx.clock.now()
    until = started - SKEW
    resume = _parse_scan(ctx.cursor(SCAN_PART))
    watermark = ctx.cursor()
    importer = _Importer(ctx, settings, ctx.connection)
    if resume is None and watermark is not None:
        since = parse_date(watermark, "cursor") - timedelta(seconds=settings.overlap)
        # Read up to now (a change made on the store just before this run is in it), but never
        # move the cursor past `until`: a change BigCommerce dated earlier may show up later.
        scan = modified_scan(client, since=since, until=started)
        done = await importer.consume(
            scan, lambda page: (_stamp(min(page.modified or until, until)), "")
        )
        if done:
            async with ctx.transaction() as hub:
                hub.set_cursor(_stamp(until))
        return
    after_id, target = resume or (0, until)
    scan = full_scan(client, after_id=after_id)
    progress = f"until {_stamp(target)}"
    done = await importer.consume(
        scan, lambda page: (f"after {page.last_id} {progress}", SCAN_PART)
    )
    if done:
        async with ctx.transaction() as hub:
            hub.set_cursor(_stamp(target))
            hub.set_cursor("", part=SCAN_PART)


def _stamp(moment: datetime) -> str:
    return format_v3_date(moment)


def _parse_scan(value: str | None) -> tuple[int, datetime] | None:
    """`after <id> until <timestamp>` of an unfinished full scan; None when there is none."""
    if not value:
        return None
    try:
        _, after, _, until = value.split()
        return int(after), parse_date(until, "cursor")
    except (ValueError, RecordError):
        return None  # unreadable: start the scan over rather than guess


class _Importer:
    def __init__(self, ctx: RunContext, settings: ImportListingsSettings, connection: str):
        self.ctx = ctx
        self.settings = settings
        self.connection = connection

    async def consume(
        self, pages: AsyncGenerator[ScanPage, None], position: Callable[[ScanPage], tuple[str, str]]
    ) -> bool:
        """Apply every page, fetching the next while the current one is written. False when
        the run stopped early for shutdown (the pages applied so far are committed).

        Pages fetched while the hub was busy are applied together, in one transaction: the
        hub then commits (and syncs to disk) less often, and keeps up with the store.
        """
        send, receive = anyio.create_memory_object_stream[ScanPage | Exception](AHEAD)
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
                    ready = [page for page in batch if isinstance(page, ScanPage)]
                    if ready:
                        value, part = position(ready[-1])
                        raw = [p for page in ready for p in page.products]
                        for page in ready:
                            page.products.clear()  # `apply` frees the JSON once it is parsed
                        await self.apply(raw, value, part)
                    if isinstance(batch[-1], Exception):
                        failure = batch[-1]
                        break
                    if self.ctx.stopping:
                        finished = False
                        break
            tg.cancel_scope.cancel()
        if failure is not None:
            # Raised out here, not in the task group, so the runner sees the API's error itself.
            raise failure
        return finished

    async def apply(self, raw: list[dict[str, Any]], cursor: str, part: str) -> None:
        """Parse and write products (emptying `raw`: the JSON is not needed once parsed)."""
        products: dict[int, Product] = {}
        for item in raw:
            try:
                product = parse_product(item)
            except RecordError as exc:
                self.ctx.skip(exc)
                continue
            # A product read twice (modified again while the scan ran): its latest state wins.
            products[product.id] = product
        raw.clear()
        self.ctx.count("products", len(products))
        async with self.ctx.transaction() as hub:
            if products:
                await self._apply(hub, list(products.values()))
            hub.set_cursor(cursor, part=part)

    async def _apply(self, hub: HubWriter, products: list[Product]) -> None:
        ctx, settings, connection = self.ctx, self.settings, self.connection
        field = settings.master_sku
        masters = [m for p in products for i in p.items if (m := i.master(field))]
        variants = await hub.catalog.variants_by_sku(masters)
        product_links = await hub.links.for_products(connection, [str(p.id) for p in products])
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
                error="no longer on the BigCommerce product",
            )
        await hub.links.save(new_links(connection, plan, ids, product_links))
        await self._flag_differences(hub, plan, products)

    async def _flag_differences(
        self, hub: HubWriter, plan: ImportPlan, products: list[Product]
    ) -> None:
        """A linked hub variant keeps its own price and quantity (unless overwritten): log a
        change where BigCommerce shows something else, so the next sync brings BigCommerce in
        line. That is a newly linked item, and also one changed on the store since the last
        sync (an order took stock, a price was edited there): the link now records the store's
        values, so without a change in the log nothing would ever put the hub's back."""
        linked = [m for m in plan.matches if m.existing is not None and m.newly_linked]
        if linked:
            self.ctx.count("linked", len(linked))
        kept = [m for m in plan.matches if m.existing is not None and not m.prices_imported]
        totals = _hub_stock_totals(kept, {p.id: p.stock for p in products})
        differing = [m for m in kept if m.newly_linked and _differs(m)]
        drifted = [m for m in kept if not m.newly_linked and _drifted(m, totals)]
        if drifted:
            self.ctx.count("differing", len(drifted))
        await hub.catalog.mark_changed(
            [(m.existing.listing_id, m.existing.id) for m in differing if m.existing],
            "linked",
        )
        await hub.catalog.mark_changed(
            [(m.existing.listing_id, m.existing.id) for m in drifted if m.existing],
            "store_differs",
        )


def _differs(match: Match) -> bool:
    hub, item = match.existing, match.item
    assert hub is not None
    return (hub.price is not None and hub.price != item.price) or (
        hub.quantity is not None and hub.quantity != item.quantity
    )


def _hub_stock_totals(matches: list[Match], stocks: dict[int, int | None]) -> dict[int, bool]:
    """For products that keep stock by product: whether the store's stock differs from the
    total of the product's variants in the hub (what sync sets it to). Products the hub states
    no quantity for are left out."""
    totals: dict[int, int] = {}
    for m in matches:
        if m.existing is not None and m.item.stock_ref and m.existing.quantity is not None:
            totals[m.item.product_id] = totals.get(m.item.product_id, 0) + m.existing.quantity
    return {
        product_id: stocks.get(product_id) not in (None, total)
        for product_id, total in totals.items()
    }


def _drifted(match: Match, product_differs: dict[int, bool]) -> bool:
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
    return product_differs.get(item.product_id, False)


async def _fetch(
    pages: AsyncGenerator[ScanPage, None], send: ObjectSendStream[ScanPage | Exception]
) -> None:
    async with send, aclosing(pages):
        try:
            async for page in pages:
                await send.send(page)
        except Exception as exc:
            await send.send(exc)  # the consumer raises it (see `consume`)
