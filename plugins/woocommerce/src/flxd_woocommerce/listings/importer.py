"""`import_listings` on WooCommerce: scan the catalog; core matches, links and commits
(flxd.plugin.flows.import_listings).

The first run (and `run --once --full`) reads the whole catalog; later runs read the products
modified since the cursor, less `overlap`. Each page lands in the hub with the cursor.

What an incremental run cannot see (WooCommerce's own issues 40060, 19562): a stock change
moves no `date_modified`, and neither does most of a variation's own edits. Stock and price
drift is found by the reconciliation pass (flxd_woocommerce.reconcile), not here. On a store
without `modified_after` (before WooCommerce 5.8) every run reads the whole catalog.

Cursors: the main part is an ISO-8601 UTC timestamp (everything modified before it is in the
hub), never later than the run's start minus `SKEW`. While a scan is under way, part `scan`
holds `after <id> at <offset> until <timestamp>` (and `since <timestamp>` for an incremental
one), so an interrupted scan resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import datetime, timedelta

from flxd.plugin import ChannelProduct, ImportPage, RecordError, RunContext, import_pages
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.config import ImportListingsSettings
from flxd_woocommerce.features import SiteFeatures
from flxd_woocommerce.listings.products import parse_product, product_id_of
from flxd_woocommerce.listings.scan import ScanPage, scan_products
from flxd_woocommerce.position import Position, stamp

__all__ = ["SCAN_PART", "SKEW", "run_import"]

SCAN_PART = "scan"
SKEW = timedelta(seconds=5)
"""How far behind "now" a run's window ends, for saves WordPress stamped before committing."""
LEFT_OUT_STATUSES = frozenset({"draft", "auto-draft", "trash"})
"""Drafts are work in progress on the store, and where flxd's delist puts a product."""


async def run_import(client: WooClient, ctx: RunContext, features: SiteFeatures) -> None:
    settings = ctx.settings
    assert isinstance(settings, ImportListingsSettings)
    started = ctx.clock.now()
    position = Position.parse(ctx.cursor(SCAN_PART))
    watermark = ctx.cursor()
    if position is None:
        since = None
        if watermark is not None and await features.modified_after(client, started):
            since = datetime.fromisoformat(watermark) - timedelta(seconds=settings.overlap)
        position = Position(0, 0, started - SKEW, since)
    scan = scan_products(
        client,
        after_id=position.after,
        offset=position.offset,
        modified_after=position.since,
        at_once=ctx.connection_settings.max_concurrency,
        wanted=_imported,
    )
    done = await import_pages(ctx, _pages(scan, position, settings.master_sku_meta_key))
    if done:
        async with ctx.transaction() as hub:
            hub.set_cursor(stamp(position.until))
            hub.set_cursor("", part=SCAN_PART)


async def _pages(
    scan: AsyncIterator[ScanPage], position: Position, meta_key: str | None
) -> AsyncIterator[ImportPage]:
    """The scan's pages as core imports them: parsed products, and where the scan stands."""
    async with aclosing(scan):  # type: ignore[type-var]
        async for page in scan:
            products: list[ChannelProduct] = []
            skipped: list[RecordError] = []
            for raw in page.products:
                try:
                    if not _imported(raw):
                        continue
                    variations = page.variations.get(product_id_of(raw), [])
                    products.append(parse_product(raw, variations, meta_key=meta_key))
                except RecordError as exc:
                    skipped.append(exc)
            page.products.clear()  # the JSON is not needed once parsed
            page.variations.clear()
            at = Position(page.last_id, page.offset, position.until, position.since)
            yield ImportPage(products, at.text(), SCAN_PART, skipped)


def _imported(raw: object) -> bool:
    """Products flxd brings into the hub: simple and variable ones that are not drafts
    (grouped and external products sell nothing of their own). Anything else is the parser's
    to read or refuse."""
    if not isinstance(raw, dict):
        return True
    kind, status = raw.get("type"), raw.get("status")
    if isinstance(kind, str) and kind in ("grouped", "external"):
        return False
    return not (isinstance(status, str) and status in LEFT_OUT_STATUSES)
