"""Drift: what the channel has now against what flxd last pushed and what the hub holds."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from flxd.hub.changeplan import ChangeKind, plan_listing
from flxd.hub.drift import ChannelStock, Seen, find_drift
from flxd.hub.model import Link, LinkState, ListingStatus, Presence
from tests.hub.test_changeplan import link, listing, variant


def stock(ref: str | None, price: str | None = "10", quantity: int | None = 5) -> ChannelStock:
    return ChannelStock(
        product_ref="100",
        variant_ref=ref,
        price=None if price is None else Decimal(price),
        quantity=quantity,
    )


def corrected(links: list[Link], seen: list[Seen]) -> list[Link]:
    """The links as the pass leaves them."""
    out = []
    for k in links:
        for s in seen:
            if s.variant_id == k.variant_id:
                if s.set_price:
                    k = replace(k, pushed_price=s.price)
                if s.set_quantity:
                    k = replace(k, pushed_quantity=s.quantity)
        out.append(k)
    return out


def test_stock_changed_behind_flxds_back_is_drift_and_the_plan_puts_it_back() -> None:
    item = listing(variant(1, "TEE-S"), variant(2, "TEE-M"))
    links = [link(1, ref="11"), link(2, ref="12")]
    report = find_drift([stock("11", quantity=9), stock("12")], links, {1: item})
    assert report.checked == 2
    assert report.drifted == [(1, 1)]
    plan = plan_listing(item, corrected(links, report.corrected))
    [changes] = plan.products
    assert [(c.kind, c.sku, c.old, c.new) for c in changes.changes] == [
        (ChangeKind.QUANTITY, "TEE-S", 9, 5)
    ]


def test_a_change_not_pushed_yet_is_not_drift() -> None:
    item = listing(variant(1, "TEE-S", price="12"))
    report = find_drift([stock("11")], [link(1, ref="11")], {1: item})
    assert (report.checked, report.drifted, report.corrected) == (1, [], [])


def test_the_store_already_has_the_hubs_value_only_the_link_is_corrected() -> None:
    item = listing(variant(1, "TEE-S", quantity=7))
    report = find_drift([stock("11", quantity=7)], [link(1, ref="11")], {1: item})
    assert report.drifted == []
    assert report.corrected == [Seen(1, 1, Decimal("10"), 7, False, True)]


def test_paused_and_delisted_listings_are_left_alone() -> None:
    for item in (
        listing(variant(1, "TEE-S"), status=ListingStatus.PAUSED),
        listing(variant(1, "TEE-S"), presence=Presence.DELISTED),
    ):
        report = find_drift([stock("11", "99", 0)], [link(1, ref="11")], {1: item})
        assert (report.checked, report.drifted, report.corrected) == (0, [], [])
    missing = link(1, ref="11", state=LinkState.MISSING)
    report = find_drift([stock("11", "99", 0)], [missing], {1: listing(variant(1, "TEE-S"))})
    assert report.checked == 0


def test_stock_kept_by_the_product_is_compared_with_the_hubs_total() -> None:
    item = listing(variant(1, "TEE-S", quantity=2), variant(2, "TEE-M", quantity=3))
    links = [
        replace(link(1, ref="11", quantity=2), stock_ref="100"),
        replace(link(2, ref="12", quantity=3), stock_ref="100"),
    ]
    same = find_drift([stock(None, None, 5), stock("11", quantity=None)], links, {1: item})
    assert same.drifted == [] and same.corrected == []
    report = find_drift([stock(None, None, 40)], links, {1: item})
    assert report.drifted == [(1, 1), (1, 2)]
    plan = plan_listing(item, corrected(links, report.corrected))
    assert {(c.kind, c.product_quantity) for c in plan.products[0].changes} == {
        (ChangeKind.QUANTITY, 5)
    }


def test_a_price_drift_on_a_product_sold_as_one_item() -> None:
    item = listing(variant(1, "MUG"))
    report = find_drift([stock(None, price="8.50")], [link(1)], {1: item})
    assert report.drifted == [(1, 1)]
    assert report.corrected == [Seen(1, 1, Decimal("8.50"), 5, True, False)]
