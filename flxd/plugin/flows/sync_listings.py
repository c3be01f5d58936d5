"""sync_listings, the part every channel shares: push hub changes since the cursor.

A run reads the change log in rounds of up to ROUND_LISTINGS touched listings. Each touched
listing is planned as it is now against its links (flxd.hub.changeplan), page by page, and the
plan goes to the channel's ListingWriter, which turns it into its API's requests (batching as
it likes) and reports every change's outcome. At the end of the round core records what the
channel now has (pushed values, link states) and moves the cursor, in one transaction. A crash
between a request and that commit leaves the cursor where it was: the next run plans again and
sends the same absolute values.

Outcomes, per change: taken (recorded as pushed), refused (the run is `partial` with the
channel's reason; not marked pushed, and not retried until the listing changes again), gone
(the product or variant was deleted on the channel: its links become `missing`), or not taken
this time (`again`: the store failed that item, e.g. a database error inside a batch answer;
it is logged as changed again, so the next run sends it again).

A run works through the changes logged before it started; what changes meanwhile (and what
comes back with `again`) is the next run's.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from flxd.errors import RecordError
from flxd.hub.changeplan import ChangeKind, ListingChange, ProductChanges, plan_listing
from flxd.hub.model import Link, LinkState
from flxd.plugin.context import HubWriter, RunContext

__all__ = ["ROUND_LISTINGS", "ListingWriter", "SyncOutcomes", "sync_listings"]

ROUND_LISTINGS = 25_000
CHANGES_PAGE = 5_000
LISTINGS_PAGE = 500
MAX_AGAIN = 5
"""Runs in a row a store may fail the same item before it counts as refused."""
_COUNTS = {ChangeKind.HIDE: "hidden", ChangeKind.UNHIDE: "unhidden", ChangeKind.DELIST: "delisted"}


class ListingWriter(Protocol):
    """A channel's side of sync_listings: its API's requests for the planned changes."""

    async def write(self, products: Sequence[ProductChanges], outcomes: SyncOutcomes) -> None:
        """Queue a page of planned products; send what fills a batch. May send nothing yet."""
        ...

    async def flush(self, outcomes: SyncOutcomes) -> None:
        """Send everything still queued (the end of a round)."""
        ...


class SyncOutcomes:
    """What the channel now has, collected during a round and recorded at its end."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._pushed: dict[int, tuple[Decimal | None, int | None]] = {}
        """Hub variant id -> (price, quantity) the channel has now, for those it took."""
        self._states: list[tuple[tuple[int, ...], LinkState | None, str | None]] = []
        self._stock: list[tuple[tuple[int, ...], str | None]] = []
        self._again: list[tuple[ListingChange, str]] = []
        self.missing: set[str] = set()
        """Products found deleted on the channel this round (send nothing more to them)."""

    # ---- what a channel reports -----------------------------------------------------------

    def taken(self, *changes: ListingChange) -> None:
        """The channel has these values now."""
        for change in changes:
            if change.kind.presence is not None:
                self._states.append((change.variant_ids, change.kind.presence, None))
                self._ctx.count(_COUNTS[change.kind])
                continue
            assert change.variant is not None and change.link is not None
            link, new = change.link, change.new
            price, quantity = self._pushed.get(
                change.variant.id, (link.pushed_price, link.pushed_quantity)
            )
            if change.kind is ChangeKind.PRICE:
                assert isinstance(new, Decimal)
                price = new
            else:
                assert isinstance(new, int)
                quantity = new
            self._pushed[change.variant.id] = (price, quantity)

    def refused(self, change: ListingChange, reason: str) -> None:
        """The channel would not take it: the link keeps the reason, the run is partial."""
        self._states.append((change.variant_ids, None, reason))
        record = change.sku or change.listing_key
        self._ctx.skip(RecordError(f"the channel refused it: {reason}", record=record))

    def product_missing(self, product_ref: str, variant_ids: Sequence[int], reason: str) -> None:
        """The channel product is gone (deleted behind flxd's back): all its links (the hub
        variants in `variant_ids`) are missing; nothing more is sent to it this round."""
        self._states.append((tuple(variant_ids), LinkState.MISSING, reason))
        if product_ref not in self.missing:
            self.missing.add(product_ref)
            self._ctx.count("missing")
            self._ctx.log.warning("product deleted on the channel", product=product_ref)

    def variant_missing(self, change: ListingChange, reason: str) -> None:
        """The change's own target (a variant) is gone from the channel."""
        self._states.append((change.variant_ids, LinkState.MISSING, reason))
        self._ctx.count("missing")

    def again(self, change: ListingChange, reason: str) -> None:
        """The channel did not take it this time (the store failed that item): the next run
        sends it again. The run counts it (`retry_later`); nothing is marked pushed. After
        MAX_AGAIN runs in a row it is refused instead (the store keeps failing it): not sent
        again until the listing changes."""
        if change.links:
            self._again.append((change, reason))

    def stock_at(self, variant_ids: Sequence[int], stock_ref: str | None) -> None:
        """Where these variants' stock lives on the channel (e.g. their product), for next time."""
        self._stock.append((tuple(variant_ids), stock_ref))

    # ---- core's part ----------------------------------------------------------------------

    async def record(self, hub: HubWriter, connection: str) -> None:
        await self._settle_again(hub, connection)
        await hub.links.record_pushed(
            connection, [(vid, *self._pushed[vid]) for vid in sorted(self._pushed)]
        )
        if self._pushed:
            self._ctx.count("pushed", len(self._pushed))
        for variant_ids, state, error in self._states:
            await hub.links.mark(connection, variant_ids, state=state, error=error)
        for variant_ids, stock_ref in self._stock:
            await hub.links.locate_stock(connection, variant_ids, stock_ref)

    async def _settle_again(self, hub: HubWriter, connection: str) -> None:
        if not self._again:
            return
        field = f"retry:{connection}"
        items = [
            (c.links[0].listing_id, c.variant.id if c.variant else None) for c, _ in self._again
        ]
        repeats = await hub.catalog.repeats(items, field)
        retry = []
        for (change, reason), item, times in zip(self._again, items, repeats, strict=True):
            if times + 1 >= MAX_AGAIN:
                self.refused(change, f"failed {MAX_AGAIN} runs in a row, last: {reason}")
                continue
            retry.append(item)
            self._ctx.count("retry_later")
            self._ctx.log.warning(
                "the channel did not take a change; the next run sends it again",
                record=change.sku or change.listing_key,
                reason=reason,
            )
        await hub.catalog.mark_changed(retry, field)

    def settle(self, variant_ids: tuple[int, ...], state: LinkState) -> None:
        self._states.append((variant_ids, state, None))


