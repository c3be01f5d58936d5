"""Reading every order modified in a window, in pages that never skip one and end on
BigCommerce's word.

A scan reads a fixed window of `date_modified` (`start` to the run's start), of one status or of
every status (kept here when configured: a status-free scan), walking order ids upwards
(`sort=id:asc`, `min_id` one past the last id read). Ids never change, so an order that leaves the
window during the scan (someone changes it, so its `date_modified` moves past the window's end)
shifts nothing: every order in the window for the whole scan is read, and one changed during it
is read by the next run, whose window starts before this one's end. Offset paging (`page=N`)
would skip the order after one that left; a walk by `date_modified` would have to ask for its last
second again on every page (see below) and could not tell its end from a short page.

What the scan may not assume (API.md §9.1, §11, §12 -- undocumented, so it takes the reading worst
for flxd):
- whether `min_/max_date_modified` include their bound: the window's start is asked for one
  second early, and its end is the run's start, which the next run's window covers again;
- whether `min_id` includes its bound: the next page asks from the last id read, and drops it;
- that a page holds `limit` orders unless it is the last: V2 has no pagination metadata and a store
  may serve fewer than asked. The walk ends on a 204 or an empty page, BigCommerce's only end
  markers for V2 lists (or a page holding nothing past the last id read, which is how an empty
  page reads when `min_id` includes its bound); that costs one request past the last page.

Each page carries where the walk stands (`after`): the cursor of an unfinished scan, so that a run
stopped half-way resumes the same window after the last id stored rather than from its start.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flxd.plugin import RecordError, TransientError
from flxd_bigcommerce.client import MAX_PAGE, BigCommerceClient
from flxd_bigcommerce.orders.mapping import order_id_of, status_of
from flxd_bigcommerce.parse import format_v2_date, shown

__all__ = ["INCLUDE", "OrderScan", "ScanPage", "ScanWindow"]

INCLUDE: Mapping[str, str] = {
    "include": "consignments.line_items",
    "consignment_structure": "object",
}
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class ScanWindow:
    """What one scan reads: `status` None is a status-free scan kept to `statuses`."""

    statuses: tuple[int, ...]
    status: int | None
    start: datetime | None
    end: datetime
    after: int = 0
    """The highest order id already stored (a resumed scan goes on past it)."""

    def to_cursor(self, after: int) -> str:
        return json.dumps(
            {
                "statuses": list(self.statuses),
                "status": self.status,
                "start": None if self.start is None else self.start.isoformat(),
                "end": self.end.isoformat(),
                "after": after,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_cursor(cls, value: str | None) -> ScanWindow | None:
        """The unfinished scan a cursor stands for (None: none, or one this cannot read)."""
        if not value:
            return None
        try:
            raw = json.loads(value)
            start = raw["start"]
            return cls(
                statuses=tuple(int(s) for s in raw["statuses"]),
                status=None if raw["status"] is None else int(raw["status"]),
                start=None if start is None else datetime.fromisoformat(start),
                end=datetime.fromisoformat(raw["end"]),
                after=int(raw["after"]),
            )
        except (ValueError, TypeError, KeyError):
            return None


@dataclass(frozen=True, slots=True)
class ScanPage:
    orders: list[dict[str, Any]]
    """The page's orders in a status this scan keeps, in the order BigCommerce listed them."""
    after: int
    """The highest order id read so far: the scan resumes past it."""
    done: bool = False
    """The last page: every order of the window has been read."""
    bad: list[RecordError] = field(default_factory=list)
    """Orders whose id or status cannot be read (skipped, with why)."""
    read_at: datetime | None = None
    """This machine's time when the page was asked for: BigCommerce read it after that."""


class OrderScan:
    def __init__(
        self,
        client: BigCommerceClient,
        window: ScanWindow,
        *,
        created_since: datetime | None = None,
        limit: int = MAX_PAGE,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._client = client
        self.window = window
        self._keep: Collection[int] = frozenset(window.statuses)
        self._created_since = created_since
        self._limit = limit
        self._now = now
        self.requests = 0
        self._read_at: datetime | None = None
        self._reported: set[str] = set()

    async def pages(self) -> AsyncIterator[ScanPage]:
        after = self.window.after
        while True:
            page = await self._fetch(after)
            yield page
            if page.done:
                return
            after = page.after

    async def _fetch(self, after: int) -> ScanPage:
        window = self.window
        params: dict[str, str | int] = {
            **INCLUDE,
            "sort": "id:asc",
            "limit": self._limit,
            "max_date_modified": format_v2_date(window.end),
        }
        if window.status is not None:
            params["status_id"] = window.status
        if window.start is not None:
            # One second early: the bound may be exclusive (API.md §13).
            params["min_date_modified"] = format_v2_date(window.start - _SECOND)
        if self._created_since is not None:
            params["min_date_created"] = format_v2_date(self._created_since - _SECOND)
        if after:
            # The last id read again: whether `min_id` includes its bound is not stated either.
            params["min_id"] = after
        self.requests += 1
        self._read_at = self._now() if self._now is not None else None
        answer = await self._client.get("v2", "/orders", params)
        if not answer:  # 204 or []: nothing (more) in the window
            return ScanPage([], after, done=True, read_at=self._read_at)
        if not isinstance(answer, list):
            raise TransientError("GET /v2/orders: expected a JSON array")
        kept: list[dict[str, Any]] = []
        bad: list[RecordError] = []
        highest = after
        for raw in answer:
            if not isinstance(raw, dict):
                if self._first_time(raw):
                    bad.append(RecordError("an order that is not a JSON object"))
                continue
            try:
                order_id = order_id_of(raw)
                highest = max(highest, order_id)
                status = status_of(raw)
            except RecordError as exc:
                if self._first_time(raw):
                    bad.append(RecordError(str(exc), record=f"order {shown(raw.get('id'))}"))
                continue
            if order_id > after and status in self._keep:
                kept.append(raw)
        if highest == after:
            # Nothing past the last id read: the page holds only that order, read again (or
            # orders without a readable id, which nothing can page past).
            return ScanPage(kept, after, done=True, bad=bad, read_at=self._read_at)
        return ScanPage(kept, highest, bad=bad, read_at=self._read_at)

    def _first_time(self, raw: Any) -> bool:
        """An unreadable order may come again on the next page (it has no id to page past):
        it is reported once."""
        key = json.dumps(raw, sort_keys=True, default=str)
        if key in self._reported:
            return False
        self._reported.add(key)
        return True
