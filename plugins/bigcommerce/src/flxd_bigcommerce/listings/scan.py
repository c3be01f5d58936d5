"""Reading the catalog page by page without losing products that change during the scan.

Offset paging (`page=N`) shifts under a catalog that changes while it is read: a product
modified or deleted on an earlier page moves the rest forward and one is never seen. Both
scans here are keyset scans instead, always asking for the first page after the last item
seen:

- a full scan walks product ids upwards (`sort=id`, `id:greater=<last id>`): ids never change
  and new products get higher ids, so every product that exists for the whole scan is read;
- an incremental scan walks `date_modified` upwards within `[since, until]`
  (`date_modified:min=<last seen>`), skipping the ids already read at that second. Dates have
  whole seconds; when a whole page shares one second, that second is walked by id. A product
  modified during the scan gets a date past `until` and is read by the next run.

Each page comes with the position to save once it is in the hub.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flxd.plugin import RecordError, TransientError
from flxd_bigcommerce.client import MAX_PAGE, BigCommerceClient, Params, v3_has_more
from flxd_bigcommerce.parse import format_v3_date, parse_date

__all__ = ["PRODUCTS_PATH", "ScanPage", "full_scan", "modified_scan"]

PRODUCTS_PATH = "catalog/products"
# The product fields the import uses; variants and custom fields come whole.
_FIELDS = (
    "id,name,description,sku,upc,mpn,gtin,price,inventory_level,inventory_tracking,"
    "date_modified,base_variant_id"
)
_BASE: dict[str, str | int] = {
    "include": "variants,custom_fields",
    "include_fields": _FIELDS,
    "limit": MAX_PAGE,
}
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class ScanPage:
    products: list[dict[str, Any]]
    """The raw products; the consumer may empty the list once it has parsed them."""
    last_id: int
    """The highest id on the page (full scans resume after it)."""
    modified: datetime | None
    """Incremental scans: every product modified before this moment has been read."""


async def _page(client: BigCommerceClient, params: Params) -> tuple[list[Any], bool]:
    """The page's items as sent (one that is not even an object is the parser's to refuse,
    skipped with the reason), and whether more follow on BigCommerce's word (`meta.pagination`:
    a store may serve fewer than `limit`, e.g. 50 with `include=variants`, before the last)."""
    answer = await client.get("v3", PRODUCTS_PATH, {**_BASE, **params})
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise TransientError(f"GET {PRODUCTS_PATH}: expected {{data: [...]}} in a V3 list answer")
    items: list[Any] = answer["data"]
    return items, v3_has_more(answer)


def _id(item: Any) -> int:
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


async def full_scan(
    client: BigCommerceClient, *, after_id: int = 0, extra: Params | None = None
) -> AsyncGenerator[ScanPage, None]:
    """Every product with an id above `after_id`, in id order (`extra` narrows the query)."""
    while True:
        params: dict[str, str | int] = {"sort": "id", "direction": "asc", **(extra or {})}
        if after_id:
            params["id:greater"] = after_id
        items, more = await _page(client, params)
        if items:
            after_id = max(after_id, *(_id(i) for i in items))
        yield ScanPage(items, after_id, None)
        if not more:
            return


async def modified_scan(
    client: BigCommerceClient, *, since: datetime, until: datetime
) -> AsyncGenerator[ScanPage, None]:
    """Every product modified within [since, until], in `date_modified` order."""
    low = since
    seen_at_low: set[int] = set()
    while low <= until:
        items, more = await _page(
            client,
            {
                "sort": "date_modified",
                "direction": "asc",
                "date_modified:min": format_v3_date(low),
                "date_modified:max": format_v3_date(until),
            },
        )
        fresh = [i for i in items if _id(i) not in seen_at_low or _modified(i) != low]
        if not more:
            yield ScanPage(fresh, 0, until)
            return
        # A product whose date cannot be read is the parser's to refuse; the walk goes by the
        # dates it can read (the page is sorted by them).
        dates = [d for d in (_modified(i) for i in items) if d is not None]
        if not dates:
            raise TransientError(f"GET {PRODUCTS_PATH}: a full page without a readable date")
        last = dates[-1]
        if dates[0] == last:
            # A full page within one second: read that whole second by id, then go past it.
            yield ScanPage(fresh, 0, last)
            done = {_id(i) for i in items} | (seen_at_low if last == low else set())
            second = {
                "date_modified:min": format_v3_date(last),
                "date_modified:max": format_v3_date(last),
            }
            async for page in full_scan(client, extra=second):
                yield ScanPage([i for i in page.products if _id(i) not in done], 0, last)
            low, seen_at_low = last + _SECOND, set()
            continue
        seen_at_low = {_id(i) for i in items if _modified(i) == last}
        low = last
        yield ScanPage(fresh, 0, last)


def _modified(item: Any) -> datetime | None:
    if not isinstance(item, dict):
        return None
    try:
        return parse_date(item.get("date_modified"), "date_modified")
    except RecordError:
        return None
