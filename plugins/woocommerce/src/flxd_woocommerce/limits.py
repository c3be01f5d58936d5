"""WooCommerce's published limits, and the fewest requests they allow for a piece of work.

The WooCommerce benchmark's ``request_ratio`` divides what flxd sent by these minimums, so that
"1.0" means "as few requests as WooCommerce's documents allow". Documents: ``../shared/
woocommerce/docs`` (``_introduction.md`` on pagination; each resource's "Batch update" note).

WooCommerce documents **no request quota** (a host's capacity, its PHP workers, is the limit,
and it is not published), so there is no "seconds at the store's quota" figure for it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from flxd_woocommerce.client import MAX_BATCH, MAX_PAGE

__all__ = [
    "BATCH",
    "PER_PAGE",
    "acknowledge_requests",
    "batches",
    "import_listings_requests",
    "order_pages",
    "sync_listings_requests",
]

# _introduction.md, Pagination: `per_page`, WordPress's collection parameter, at most 100.
PER_PAGE = MAX_PAGE
# _products.md, _product-variations.md, _orders.md: "By default it's limited to up to 100
# objects to be created, updated or deleted" per `/batch` request.
BATCH = MAX_BATCH


def batches(items: int, size: int = BATCH) -> int:
    """Requests for ``items`` writes through a batch endpoint (0 for none)."""
    return math.ceil(max(0, items) / size)


def pages(items: int) -> int:
    """Pages of a listing of ``items``: `X-WP-TotalPages` says when it ends; an empty listing
    still costs its one page."""
    return max(1, batches(items, PER_PAGE))


def import_listings_requests(products: int, variations_per_product: Iterable[int]) -> int:
    """The products' pages, and each variable product's variations listed under it (variations
    are listed only per product)."""
    return pages(products) + sum(pages(n) for n in variations_per_product)


def order_pages(orders: int) -> int:
    return pages(orders)


def acknowledge_requests(orders: int) -> int:
    """Acknowledging each order by a meta field (or a status): the orders batch, 100 a request."""
    return batches(orders)


def sync_listings_requests(simple_items: int, variations_per_product: Iterable[int]) -> int:
    """Simple products through the products batch; variations only through their own
    product's variations batch."""
    return batches(simple_items) + sum(batches(n) for n in variations_per_product)
