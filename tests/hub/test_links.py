"""Links between hub variants and channel items, and the catalog reads import and publish use."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flxd.hub.catalog import Catalog
from flxd.hub.model import Link, LinkState, ListingStatus, Presence, VariantUpdate
from flxd.plugin.context import HubWriter
from flxd.store import Database
from flxd.testing import FakeClock

pytestmark = pytest.mark.asyncio
clock = FakeClock()


def link(variant_id: int, listing_id: int, product: str, state: LinkState, **kw: object) -> Link:
    return Link(
        connection="shop",
        variant_id=variant_id,
        listing_id=listing_id,
        product_ref=product,
        variant_ref=kw.pop("variant_ref", None),  # type: ignore[arg-type]
        state=state,
        **kw,  # type: ignore[arg-type]
    )


async def seed(db: Database) -> dict[str, tuple[int, int]]:
    """Listings A (2 variants), B, C, D, E; returns sku -> (listing id, variant id)."""
    async with db.transaction() as tx:
        catalog = Catalog(tx, clock.now())
        await catalog.upsert(
            [
                VariantUpdate(sku="A-1", parent="A", options=(("Size", "S"),)),
                VariantUpdate(sku="A-2", parent="A", options=(("Size", "M"),)),
                *(VariantUpdate(sku=k) for k in ("B", "C", "D", "E")),
            ]
        )
        found = await catalog.variants_by_sku(["a-1", "A-2", "b", "C", "D", "E", "nope"])
    assert set(found) == {"a-1", "a-2", "b", "c", "d", "e"}  # keys are sku_keys
    return {v.sku: (v.listing_id, v.id) for v in found.values()}


async def test_save_replaces_and_reads_by_product_and_variant(db: Database) -> None:
    ids = await seed(db)
    (a, a1), (_, a2) = ids["A-1"], ids["A-2"]
    async with db.transaction() as tx:
        hub = HubWriter(tx, clock)
        await hub.links.save(
            [
                link(a1, a, "10", LinkState.LISTED, variant_ref="101", pushed_price=Decimal("9.5")),
                link(a2, a, "10", LinkState.LISTED, variant_ref="102"),
            ]
        )
        # A later save replaces the variant's earlier tie on the same connection.
        await hub.links.save([link(a2, a, "10", LinkState.HIDDEN, variant_ref="103")])
        by_product = await hub.links.for_products("shop", ["10", "99"])
        assert sorted((k.variant_ref, k.state) for k in by_product) == [
            ("101", LinkState.LISTED),
            ("103", LinkState.HIDDEN),
        ]
        [one] = await hub.links.for_variants("shop", [a1])
        assert one.pushed_price == Decimal("9.5")
        assert await hub.links.for_variants("other", [a1]) == []

        await hub.links.mark("shop", [a1], state=LinkState.MISSING, error="gone")
        await hub.links.mark("shop", [a2], error="refused")  # state kept
        states = {
            k.variant_id: (k.state, k.error) for k in await hub.links.for_listings("shop", [a])
        }
        assert states == {a1: (LinkState.MISSING, "gone"), a2: (LinkState.HIDDEN, "refused")}

        await hub.links.locate_stock("shop", [a1, a2], "10")
        assert {k.stock_ref for k in await hub.links.for_products("shop", ["10"])} == {"10"}
        await hub.links.save([link(a2, a, "10", LinkState.LISTED, stock_ref=None)])
        assert (await hub.links.for_variants("shop", [a2]))[0].stock_ref is None

        await hub.links.remove("shop", [a1])
        assert [k.variant_id for k in await hub.links.for_products("shop", ["10"])] == [a2]


async def test_publishable_listings(db: Database) -> None:
    ids = await seed(db)
    listing = {sku: lid for sku, (lid, _) in ids.items()}
    async with db.transaction() as tx:
        hub = HubWriter(tx, clock)
        await hub.links.save(
            [
                link(ids["A-1"][1], listing["A-1"], "1", LinkState.LISTED),
                link(ids["B"][1], listing["B"], "", LinkState.FAILED, error="409"),
                link(ids["C"][1], listing["C"], "3", LinkState.DELISTED),
                link(ids["D"][1], listing["D"], "4", LinkState.MISSING),
            ]
        )
        seq = await hub.catalog.last_seq()

        async def publishable(changed_after: int | None) -> set[str]:
            found = await hub.links.publishable("shop", changed_after=changed_after)
            keys = await hub.catalog.listing_keys(found)
            return set(keys.values())

        # E never published; C delisted (and listed in the hub again); B refused: retried only
        # when asked to retry all, or once it changed; A is live; D was deleted on the channel.
        assert await publishable(None) == {"B", "C", "E"}
        assert await publishable(seq) == {"C", "E"}
        await hub.catalog.upsert([VariantUpdate(sku="B", price=Decimal("2"))])
        assert await publishable(seq) == {"B", "C", "E"}

        await hub.catalog.set_status(["E"], ListingStatus.PAUSED)
        await hub.catalog.set_presence(["C"], Presence.DELISTED)
        assert await publishable(seq) == {"B"}
        assert await hub.links.publishable("other", changed_after=None, limit=2) == sorted(
            listing[k] for k in ("A-1", "B")
        )


async def test_listing_lookups_and_marked_changes(db: Database) -> None:
    ids = await seed(db)
    async with db.transaction() as tx:
        catalog = Catalog(tx, clock.now())
        lid, vid = ids["A-1"]
        assert await catalog.listing_keys([lid, lid, 999]) == {lid: "A"}
        assert await catalog.listings_by_key(["A", "B", "Z"]) == {"A": lid, "B": ids["B"][0]}
        before = await catalog.last_seq()
        await catalog.mark_changed([(lid, vid), (lid, None)], "linked")
        batch = await catalog.changes_since(before)
        assert [(c.listing_id, c.variant_id, c.fields) for c in batch.changes] == [
            (lid, vid, ("linked",)),
            (lid, None, ("linked",)),
        ]
        await catalog.mark_changed([], "linked")
        assert await catalog.last_seq() == batch.last_seq
