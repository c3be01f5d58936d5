"""get_orders: every order in a configured status, modified since the cursor, stored once.

One walk over all configured statuses at once (`status=processing,on-hold`, `modified_after`
the cursor less `overlap`, in GMT with `dates_are_gmt=true`, created after the
`created_within_days` window), by id (flxd_woocommerce.keyset), 100 orders with their lines
and addresses a request. Each page is stored, and where the walk stands committed with it
(part `scan`), so a crash repeats at most a page, and a repeat stores nothing twice: orders
are unique per (connection, order id), and only a newly stored order emits `order.imported`.
Once the walk is done, the cursor moves to the run's start less `SKEW`: orders changed during
the run, and new orders a busy site lists late, are read by the next run (`overlap` must be
longer than that lateness). An order that moves into a configured status is modified by the
move, which puts it in the next window.

What WooCommerce does not show in `date_modified` (issue 34798: edits to an order's items)
does not matter here: an order is imported once, when it reaches a configured status.
"""

from __future__ import annotations

from contextlib import aclosing
from datetime import datetime, timedelta

from flxd.plugin import AckState, Order, RecordError, RunContext
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.config import GetOrdersSettings
from flxd_woocommerce.keyset import KeyedPage, keyed_pages
from flxd_woocommerce.orders.acknowledge import AckCandidate, Acknowledger, decide
from flxd_woocommerce.orders.mapping import map_order
from flxd_woocommerce.parse import format_gmt
from flxd_woocommerce.position import Position, stamp

__all__ = ["SCAN_PART", "SKEW", "order_filters", "run_get_orders"]

SCAN_PART = "scan"
SKEW = timedelta(seconds=5)
ORDER_FIELDS = (
    "id,status,currency,date_created_gmt,date_modified_gmt,total,shipping_total,total_tax,"
    "discount_total,billing,shipping,line_items,meta_data"
)


def order_filters(settings: GetOrdersSettings, now: datetime) -> dict[str, str | int]:
    """The query every get_orders request carries (statuses, created-within window)."""
    params: dict[str, str | int] = {
        "status": ",".join(settings.statuses),
        "dates_are_gmt": "true",
        "_fields": ORDER_FIELDS,
    }
    if settings.created_within_days:
        params["after"] = format_gmt(now - timedelta(days=settings.created_within_days))
    return params


async def run_get_orders(client: WooClient, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, GetOrdersSettings)
    started = ctx.clock.now()
    ctx.count("imported", 0)
    acknowledger = Acknowledger(client, ctx, settings) if settings.acknowledge != "none" else None
    if acknowledger is not None:
        await acknowledger.catch_up()
    position = Position.parse(ctx.cursor(SCAN_PART))
    if position is None:
        watermark = ctx.cursor()
        since = None
        if watermark is not None:
            since = datetime.fromisoformat(watermark) - timedelta(seconds=settings.overlap)
        position = Position(0, 0, started - SKEW, since)
    params = order_filters(settings, started)
    if position.since is not None:
        params["modified_after"] = format_gmt(position.since)
    pages = keyed_pages(client, "orders", params, after_id=position.after, offset=position.offset)
    async with aclosing(pages):  # type: ignore[type-var]
        async for page in pages:
            candidates = await _store_page(ctx, page, position, acknowledger)
            if acknowledger is not None and candidates:
                await acknowledger.after_import(candidates)
            if ctx.stopping:
                return
    async with ctx.transaction() as hub:
        hub.set_cursor(stamp(position.until))
        hub.set_cursor("", part=SCAN_PART)


async def _store_page(
    ctx: RunContext, page: KeyedPage, position: Position, acknowledger: Acknowledger | None
) -> list[AckCandidate]:
    """Store a page's orders and commit where the walk stands; the orders to acknowledge."""
    mapped: list[Order] = []
    for raw in page.items:
        try:
            mapped.append(map_order(ctx.connection, raw))
        except RecordError as exc:
            ctx.skip(exc)
    candidates: list[AckCandidate] = []
    target = acknowledger.target if acknowledger is not None else None
    async with ctx.transaction() as hub:
        # Core emits order.imported for every order stored for the first time.
        stored = await hub.orders.store_many(mapped, acknowledge=acknowledger is not None)
        imported = 0
        for order, result in zip(mapped, stored, strict=True):
            candidate = AckCandidate(result.id, int(order.channel_order_id), order.status_code)
            if result.created:
                imported += 1
                if acknowledger is not None:
                    candidates.append(candidate)
            elif result.ack_state is AckState.PENDING and result.previous_status is not None:
                # An order still to be acknowledged, read again: has its status moved?
                before = AckCandidate(result.id, candidate.channel_order_id, result.previous_status)
                decided = decide(before, order.status_code, target)
                if decided is not None and acknowledger is not None:
                    await acknowledger.record(hub, [(before, decided)])
        ctx.count("imported", imported)
        at = Position(page.last_id, page.offset, position.until, position.since)
        hub.set_cursor(at.text(), part=SCAN_PART)
    return candidates
