"""get_orders: every order in a configured status, modified since the cursor, stored once.

Each configured status has a cursor (`status:<id>`; merchants rename the labels, so flxd keys on
ids): every order in that status modified before it has been stored. A run reads the window
`[cursor - overlap, run start]` with `OrderScan`, one request per 250 orders with lines and
addresses included, plus one that finds the list's end. BigCommerce filters on one `status_id` at
a time, so several statuses are read either by one scan each or by one status-free scan kept to
them here, whichever costs fewer requests by `GET /v2/orders/count` (`plan.py`); the run counts
which (`scans_per_status`, `scan_status_free`).

Each page is stored and the scan's place (`scan`: its window and last order id) committed in one
transaction, so a crash repeats at most a page and the next run resumes the same window; the
statuses' cursors move to the window's end with the last page. A repeat stores nothing twice:
orders are unique per (connection, order id), and only a newly stored order emits
`order.imported`. The window never passes the run's start, so orders changed during the run are
read by the next one; an order listed late (ORDER_LISTING_LAG) is read by the next run, whose
window starts `overlap` before this one's end. An order that moves into a configured status is
modified by that move, which puts it in the next window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import anyio

from flxd.plugin import AckState, FlxdError, Order, RecordError, RunContext, task_group
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import GetOrdersSettings
from flxd_bigcommerce.orders.acknowledge import (
    AckCandidate,
    Acknowledger,
    decide_changed,
    record_outcomes,
)
from flxd_bigcommerce.orders.mapping import map_order, needs_subresources, order_id_of
from flxd_bigcommerce.orders.plan import plan_scans
from flxd_bigcommerce.orders.scan import OrderScan, ScanPage, ScanWindow

__all__ = ["RESUME_PART", "cursor_part", "run_get_orders", "window_start"]

RESUME_PART = "scan"
"""The cursor of a scan stopped half-way (its window and last order id; "" when none)."""

_Acks = tuple[list[AckCandidate], datetime | None]
"""A stored page's orders to acknowledge, and when the page was read."""


def cursor_part(status: int) -> str:
    return f"status:{status}"


def window_start(cursor: str | None, overlap: float) -> datetime | None:
    """Where a run starts reading: the cursor less the overlap (an order can be listed a little
    after its stamp, ORDER_LISTING_LAG)."""
    if not cursor:
        return None
    return datetime.fromisoformat(cursor) - timedelta(seconds=overlap)


async def run_get_orders(client: BigCommerceClient, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, GetOrdersSettings)
    started = ctx.clock.now()
    end = started.replace(microsecond=0)
    ctx.count("imported", 0)
    acknowledger = None
    if settings.acknowledge != "none":
        acknowledger = Acknowledger(client, ctx, settings)
        await acknowledger.catch_up()
    created_since = None
    if settings.created_within_days:
        created_since = started - timedelta(days=settings.created_within_days)
    cursors = {s: ctx.cursor(cursor_part(s)) for s in settings.statuses}
    resumed = _resumable(ScanWindow.from_cursor(ctx.cursor(RESUME_PART)), settings.statuses)
    if resumed is not None:
        # A scan stopped half-way: finish its window first, from past its last stored order.
        await _scan(client, ctx, resumed, created_since, acknowledger)
        if ctx.stopping:
            return
        cursors.update({s: resumed.end.isoformat() for s in resumed.statuses if s in cursors})
    starts = {s: window_start(c, settings.overlap) for s, c in cursors.items()}
    for window in await plan_scans(client, ctx, starts, end, created_since):
        await _scan(client, ctx, window, created_since, acknowledger)
        if ctx.stopping:
            return


def _resumable(window: ScanWindow | None, statuses: Sequence[int]) -> ScanWindow | None:
    """A stopped scan, kept to the statuses still configured (None: nothing left of it)."""
    if window is None or (window.status is not None and window.status not in statuses):
        return None
    kept = tuple(s for s in window.statuses if s in statuses)
    return replace(window, statuses=kept) if kept else None


async def _scan(
    client: BigCommerceClient,
    ctx: RunContext,
    window: ScanWindow,
    created_since: datetime | None,
    acknowledger: Acknowledger | None,
) -> None:
    scan = OrderScan(client, window, created_since=created_since, now=ctx.clock.now)
    try:
        await _import(client, ctx, scan, acknowledger)
    except FlxdError:
        if acknowledger is not None:
            # The orders stored before the failure are acknowledged all the same; if that
            # fails too, they stay pending for the next run's catch-up, and the scan's error
            # is the one reported.
            with suppress(FlxdError):
                await acknowledger.flush()
        raise
    if acknowledger is not None:
        await acknowledger.flush()


