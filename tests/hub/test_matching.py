"""SKU matching, the same for every channel: which hub variant each channel item becomes."""

from __future__ import annotations

from decimal import Decimal

from flxd.config.operations import ImportListingsSettings
from flxd.hub.matching import ChannelItem, ChannelProduct, HubView, new_links, plan_page
from flxd.hub.model import Link, LinkState, Variant


def item(product: str, variant: str | None, sku: str | None, upc: str | None = None) -> ChannelItem:
    return ChannelItem(
        product_ref=product,
        variant_ref=variant,
        identifiers={"sku": sku, "upc": upc},
        price=Decimal("9.50"),
        quantity=3,
    )


def product(ref: str, *items: ChannelItem, sku: str | None = None) -> ChannelProduct:
    return ChannelProduct(
        ref=ref,
        name=f"Product {ref}",
        description=None,
        identifiers={"sku": sku},
        attributes=(("Material", "cotton"),),
        items=items,
    )


def hub_variant(vid: int, sku: str, listing_id: int = 7) -> Variant:
    return Variant(
        id=vid,
        listing_id=listing_id,
        sku=sku,
        upc=None,
        mpn=None,
        gtin=None,
        price=Decimal(20),
        quantity=1,
        options=(),
        attributes=(),
        seq=1,
    )


def view(
    variants: dict[str, Variant] | None = None,
    links: list[Link] | None = None,
    variant_links: dict[int, Link] | None = None,
) -> HubView:
    variants = variants or {}
    return HubView(
        variants=variants,
        listing_keys={v.listing_id: "TEE" for v in variants.values()},
        listings_by_key={},
        product_links=links or [],
        variant_links=variant_links or {},
    )


def link(vid: int, product_ref: str, variant_ref: str | None, state: LinkState) -> Link:
    return Link(
        connection="shop",
        variant_id=vid,
        listing_id=7,
        product_ref=product_ref,
        variant_ref=variant_ref,
        state=state,
    )


def test_new_items_become_one_listing_keyed_by_the_products_sku() -> None:
    page = [product("1", item("1", "11", "TEE-S"), item("1", "12", "TEE-M"), sku="TEE")]
    plan = plan_page(page, ImportListingsSettings(), view())
    assert [(u.sku, u.parent, u.listing_name) for u in plan.updates] == [
        ("TEE-S", "TEE", "Product 1"),
        ("TEE-M", "TEE", "Product 1"),
    ]
    assert all(m.existing is None and m.newly_linked for m in plan.matches)


def test_the_master_sku_is_the_identifier_the_settings_name() -> None:
    page = [product("1", item("1", None, "TEE-S", upc="012345678905"))]
    plan = plan_page(page, ImportListingsSettings(master_sku="upc"), view())
    assert [u.sku for u in plan.updates] == ["012345678905"]


def test_items_without_a_master_sku_or_claiming_one_twice_are_skipped_by_name() -> None:
    page = [
        product("1", item("1", "11", None), item("1", "12", "TEE-S")),
        product("2", item("2", None, "tee-s")),  # SKUs match regardless of case
    ]
    plan = plan_page(page, ImportListingsSettings(), view())
    assert [str(e) for e in plan.skips] == ["no sku", "sku 'tee-s' is also product 1 variant 12"]
    assert [e.record for e in plan.skips] == ["product 1 variant 11", "product 2"]
    assert [m.master for m in plan.matches] == ["TEE-S"]


def test_a_sku_linked_to_another_live_product_stays_with_it() -> None:
    existing = hub_variant(5, "TEE-S")
    held = link(5, "900", None, LinkState.LISTED)
    plan = plan_page(
        [product("1", item("1", None, "TEE-S"))],
        ImportListingsSettings(),
        view({"tee-s": existing}, variant_links={5: held}),
    )
    assert [str(e) for e in plan.skips] == ["sku 'TEE-S' is already linked to product 900"]
    # A link to a product that is gone does not hold the SKU.
    missing = link(5, "900", None, LinkState.MISSING)
    plan = plan_page(
        [product("1", item("1", None, "TEE-S"))],
        ImportListingsSettings(),
        view({"tee-s": existing}, variant_links={5: missing}),
    )
    assert plan.skips == [] and plan.matches[0].existing == existing


def test_create_only_links_a_match_and_keeps_the_hubs_values() -> None:
    existing = hub_variant(5, "TEE-S")
    plan = plan_page(
        [product("1", item("1", None, "TEE-S"))],
        ImportListingsSettings(),
        view({"tee-s": existing}),
    )
    assert plan.updates == []
    [match] = plan.matches
    assert match.existing == existing and match.newly_linked and not match.prices_imported


def test_create_and_overwrite_takes_the_channels_values_with_or_without_product_data() -> None:
    existing = hub_variant(5, "TEE-S")
    page = [product("1", item("1", None, "TEE-S"))]
    full = ImportListingsSettings(mode="create_and_overwrite")
    [update] = plan_page(page, full, view({"tee-s": existing})).updates
    assert (update.price, update.quantity, update.listing_name) == (Decimal("9.50"), 3, "Product 1")
    prices_only = ImportListingsSettings(mode="create_and_overwrite", overwrite_product_data=False)
    [update] = plan_page(page, prices_only, view({"tee-s": existing})).updates
    assert (update.price, update.quantity, update.listing_name) == (Decimal("9.50"), 3, None)


def test_items_gone_from_a_product_and_links_taken_over_are_reported() -> None:
    existing = hub_variant(5, "TEE-S")
    prior = [
        link(4, "1", "10", LinkState.LISTED),  # variant 10 is no longer on product 1
        link(6, "1", "11", LinkState.LISTED),  # item 11 now carries TEE-S (hub variant 5)
    ]
    plan = plan_page(
        [product("1", item("1", "11", "TEE-S"))],
        ImportListingsSettings(),
        view({"tee-s": existing}, links=prior),
    )
    assert plan.vanished == [4]
    assert plan.superseded == [6]


def test_new_links_carry_the_channels_values_and_a_hidden_product_stays_hidden() -> None:
    prior = [link(5, "1", None, LinkState.HIDDEN)]
    page = [product("1", item("1", None, "TEE-S"))]
    plan = plan_page(
        page, ImportListingsSettings(), view({"tee-s": hub_variant(5, "TEE-S")}, prior)
    )
    [made] = new_links("shop", plan, {"tee-s": (5, 7)}, prior)
    assert (made.variant_id, made.product_ref, made.state) == (5, "1", LinkState.HIDDEN)
    assert (made.pushed_price, made.pushed_quantity) == (Decimal("9.50"), 3)