async def sync_listings(ctx: RunContext, writer: ListingWriter) -> None:
    """Run sync_listings with `writer` as the channel's part."""
    cursor = int(ctx.cursor() or 0)
    async with ctx.transaction() as hub:
        stop = await hub.catalog.last_seq()
    while not ctx.stopping:
        touched, last = await _touched(ctx, cursor, stop)
        if last == cursor:
            return
        outcomes = SyncOutcomes(ctx)
        complete = True
        for start in range(0, len(touched), LISTINGS_PAGE):
            if ctx.stopping:
                # Shutting down: send and record what is queued; the cursor stays, so the
                # listings not planned yet are compared again by the next run.
                complete = False
                break
            page = await _plan_page(ctx, touched[start : start + LISTINGS_PAGE], outcomes)
            if page:
                await writer.write(page, outcomes)
        await writer.flush(outcomes)
        async with ctx.transaction() as hub:
            await outcomes.record(hub, ctx.connection)
            if complete:
                hub.set_cursor(str(last))
        cursor = last


async def _touched(ctx: RunContext, cursor: int, stop: int) -> tuple[list[int], int]:
    """Listings changed after `cursor` and up to `stop` (up to a round's worth), and the last
    change covered."""
    listings: set[int] = set()
    last = cursor
    while len(listings) < ROUND_LISTINGS and last < stop:
        async with ctx.transaction() as hub:
            batch = await hub.catalog.changes_since(last, CHANGES_PAGE)
        changes = [c for c in batch.changes if c.seq <= stop]
        if not changes:
            break
        listings.update(c.listing_id for c in changes)
        last = changes[-1].seq
    return sorted(listings), last


async def _plan_page(
    ctx: RunContext, listing_ids: Sequence[int], outcomes: SyncOutcomes
) -> list[ProductChanges]:
    async with ctx.transaction() as hub:
        listings = await hub.catalog.listings_by_id(listing_ids)
        variant_ids = [v.id for item in listings.values() for v in item.variants]
        links = await hub.links.for_variants(ctx.connection, variant_ids)
    by_listing: dict[int, list[Link]] = {}
    for link in links:
        by_listing.setdefault(link.listing_id, []).append(link)
    page: list[ProductChanges] = []
    for listing_id in listing_ids:
        listing = listings.get(listing_id)
        if listing is None:
            continue
        plan = plan_listing(listing, by_listing.get(listing_id, []))
        if plan.paused:
            ctx.count("paused")
            continue
        for settled, state in plan.settled:
            outcomes.settle(settled, state)
        for unplaced in plan.unplaced:
            ctx.skip(RecordError(unplaced.reason, record=unplaced.variant.sku))
        page += plan.products
    return page
