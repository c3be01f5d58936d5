"""The change plan every channel's sync works from: what a listing needs on one connection."""

from __future__ import annotations

from decimal import Decimal

from flxd.hub.changeplan import ChangeKind, plan_listing
from flxd.hub.model import Link, LinkState, Listing, ListingStatus, Presence, Variant


def variant(vid: int, sku: str, price: str | None = "10", quantity: int | None = 5) -> Variant:
    return Variant(
        id=vid,
        listing_id=1,
        sku=sku,
        upc=None,
        mpn=None,
        gtin=None,
        price=None if price is None else Decimal(price),
        quantity=quantity,
        options=(),
        attributes=(),
        seq=1,
    )


def listing(
    *variants: Variant,
    status: ListingStatus = ListingStatus.ACTIVE,
    presence: Presence = Presence.LISTED,
) -> Listing:
    return Listing(
        id=1,
        key="TEE",
        name="Tee",
        description=None,
        status=status,
        presence=presence,
        seq=1,
        variants=variants,
    )


def link(
    vid: int,
    product: str = "100",
    *,
    ref: str | None = None,
    state: LinkState = LinkState.LISTED,
    price: str | None = "10",
    quantity: int | None = 5,
) -> Link:
    return Link(
        connection="shop",
        variant_id=vid,
        listing_id=1,
        product_ref=product,
        variant_ref=ref,
        state=state,
        pushed_price=None if price is None else Decimal(price),
        pushed_quantity=quantity,
    )


def kinds(plan_products: list) -> list[tuple[str, ChangeKind, str | None]]:  # type: ignore[type-arg]
    return [(p.product_ref, c.kind, c.sku) for p in plan_products for c in p.changes]


def test_what_was_pushed_needs_nothing() -> None:
    plan = plan_listing(listing(variant(1, "TEE-S")), [link(1)])
    assert plan.products == [] and plan.unplaced == [] and not plan.paused


def test_price_and_quantity_are_written_where_they_differ_from_what_was_pushed() -> None:
    tee = listing(variant(1, "TEE-S", price="12", quantity=5), variant(2, "TEE-M", quantity=9))
    plan = plan_listing(tee, [link(1, ref="11"), link(2, ref="12")])
    assert kinds(plan.products) == [
        ("100", ChangeKind.PRICE, "TEE-S"),
        ("100", ChangeKind.QUANTITY, "TEE-M"),
    ]
    price, quantity = plan.products[0].changes
    assert (price.old, price.new) == (Decimal(10), Decimal(12))
    assert (quantity.old, quantity.new) == (5, 9)
    # A channel keeping stock by product sets it to the total of the product's variants.
    assert quantity.product_quantity == 5 + 9
    assert price.describe() == {"action": "update_price", "sku": "TEE-S", "old": "10", "new": "12"}


def test_a_paused_listing_gets_nothing_at_all() -> None:
    tee = listing(
        variant(1, "TEE-S", price="99"), status=ListingStatus.PAUSED, presence=Presence.HIDDEN
    )
    plan = plan_listing(tee, [link(1)])
    assert plan.paused and plan.products == []


def test_hide_and_unhide_act_on_the_whole_product_once() -> None:
    tee = listing(variant(1, "TEE-S"), variant(2, "TEE-M"), presence=Presence.HIDDEN)
    plan = plan_listing(tee, [link(1, ref="11"), link(2, ref="12")])
    [product] = plan.products
    [hide] = product.changes
    assert hide.kind is ChangeKind.HIDE and hide.variant_ids == (1, 2)
    assert hide.describe() == {"action": "hide", "listing": "TEE", "product": "100"}
    shown = listing(variant(1, "TEE-S"), variant(2, "TEE-M"))
    hidden_links = [link(1, state=LinkState.HIDDEN), link(2, state=LinkState.HIDDEN)]
    assert kinds(plan_listing(shown, hidden_links).products) == [("100", ChangeKind.UNHIDE, None)]


def test_a_delisted_listing_is_delisted_and_nothing_else_is_sent() -> None:
    tee = listing(variant(1, "TEE-S", price="99"), variant(2, "TEE-M"), presence=Presence.DELISTED)
    plan = plan_listing(tee, [link(1), link(2, product="200", state=LinkState.MISSING)])
    assert kinds(plan.products) == [("100", ChangeKind.DELIST, None)]
    # Gone from the store already: settled without asking the channel.
    assert plan.settled == [((2,), LinkState.DELISTED)]


def test_a_variant_added_after_publishing_is_reported_not_left_out() -> None:
    tee = listing(variant(1, "TEE-S"), variant(2, "TEE-XL"))
    plan = plan_listing(tee, [link(1)])
    [unplaced] = plan.unplaced
    assert unplaced.variant.sku == "TEE-XL" and "after the listing was published" in unplaced.reason


def test_a_listing_not_on_the_channel_needs_nothing_here() -> None:
    tee = listing(variant(1, "TEE-S"), variant(2, "TEE-M"))
    assert plan_listing(tee, []).products == []
    # Refused at publishing (failed links): publish retries it; sync neither sends nor reports.
    failed = [link(1, state=LinkState.FAILED), link(2, state=LinkState.FAILED)]
    plan = plan_listing(tee, failed)
    assert plan.products == [] and plan.unplaced == []


def test_several_channel_products_of_one_listing_are_planned_apart() -> None:
    tee = listing(variant(1, "TEE-S", quantity=1), variant(2, "TEE-M", quantity=2))
    plan = plan_listing(tee, [link(1, "100"), link(2, "200")])
    assert kinds(plan.products) == [
        ("100", ChangeKind.QUANTITY, "TEE-S"),
        ("200", ChangeKind.QUANTITY, "TEE-M"),
    ]
    assert [c.product_quantity for p in plan.products for c in p.changes] == [1, 2]
