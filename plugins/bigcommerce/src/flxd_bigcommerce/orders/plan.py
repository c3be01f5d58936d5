"""Which scans read the configured statuses: one per status, or one status-free scan.

`GET /v2/orders` filters on one `status_id` at a time. Reading each configured status costs, per
status, a request per page plus the one that finds the list's end (even for a status with no
order); a status-free scan costs that once, but also pages through the orders of statuses not
configured, which are dropped here. `GET /v2/orders/count` (API.md §9.1) answers, in one request
and with the same filters, how many orders each status has in the window; the cheaper plan wins.

Incomplete (status 0) always gets its own scan: whether a listing without `status_id` includes
it is UNCONFIRMED (API.md §12), so a status-free scan may not be trusted to return it. Without
the count (a refused request, an answer that cannot be read) each status gets its own scan, the
plan that reads no order twice whatever the store.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

from flxd.plugin import PermanentError, RunContext, TransientError
from flxd_bigcommerce.client import MAX_PAGE, BigCommerceClient
from flxd_bigcommerce.errors import MissingScope
from flxd_bigcommerce.orders.scan import ScanWindow
from flxd_bigcommerce.parse import format_v2_date

__all__ = ["INCOMPLETE", "plan_scans", "scan_cost"]

INCOMPLETE = 0
_SECOND = timedelta(seconds=1)


def scan_cost(orders: int, page: int = MAX_PAGE) -> int:
    """Requests one scan of `orders` orders costs: its pages and the empty answer ending it."""
    return math.ceil(orders / page) + 1


async def plan_scans(
    client: BigCommerceClient,
    ctx: RunContext,
    starts: Mapping[int, datetime | None],
    end: datetime,
    created_since: datetime | None,
) -> list[ScanWindow]:
    """The scans of this run, with each status's window start (None: from the first order)."""
    statuses = list(starts)
    shared = [s for s in statuses if s != INCOMPLETE]
    own = [s for s in statuses if s == INCOMPLETE]
    if len(shared) > 1:
        earliest = _earliest([starts[s] for s in shared])
        counts = await _counts(client, earliest, end, created_since)
        if counts is not None:
            per_status = sum(scan_cost(counts.get(s, 0)) for s in shared)
            free = scan_cost(sum(counts.values()))
            ctx.log.debug(
                "order scans planned", per_status=per_status, status_free=free, counts=counts
            )
            if free < per_status:
                ctx.count("scan_status_free")
                windows = [ScanWindow(tuple(shared), None, earliest, end)]
                return windows + [ScanWindow((s,), s, starts[s], end) for s in own]
        ctx.count("scans_per_status", len(statuses))
    return [ScanWindow((s,), s, starts[s], end) for s in statuses]


def _earliest(starts: list[datetime | None]) -> datetime | None:
    known = [s for s in starts if s is not None]
    return None if len(known) < len(starts) else min(known)


async def _counts(
    client: BigCommerceClient,
    start: datetime | None,
    end: datetime,
    created_since: datetime | None,
) -> dict[int, int] | None:
    """Orders per status in the window, by `GET /v2/orders/count` (None: not known)."""
    params: dict[str, str | int] = {"max_date_modified": format_v2_date(end)}
    if start is not None:
        params["min_date_modified"] = format_v2_date(start - _SECOND)
    if created_since is not None:
        params["min_date_created"] = format_v2_date(created_since - _SECOND)
    try:
        answer = await client.get("v2", "/orders/count", params)
    except (MissingScope, PermanentError, TransientError):
        return None
    if answer is None:
        return {}
    rows = answer.get("statuses") if isinstance(answer, dict) else None
    if not isinstance(rows, list):
        return None
    counts: dict[int, int] = {}
    for row in rows:
        if not isinstance(row, dict):
            return None
        status, count = row.get("id"), row.get("count")
        if not isinstance(status, int) or not isinstance(count, int | float):
            return None
        counts[status] = int(count)
    return counts
