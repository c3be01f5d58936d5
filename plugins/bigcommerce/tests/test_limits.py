"""The documented minimums every benchmark's request_ratio is measured against."""

from __future__ import annotations

import pytest
from flxd_bigcommerce import limits
from flxd_bigcommerce.listings.batches import BATCH_SIZES


def test_the_published_limits() -> None:
    assert (limits.PAGE_LIMIT, limits.PRODUCTS_BATCH, limits.VARIANTS_BATCH) == (250, 10, 50)
    assert (limits.INVENTORY_BATCH, limits.ORDER_METAFIELDS_BATCH) == (2000, 50)
    assert (limits.QUOTA_REQUESTS, limits.QUOTA_WINDOW_S) == (150, 30.0)
    # flxd's own batches are those limits, not a figure of its own.
    assert BATCH_SIZES["products"] == limits.PRODUCTS_BATCH
    assert BATCH_SIZES["variants"] == limits.VARIANTS_BATCH
    assert BATCH_SIZES["stock"] == limits.INVENTORY_BATCH


@pytest.mark.parametrize(
    ("orders", "pages"), [(0, 1), (1, 1), (249, 1), (250, 2), (600, 3), (20_000, 81)]
)
def test_order_pages_end_on_the_short_page(orders: int, pages: int) -> None:
    assert limits.order_pages(orders) == pages


@pytest.mark.parametrize(("products", "pages"), [(0, 1), (250, 1), (251, 2), (100_000, 400)])
def test_v3_pages_end_on_the_pagination_meta(products: int, pages: int) -> None:
    assert limits.v3_pages(products) == pages
    assert limits.import_listings_requests(products) == pages


def test_acknowledgements() -> None:
    assert limits.acknowledge_requests(600, "status") == 600
    assert limits.acknowledge_requests(600, "metafield") == 12
    assert limits.acknowledge_requests(600, "none") == 0
    with pytest.raises(ValueError, match="unknown acknowledgement"):
        limits.acknowledge_requests(1, "email")


def test_sync_minimum_and_the_cheaper_unconfirmed_route() -> None:
    # 120 variant prices, 25 simple products' prices, 2,001 stock items.
    assert limits.sync_listings_requests(120, 25, 2001) == 3 + 3 + 2
    assert limits.sync_requests_via_base_variants(120, 25, 2001) == 3 + 2
    assert limits.sync_listings_requests(0, 0, 0) == 0


@pytest.mark.parametrize(
    ("requests", "seconds"), [(0, 0.0), (1, 0.0), (150, 0.0), (151, 30.0), (20_081, 3990.0)]
)
def test_quota_seconds_wait_out_every_full_window(requests: int, seconds: float) -> None:
    assert limits.quota_seconds(requests) == seconds
