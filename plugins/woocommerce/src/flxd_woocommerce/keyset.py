"""Walking a collection by id, page by page, without losing items that change during the walk.

WooCommerce lists by offset (`page`, `offset`) and has no "ids above N" filter, and an offset
shifts under a collection that changes while it is read: an item trashed (or, in a window of
modification dates, changed past it) on an earlier page moves the rest forward, and one would
never be seen. So the walk goes by id upwards (`orderby=id&order=asc`) and asks each page to
start one item early: that item must be the last one already read (or an earlier one). If it is
a later one, items before it went away and the rest moved forward: the walk steps back until
it finds its place again. New items get higher ids and come last; an item that changes keeps
its place. Each page costs one request for 99 new items (a host that serves fewer than asked
per page is followed by its `X-WP-Total`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from flxd_woocommerce.client import MAX_PAGE, WooClient

__all__ = ["KeyedPage", "item_id", "keyed_pages"]


@dataclass(slots=True)
class KeyedPage:
    items: list[Any]
    """Items not read before in this walk, in id order (one without a readable id is passed
    on for the parser to refuse)."""
    last_id: int
    """The highest id read so far: a walk resumed after it misses nothing."""
    offset: int
    """Where the next page starts (a hint for resuming)."""


def item_id(item: Any) -> int:
    value = item.get("id") if isinstance(item, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


async def keyed_pages(
    client: WooClient,
    path: str,
    params: Mapping[str, str | int],
    *,
    after_id: int = 0,
    offset: int = 0,
) -> AsyncIterator[KeyedPage]:
    """Every item with an id above `after_id` that `params` select, in id order."""
    query = {**params, "orderby": "id", "order": "asc", "per_page": MAX_PAGE}
    last = after_id
    while True:
        start = max(0, offset - 1) if last else 0
        page = await client.list_page(path, {**query, "offset": start})
        ids = [item_id(item) for item in page.items]
        known = [i for i in ids if i]
        if last and start > 0 and (not known or known[0] > last):
            # What was before our place went away and the rest moved forward: step back.
            offset = max(0, start - MAX_PAGE + 1)
            continue
        fresh = [item for item, i in zip(page.items, ids, strict=True) if i > last or i == 0]
        offset = start + len(page.items)
        last = max([last, *ids])
        yield KeyedPage(fresh, last, offset)
        if not page.items or (page.total is not None and offset >= page.total):
            return
