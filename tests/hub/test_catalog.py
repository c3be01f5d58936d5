from __future__ import annotations

from decimal import Decimal

import pytest

from flxd.hub.catalog import Catalog
from flxd.hub.links import Links
from flxd.hub.model import Link, LinkState, ListingStatus, Presence, VariantUpdate
from flxd.store import Database
from flxd.testing import FakeClock

pytestmark = pytest.mark.asyncio
clock = FakeClock()


def shirt(sku: str, **fields: object) -> VariantUpdate:
    return VariantUpdate(sku=sku, parent="SHIRT", listing_name="Shirt", **fields)  # type: ignore[arg-type]


async def test_upsert_creates_parents_with_variants_and_logs_each_change(db: Database) -> None:
    async with db.transaction() as tx:
        catalog = Catalog(tx, clock.now())
        result = await catalog.upsert(
            [
                shirt("SHIRT-S", price=Decimal("19.90"), quantity=3, options=(("Size", "S"),)),
                shirt("SHIRT-M", price=Decimal("19.90"), quantity=0, options=(("Size", "M"),)),
                VariantUpdate(
                    sku="MUG", listing_name="Mug", price=Decimal("7"), upc="012345678905"
                ),
            ]
        )
        assert (result.created, result.listings_created) == (3, 2)
        listing = await catalog.listing("shirt-m")  # SKUs match regardless of case
        assert listing is not None and listing.key == "SHIRT" and listing.name == "Shirt"
        assert [v.sku for v in listing.variants] == ["SHIRT-S", "SHIRT-M"]
        assert listing.variants[0].price == Decimal("19.90")
        assert listing.variants[0].options == (("Size", "S"),)
        batch = await catalog.changes_since(0)
    assert len(batch.changes) == 3 and batch.last_seq == 3


async def test_unchanged_rows_make_no_change_log_entry(db: Database) -> None:
    async with db.transaction() as tx:
        catalog = Catalog(tx, clock.now())
        await catalog.upsert([shirt("A", price=Decimal("1.50"), quantity=1)])
        before = await catalog.last_seq()
        again = await catalog.upsert(
            [
                shirt("a", price=Decimal("1.5"), quantity=1),  # same value, other spelling
                shirt("A", quantity=2),
            ]
        )
        # Within one call, later statements about a SKU win field by field.
        assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
        batch = await catalog.changes_since(before)
        assert [c.fields for c in batch.changes] == [("quantity",)]
        listing = await catalog.listing("A")
        assert listing is not None and listing.variants[0].quantity == 2
        assert await catalog.upsert([shirt("a", price=Decimal("1.5"), quantity=2)]) is not None
        assert (await catalog.changes_since(batch.last_seq)).changes == ()


async def test_pause_hide_and_delist_act_on_the_whole_parent(db: Database) -> None:
    async with db.transaction() as tx:
        catalog = Catalog(tx, clock.now())
        await catalog.upsert([shirt("S1"), shirt("S2"), VariantUpdate(sku="OTHER")])
        seq = await catalog.last_seq()
        changed, unknown = await catalog.set_status(["S2", "NOPE"], ListingStatus.PAUSED)
        assert (changed, unknown) == (["SHIRT"], ["NOPE"])
        assert (await catalog.set_presence(["S1"], Presence.HIDDEN))[0] == ["SHIRT"]
        # unhide only acts on hidden listings: OTHER is listed, so nothing happens to it
        changed, _ = await catalog.set_presence(
            ["OTHER", "S1"], Presence.LISTED, only_from=Presence.HIDDEN
        )
        assert changed == ["SHIRT"]
        listing = await catalog.listing("S1")
        assert listing is not None
        assert (listing.status, listing.presence) == (ListingStatus.PAUSED, Presence.LISTED)
        batch = await catalog.changes_since(seq)
        assert [(c.variant_id, c.fields) for c in batch.changes] == [
            (None, ("status",)),
            (None, ("presence",)),
            (None, ("presence",)),
        ]
        assert batch.listing_ids == [listing.id]


async def test_links_and_pushed_values(db: Database) -> None:
    async with db.transaction() as tx:
        catalog = Catalog(tx, clock.now())
        await catalog.upsert([shirt("S1", price=Decimal("5"))])
        listing = await catalog.listing("S1")
        assert listing is not None
        variant = listing.variants[0]
        links = Links(tx, clock.now())
        await links.save(
            [
                Link(
                    connection="shop",
                    variant_id=variant.id,
                    listing_id=listing.id,
                    product_ref="77",
                    variant_ref="78",
                    state=LinkState.LISTED,
                )
            ]
        )
        assert [x.id for x in await catalog.unlinked_listings("shop")] == []
        assert [x.id for x in await catalog.unlinked_listings("other")] == [listing.id]
        await links.record_pushed("shop", [(variant.id, Decimal("5.00"), 4)])
        await links.set_listing_state("shop", listing.id, LinkState.HIDDEN)
        [link] = await links.for_listings("shop", [listing.id])
    assert (link.product_ref, link.state, link.pushed_price, link.pushed_quantity) == (
        "77",
        LinkState.HIDDEN,
        Decimal("5.00"),
        4,
    )


async def test_large_upserts_chunk_without_losing_rows(db: Database) -> None:
    updates = [VariantUpdate(sku=f"SKU-{n}", parent=f"P-{n // 3}", quantity=n) for n in range(1600)]
    async with db.transaction() as tx:
        catalog = Catalog(tx, clock.now())
        result = await catalog.upsert(updates)
        assert (result.created, result.listings_created) == (1600, 534)
        assert await catalog.count() == (534, 1600)
        assert len((await catalog.changes_since(0, limit=5000)).changes) == 1600
