"""BigCommerce's published limits, and the fewest requests they allow for a piece of work.

Every benchmark's ``request_ratio`` divides what flxd sent by these minimums, so that "1.0"
means "as few requests as BigCommerce's documents allow", not "as few as flxd planned". Section
numbers are those of ``../shared/bigcommerce/API.md``.

The minimums assume the documented route for each change: a variant's price through the
variants batch, a simple product's price through the products batch, stock through the
Inventory API's absolute adjustments (the method BigCommerce recommends by default, §8).
Cheaper routes whose effect on a real store is unconfirmed are computed separately
(:func:`sync_requests_via_base_variants`) and never replace the documented minimum.
"""

from __future__ import annotations

import math

__all__ = [
    "INVENTORY_BATCH",
    "ORDER_METAFIELDS_BATCH",
    "PAGE_LIMIT",
    "PRODUCTS_BATCH",
    "QUOTA_REQUESTS",
    "QUOTA_WINDOW_S",
    "VARIANTS_BATCH",
    "acknowledge_requests",
    "batches",
    "import_listings_requests",
    "order_pages",
    "quota_seconds",
    "sync_listings_requests",
    "sync_requests_via_base_variants",
    "v3_pages",
]

# §5: "The maximum number of products returned is 250" (V3 `limit`, maximum 250). §9.1: V2
# lists document no maximum; 250 is the V2 collections' convention (UNCONFIRMED for orders).
PAGE_LIMIT = 250
# §6.3: `PUT /v3/catalog/products`, "Batches are limited to 10 products" (413 beyond).
PRODUCTS_BATCH = 10
# §7: `PUT /v3/catalog/variants`, "Currently the limit is 50 variants" (413 beyond).
VARIANTS_BATCH = 50
# §8: `PUT /v3/inventory/adjustments/absolute`, "Limit 2000 items per payload".
INVENTORY_BATCH = 2000
# §9.7 and §13: `POST /v3/orders/metafields` states no batch maximum. 50 is the size flxd
# starts with (halving on a 413/422 that says too many), so it is the figure measured against.
ORDER_METAFIELDS_BATCH = 50
# §4: the Plus and Standard plans' quota, 20k an hour: 150 requests per 30 s window.
QUOTA_REQUESTS = 150
QUOTA_WINDOW_S = 30.0


def batches(items: int, size: int) -> int:
    """Requests for ``items`` writes through a batch endpoint of ``size`` items (0 for none)."""
    return math.ceil(max(0, items) / size)


def v3_pages(items: int) -> int:
    """Pages of a V3 listing of ``items``: ``meta.pagination`` says when it ends, so the last
    page needs no extra read; an empty listing still costs its one page."""
    return max(1, batches(items, PAGE_LIMIT))


def order_pages(orders: int) -> int:
    """Pages of ``GET /v2/orders`` holding ``orders``: V2 has no ``meta``; the page holding
    fewer than 250 (or the 204 after a full one) is the last (§9.1), so ``orders // 250 + 1``."""
    return max(0, orders) // PAGE_LIMIT + 1


def acknowledge_requests(orders: int, how: str) -> int:
    """Writes to acknowledge ``orders``: ``status`` is one ``PUT /v2/orders/{id}`` each (V2 has
    no batch update, §9.5); ``metafield`` is ``POST /v3/orders/metafields`` in batches."""
    if how == "status":
        return max(0, orders)
    if how == "metafield":
        return batches(orders, ORDER_METAFIELDS_BATCH)
    if how == "none":
        return 0
    raise ValueError(f"unknown acknowledgement {how!r}")


def import_listings_requests(products: int) -> int:
    """Reading a catalog: products with their variants embedded (`include=variants`, §6.2)."""
    return v3_pages(products)


def sync_listings_requests(variant_prices: int, product_prices: int, stock_items: int) -> int:
    """Pushing prices and stock by the documented routes: variant prices in batches of 50,
    simple products' prices in batches of 10, stock items (one per variant, or per product when
    it tracks stock by product) in adjustments of 2,000."""
    return (
        batches(variant_prices, VARIANTS_BATCH)
        + batches(product_prices, PRODUCTS_BATCH)
        + batches(stock_items, INVENTORY_BATCH)
    )


def sync_requests_via_base_variants(
    variant_prices: int, product_prices: int, stock_items: int
) -> int:
    """The same push with a simple product's price written on its base variant, in the
    variants batch of 50. Cheaper, but whether a base variant's price becomes the product's
    price on a real store is not documented (§7: a variant's `price` is nullable and falls back
    to the product's, not the other way round), so flxd does not take this route."""
    return batches(variant_prices + product_prices, VARIANTS_BATCH) + batches(
        stock_items, INVENTORY_BATCH
    )


def quota_seconds(requests: int) -> float:
    """The least wall time ``requests`` take at 150 requests per 30 s: every full window but
    the one the work ends in is waited out."""
    if requests <= 0:
        return 0.0
    return (math.ceil(requests / QUOTA_REQUESTS) - 1) * QUOTA_WINDOW_S
