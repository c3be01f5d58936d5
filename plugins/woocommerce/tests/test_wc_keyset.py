"""The walk by id over an offset-paged collection: items that go away (or come in) while it
runs make it lose none of the others."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from flxd_woocommerce.client import ListPage
from flxd_woocommerce.keyset import keyed_pages

pytestmark = pytest.mark.asyncio


class Listing:
    """A collection listed by offset, `size` a page, changed by `between` after each page."""

    def __init__(self, ids: list[int], size: int = 100) -> None:
        self.ids = ids
        self.size = size
        self.calls = 0
        self.between: Callable[[int], None] = lambda call: None

    async def list_page(self, path: str, params: Mapping[str, Any]) -> ListPage:
        start = int(params["offset"])
        items = [{"id": i} for i in sorted(self.ids)[start : start + self.size]]
        total = len(self.ids)
        self.calls += 1
        self.between(self.calls)
        return ListPage(items, total, -(-total // self.size), False)


async def walk(listing: Listing, **kw: int) -> list[int]:
    seen: list[int] = []
    async for page in keyed_pages(listing, "products", {}, **kw):  # type: ignore[arg-type]
        seen += [item["id"] for item in page.items]
    return seen


async def test_every_item_once_and_one_request_per_99() -> None:
    listing = Listing(list(range(1, 301)))
    assert await walk(listing) == list(range(1, 301))
    assert listing.calls == 4  # 100, then 99 new a page


async def test_items_trashed_before_its_place_make_it_step_back_not_skip() -> None:
    listing = Listing(list(range(1, 301)))

    def trash(call: int) -> None:
        if call == 1:  # right after the first page: five items it read go away
            for gone in range(3, 8):
                listing.ids.remove(gone)

    listing.between = trash
    seen = await walk(listing)
    assert seen == [i for i in range(1, 301)]  # the trashed ones were read before they went
    assert len(seen) == len(set(seen))


async def test_items_coming_in_before_its_place_are_not_read_twice() -> None:
    listing = Listing([i * 2 for i in range(1, 201)])

    def arrive(call: int) -> None:
        if call == 1:  # older items enter the selection (modified during the walk)
            listing.ids += [1, 3, 5]

    listing.between = arrive
    seen = await walk(listing)
    assert seen[:100] == [i * 2 for i in range(1, 101)]
    assert sorted(seen) == sorted(set(seen))
    assert set(range(2, 401, 2)) <= set(seen)


async def test_a_resumed_walk_starts_after_its_last_id() -> None:
    listing = Listing(list(range(1, 301)))
    assert await walk(listing, after_id=150, offset=150) == list(range(151, 301))
    assert listing.calls == 2
    stale = Listing(list(range(1, 301)))
    stale.ids = [i for i in stale.ids if i > 40]  # forty went away since the hint was saved
    assert await walk(stale, after_id=150, offset=150) == list(range(151, 301))


class OldStore:
    """A store before WooCommerce 5.8: it ignores `modified_after` and lists everything."""

    def __init__(self, products: int) -> None:
        self.products = products
        self.asked: list[Mapping[str, Any]] = []

    async def list_page(self, path: str, params: Mapping[str, Any]) -> ListPage:
        self.asked.append(params)
        items = [{"id": i} for i in range(1, self.products + 1)][: int(params["per_page"])]
        return ListPage(items, self.products, self.products, False)


async def test_a_store_without_modified_after_is_told_apart() -> None:
    from datetime import UTC, datetime

    from flxd_woocommerce.features import SiteFeatures

    now = datetime(2025, 1, 15, tzinfo=UTC)
    features = SiteFeatures()
    old = OldStore(5)
    assert await features.modified_after(old, now) is False  # type: ignore[arg-type]
    assert await features.modified_after(old, now) is False  # type: ignore[arg-type]
    assert len(old.asked) == 2  # asked once per process
    assert old.asked[1]["modified_after"] == "2025-01-16T00:00:00"
    empty = SiteFeatures()
    assert await empty.modified_after(OldStore(0), now) is True  # type: ignore[arg-type]
