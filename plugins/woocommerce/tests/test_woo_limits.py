"""The documented minimums the WooCommerce benchmark's request_ratio is measured against."""

from __future__ import annotations

from flxd_woocommerce import limits


def test_the_published_limits() -> None:
    assert (limits.PER_PAGE, limits.BATCH) == (100, 100)


def test_minimums() -> None:
    assert limits.import_listings_requests(250, [3, 150, 0]) == 3 + 1 + 2 + 1
    assert limits.import_listings_requests(0, []) == 1
    assert (limits.order_pages(0), limits.order_pages(100), limits.order_pages(101)) == (1, 1, 2)
    assert limits.acknowledge_requests(5000) == 50
    assert limits.sync_listings_requests(101, [1, 100, 101]) == 2 + 1 + 1 + 2
    assert limits.sync_listings_requests(0, []) == 0