async def _import(
    client: BigCommerceClient,
    ctx: RunContext,
    scan: OrderScan,
    acknowledger: Acknowledger | None,
) -> None:
    """One scan's window as a pipeline: the next page is read while this one is stored, and
    a stored page is acknowledged while the next is stored. Each stage holds at most a page."""
    pages_out, pages_in = anyio.create_memory_object_stream[ScanPage](1)
    acks_out, acks_in = anyio.create_memory_object_stream[_Acks](1)

    failed: list[FlxdError] = []
    reading = anyio.CancelScope()

    async def read() -> None:
        with reading:
            async with pages_out:
                try:
                    async for page in scan.pages():
                        await pages_out.send(page)
                except FlxdError as exc:
                    # Raised after the pages read before it are stored, not instead of them.
                    failed.append(exc)

    async def acknowledge() -> None:
        assert acknowledger is not None
        # Two pages at a time: one page's check for changes overlaps the other's writes.
        # Requests in flight stay within the connection's limit either way.
        slots = anyio.Semaphore(2)

        async def one(acks: _Acks) -> None:
            try:
                await acknowledger.after_import(*acks)
            finally:
                slots.release()

        async with acks_in, task_group() as acks:
            async for item in acks_in:
                await slots.acquire()
                acks.start_soon(one, item)

    async with task_group() as tg:
        tg.start_soon(read)
        if acknowledger is not None:
            tg.start_soon(acknowledge)
        else:
            acks_in.close()
        async with pages_in, acks_out:
            async for page in pages_in:
                candidates = await _store_page(client, ctx, page, scan.window, acknowledger)
                if acknowledger is not None and candidates:
                    await acks_out.send((candidates, page.read_at))
                if ctx.stopping:
                    # Stop reading ahead; what is stored stays committed, and the stored pages'
                    # acknowledgements still go out (the others wait for the next run).
                    reading.cancel()
                    break
    if failed:
        raise failed[0]


async def _store_page(
    client: BigCommerceClient,
    ctx: RunContext,
    page: ScanPage,
    window: ScanWindow,
    acknowledger: Acknowledger | None,
) -> list[AckCandidate]:
    """Store a page's orders and commit the cursor with them; the orders to acknowledge."""
    for error in page.bad:
        ctx.skip(error)
    mapped: list[Order] = []
    for raw in page.orders:
        try:
            mapped.append(await _map(client, ctx.connection, raw))
        except RecordError as exc:
            ctx.skip(exc)
    candidates: list[AckCandidate] = []
    target = acknowledger.target if acknowledger is not None else None
    async with ctx.transaction() as hub:
        # Core emits order.imported for every order stored for the first time.
        stored = await hub.orders.store_many(mapped, acknowledge=acknowledger is not None)
        imported = 0
        for order, result in zip(mapped, stored, strict=True):
            status = int(order.status_code)
            channel_id = int(order.channel_order_id)
            if result.created:
                imported += 1
                if acknowledger is not None:
                    candidates.append(
                        AckCandidate(result.id, channel_id, status, order.modified_at)
                    )
            elif result.ack_state is AckState.PENDING and result.previous_status is not None:
                was = int(result.previous_status)
                # Decided in this transaction: the hub's status is the imported one until then.
                decided = decide_changed(was, status, target)
                if decided is not None:
                    before = AckCandidate(result.id, channel_id, was)
                    await record_outcomes(hub, ctx, [(before, decided)])
        ctx.count("imported", imported)
        if page.done:
            for status in window.statuses:
                hub.set_cursor(window.end.isoformat(), part=cursor_part(status))
            hub.set_cursor("", part=RESUME_PART)
        else:
            hub.set_cursor(window.to_cursor(page.after), part=RESUME_PART)
    return candidates


async def _map(client: BigCommerceClient, connection: str, raw: Mapping[str, Any]) -> Order:
    if not needs_subresources(raw):
        return map_order(connection, raw)
    # The answer had no line items (the include was not honoured): ask for them.
    order_id = order_id_of(raw)
    products = await _all(client, f"/orders/{order_id}/products")
    addresses = await _all(client, f"/orders/{order_id}/shipping_addresses")
    return map_order(connection, raw, products=products, shipping_addresses=addresses)


async def _all(client: BigCommerceClient, path: str) -> Sequence[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    async for page in client.v2_pages(path):
        found.extend(page)
    return found
