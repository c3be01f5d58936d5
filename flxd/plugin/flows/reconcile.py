"""The reconciliation pass, the part every channel shares: find price and stock drift that no
`date_modified` shows, and have sync_listings put the hub's values back.

Stores do not always move a product's `date_modified` when its stock or a variant changes
(WooCommerce never for stock; BigCommerce, read pessimistically, not for variants or
inventory), so an incremental import cannot see that drift. The pass reads what the store has
now through the channel's reader (`ChannelType.reconcile`, a page of `ChannelStock` at a
time), compares it with the links and the hub (flxd.hub.drift: paused and delisted listings
are left alone), and, per page, in one transaction: corrects each link to what the channel has
and logs every drifted variant as changed. There is no second way to write to a channel: the
next sync_listings run plans those variants against the corrected links and its channel's
writer sends the hub's values, batched, with every outcome recorded as usual.

Its requests go through the connection's limiter as a background class
(`reconcile_share`), so order imports keep the rest of the quota. A completed pass saves
when it ran (import_listings' cursor part `reconcile`); the daemon runs it again once
`reconcile_interval` has passed since then. A pass cut short saves nothing and starts over.

A store that shows writes to reads only after a delay may show a value from before the last
sync: the pass then finds drift that is not there, and sync sends the same value once more.
That costs a write, never a wrong value.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from datetime import datetime

from flxd.hub.drift import ChannelStock, find_drift
from flxd.plugin.context import RunContext

__all__ = ["RECONCILE_PART", "last_reconciled", "reconcile_listings"]

RECONCILE_PART = "reconcile"
"""The import_listings cursor part that holds when the last complete pass started."""


async def reconcile_listings(ctx: RunContext, pages: AsyncIterator[Sequence[ChannelStock]]) -> None:
    """Run the pass over the channel reader's `pages`."""
    started = ctx.clock.now()
    ctx.count("reconcile_checked", 0)
    ctx.count("reconcile_drifted", 0)
    async with aclosing(pages):  # type: ignore[type-var]
        async for page in pages:
            await _reconcile_page(ctx, page)
            if ctx.stopping:
                return  # shutting down: what is done is committed; the next pass starts over
    async with ctx.transaction() as hub:
        hub.set_cursor(started.isoformat(), part=RECONCILE_PART)


def last_reconciled(cursor: str | None) -> datetime | None:
    """When the last complete pass started, from its cursor part (None: never)."""
    if not cursor:
        return None
    try:
        return datetime.fromisoformat(cursor)
    except ValueError:
        return None


async def _reconcile_page(ctx: RunContext, page: Sequence[ChannelStock]) -> None:
    if not page:
        return
    refs = sorted({s.product_ref for s in page})
    async with ctx.transaction() as hub:
        links = await hub.links.for_products(ctx.connection, refs)
        listings = await hub.catalog.listings_by_id(sorted({k.listing_id for k in links}))
        report = find_drift(page, links, listings)
        await hub.links.correct_pushed(
            ctx.connection,
            prices=[(s.variant_id, s.price) for s in report.corrected if s.set_price],
            quantities=[(s.variant_id, s.quantity) for s in report.corrected if s.set_quantity],
        )
        if report.drifted:
            await hub.catalog.mark_changed(report.drifted, "reconcile")
    ctx.count("reconcile_checked", report.checked)
    ctx.count("reconcile_drifted", len(report.drifted))
    if report.paused:
        ctx.count("reconcile_paused", report.paused)
    if report.drifted:
        ctx.log.info(
            "drift found; sync_listings puts the hub's values back", variants=len(report.drifted)
        )
