"""`import_listings` on BigCommerce: scan the catalog; core matches, links and commits
(flxd.plugin.flows.import_listings).

The first run (and `run --once --full`) reads the whole catalog by id; later runs read what
was modified since the cursor, minus `overlap`. Each page lands in the hub together with the
cursor.

Cursors: the main part is an ISO-8601 UTC timestamp (everything modified before it is in the
hub), never later than the run's start minus `SKEW`. An incremental run reads up to its start
all the same, so it brings in what the store has when it runs; the last `SKEW` is read again
by the next run. While a full scan is under way, part `scan` holds `after <id> until
<timestamp>` so an interrupted scan resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from datetime import datetime, timedelta

from flxd.plugin import ChannelProduct, ImportPage, RecordError, RunContext, import_pages
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import ImportListingsSettings
from flxd_bigcommerce.listings.products import parse_product
from flxd_bigcommerce.listings.scan import ScanPage, full_scan, modified_scan
from flxd_bigcommerce.parse import format_v3_date, parse_date

__all__ = ["SCAN_PART", "SKEW", "run_import"]

SCAN_PART = "scan"
SKEW = timedelta(seconds=5)
"""How far behind "now" a run's window ends, for writes BigCommerce dated before committing."""


async def run_import(client: BigCommerceClient, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, ImportListingsSettings)
    started = ctx.clock.now()
    until = started - SKEW
    resume = _parse_scan(ctx.cursor(SCAN_PART))
    watermark = ctx.cursor()
    if resume is None and watermark is not None:
        since = parse_date(watermark, "cursor") - timedelta(seconds=settings.overlap)
        # Read up to now (a change made on the store just before this run is in it), but never
        # move the cursor past `until`: a change BigCommerce dated earlier may show up later.
        scan = modified_scan(client, since=since, until=started)
        done = await import_pages(
            ctx, _pages(scan, lambda page: (_stamp(min(page.modified or until, until)), ""))
        )
        if done:
            async with ctx.transaction() as hub:
                hub.set_cursor(_stamp(until))
        return
    after_id, target = resume or (0, until)
    scan = full_scan(client, after_id=after_id)
    progress = f"until {_stamp(target)}"
    done = await import_pages(
        ctx, _pages(scan, lambda page: (f"after {page.last_id} {progress}", SCAN_PART))
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


async def _pages(
    scan: AsyncGenerator[ScanPage, None], position: Callable[[ScanPage], tuple[str, str]]
) -> AsyncIterator[ImportPage]:
    """The scan's pages as core imports them: parsed products, and where the cursor goes."""
    async with aclosing(scan):
        async for page in scan:
            products: list[ChannelProduct] = []
            skipped: list[RecordError] = []
            for raw in page.products:
                try:
                    products.append(parse_product(raw))
                except RecordError as exc:
                    skipped.append(exc)
            page.products.clear()  # the JSON is not needed once parsed
            value, part = position(page)
            yield ImportPage(products, value, part, skipped)
