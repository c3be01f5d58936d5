"""Reading every order of one status modified in a window, in pages that never skip one.

`GET /v2/orders` pages by offset (`page=N`), and an offset shifts whenever an order leaves the
result during the scan (someone changes it, so its `date_modified` moves past the window's end):
the order after it would slide onto a page already read and be missed. So this walks by key
instead: sorted by `date_modified`, each request starts at the last `date_modified` seen
(`min_date_modified`, inclusive) and drops the orders of that second it has already yielded.

`date_modified` has whole seconds. When one second holds a full page (a bulk import, a busy
sale), starting at that second again would return the same page, so that second is walked by
id instead (`min_date_modified = max_date_modified = that second, sort=id:asc, min_id`), and the
walk resumes at the next second.

Each page carries `position`: every order of the window modified before it has been yielded,
so it can be committed as the cursor with the page. It never passes the window's end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flxd.plugin import RecordError, TransientError
from flxd_bigcommerce.client import MAX_PAGE, BigCommerceClient
from flxd_bigcommerce.orders.mapping import order_id_of
from flxd_bigcommerce.parse import format_v2_date, parse_date, shown

__all__ = ["INCLUDE", "OrderScan", "ScanPage"]

INCLUDE: Mapping[str, str] = {
    "include": "consignments.line_items",
    "consignment_structure": "object",
}
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class ScanPage:
    orders: list[dict[str, Any]]
    """Orders not yielded before in this scan, in the order BigCommerce listed them."""
    position: datetime
    """Every order modified before this has been yielded (the cursor after this page)."""
    bad: list[RecordError] = field(default_factory=list)
    """Orders whose id or date_modified cannot be read (skipped, with why)."""
    read_at: datetime | None = None
    """This machine's time when the page was asked for: BigCommerce read it after that."""


@dataclass(frozen=True, slots=True)
class _Entry:
    raw: dict[str, Any]
    id: int
    modified: datetime


class OrderScan:
    """One status's orders with `start <= date_modified <= end` (no start: from the first)."""

    def __init__(
        self,
        client: BigCommerceClient,
        *,
        status: int,
        start: datetime | None,
        end: datetime,
        created_since: datetime | None = None,
        limit: int = MAX_PAGE,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._client = client
        self._now = now
        self._status = status
        self._start = start
        self._end = end
        self._created_since = created_since
        self._limit = limit
        self.requests = 0
        self._read_at: datetime | None = None

    async def pages(self) -> AsyncIterator[ScanPage]:
        position = self._start
        seen: set[int] = set()  # ids yielded whose date_modified == position
        while True:
            entries, bad = await self._fetch(position, sort="date_modified:asc")
            fresh = [e for e in entries if not (e.modified == position and e.id in seen)]
            if len(entries) + len(bad) < self._limit:
                yield self._page(fresh, self._end, bad)
                return
            if not entries:
                raise TransientError("GET /v2/orders: a full page without a readable order")
            first, last = entries[0].modified, entries[-1].modified
            if first == last:
                # A whole page within one second: walk that second by id, then go on after it.
                done = set(seen) if position == last else set()
                done.update(e.id for e in entries)
                yield self._page(fresh, last, bad)
                async for page in self._walk_second(last, done):
                    yield page
                position, seen = last + _SECOND, set()
                if position > self._end:
                    return
                continue
            seen = {e.id for e in entries if e.modified == last}
            position = last
            yield self._page(fresh, last, bad)

    async def _walk_second(self, second: datetime, done: set[int]) -> AsyncIterator[ScanPage]:
        after: int | None = None
        while True:
            entries, bad = await self._fetch(second, sort="id:asc", until=second, min_id=after)
            fresh = [e for e in entries if e.id not in done]
            done.update(e.id for e in fresh)
            full = len(entries) + len(bad) >= self._limit
            # Only the last page of the second vouches for all of it.
            yield self._page(fresh, second if full else min(second + _SECOND, self._end), bad)
            if not full or not entries:
                return
            after = max(e.id for e in entries) + 1

    def _page(self, entries: list[_Entry], position: datetime, bad: list[RecordError]) -> ScanPage:
        return ScanPage([e.raw for e in entries], position, bad, self._read_at)

    async def _fetch(
        self,
        since: datetime | None,
        *,
        sort: str,
        until: datetime | None = None,
        min_id: int | None = None,
    ) -> tuple[list[_Entry], list[RecordError]]:
        params: dict[str, str | int] = {
            **INCLUDE,
            "status_id": self._status,
            "sort": sort,
            "limit": self._limit,
            "page": 1,
            "max_date_modified": format_v2_date(until or self._end),
        }
        if since is not None:
            params["min_date_modified"] = format_v2_date(since)
        if self._created_since is not None:
            params["min_date_created"] = format_v2_date(self._created_since)
        if min_id is not None:
            params["min_id"] = min_id
        self.requests += 1
        self._read_at = self._now() if self._now is not None else None
        answer = await self._client.get("v2", "/orders", params)
        if answer is None:  # 204: nothing in the window
            return [], []
        if not isinstance(answer, list):
            raise TransientError("GET /v2/orders: expected a JSON array")
        entries: list[_Entry] = []
        bad: list[RecordError] = []
        for raw in answer:
            if not isinstance(raw, dict):
                bad.append(RecordError("an order that is not a JSON object"))
                continue
            try:
                order_id = order_id_of(raw)
                modified = parse_date(raw.get("date_modified"), "date_modified")
            except RecordError as exc:
                bad.append(RecordError(str(exc), record=f"order {shown(raw.get('id'))}"))
                continue
            entries.append(_Entry(raw, order_id, modified))
        return entries, bad
