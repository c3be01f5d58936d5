"""Reading the catalog page by page, by id (flxd_woocommerce.keyset: nothing that changes during
the scan is lost):

- a full scan reads every product (`status=any`, trash excluded);
- an incremental scan reads those modified after a moment (`modified_after` in GMT with
  `dates_are_gmt=true`; a time with an offset would be shifted to the site's time). Stores
  older than WooCommerce 5.8 ignore `modified_after` (`supports_modified_after` tells).

Variable products come with their variations, one request per product (WooCommerce has no
way to list the variations of many products at once), read side by side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flxd_woocommerce.client import WooClient
from flxd_woocommerce.keyset import item_id, keyed_pages
from flxd_woocommerce.parse import format_gmt
from flxd_woocommerce.taskgroup import each

__all__ = ["PRODUCT_FIELDS", "ScanPage", "scan_products", "supports_modified_after"]

PRODUCT_FIELDS = (
    "id,name,description,type,status,sku,global_unique_id,regular_price,manage_stock,"
    "stock_quantity,attributes,variations,date_modified_gmt,meta_data"
)
VARIATION_FIELDS = (
    "id,sku,global_unique_id,regular_price,manage_stock,stock_quantity,status,attributes,meta_data"
)
PRODUCTS = "products"


@dataclass(slots=True)
class ScanPage:
    products: list[Any]
    """The raw products not read before in this scan (the consumer may empty the list)."""
    variations: dict[int, list[Any]] = field(default_factory=dict)
    """Raw variations by product id, for the variable products on the page."""
    last_id: int = 0
    """The highest id read so far (a resumed scan starts after it)."""
    offset: int = 0
    """Where the next page starts in the listing (a hint for resuming)."""


async def supports_modified_after(client: WooClient, now: datetime) -> bool | None:
    """Whether the store filters by `modified_after` (WooCommerce 5.8+): nothing is modified
    after tomorrow, so a store that filters lists nothing. None: the store has no products,
    so the answer says nothing."""
    everything = await client.list_page(PRODUCTS, {"per_page": 1, "_fields": "id"})
    if not everything.items:
        return None
    future = await client.list_page(
        PRODUCTS,
        {
            "per_page": 1,
            "_fields": "id",
            "modified_after": format_gmt(now + timedelta(days=1)),
            "dates_are_gmt": "true",
        },
    )
    return not future.items


async def scan_products(
    client: WooClient,
    *,
    after_id: int = 0,
    offset: int = 0,
    modified_after: datetime | None = None,
    fields: str = PRODUCT_FIELDS,
    variation_fields: str = VARIATION_FIELDS,
    at_once: int = 4,
    wanted: Callable[[Any], bool] = lambda raw: True,
) -> AsyncIterator[ScanPage]:
    """Products with an id above `after_id` (modified after `modified_after`, if given) in id
    order, each variable one that is `wanted` with its variations; `offset` is where an
    earlier scan left off, if known."""
    params: dict[str, str | int] = {"_fields": fields}
    if modified_after is not None:
        params["modified_after"] = format_gmt(modified_after)
        params["dates_are_gmt"] = "true"
    pages = keyed_pages(client, PRODUCTS, params, after_id=after_id, offset=offset)
    async with aclosing(pages):  # type: ignore[type-var]
        async for page in pages:
            found = ScanPage(page.items, last_id=page.last_id, offset=page.offset)
            variable = [item_id(i) for i in page.items if item_id(i) and _variable(i) and wanted(i)]
            if variable:
                found.variations = await _variations(client, variable, variation_fields, at_once)
            yield found


def _variable(item: Any) -> bool:
    return isinstance(item, Mapping) and item.get("type") == "variable"


async def _variations(
    client: WooClient, product_ids: list[int], fields: str, at_once: int
) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}

    async def read(product_id: int) -> None:
        items: list[Any] = []
        async for page in client.pages(
            f"{PRODUCTS}/{product_id}/variations",
            {"orderby": "id", "order": "asc", "_fields": fields},
        ):
            items += page
        found[product_id] = items

    await each(product_ids, read, at_once=at_once)
    return {pid: found[pid] for pid in product_ids}
