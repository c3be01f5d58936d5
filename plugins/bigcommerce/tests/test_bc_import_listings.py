"""import_listings against the sandbox store: every option, asserted on both sides."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp import web
from bc_listings import IMPORT, NAME, SYNC, V, listings_env
from flxd_bigcommerce.sandbox.catalog.products import update_product
from flxd_bigcommerce.sandbox.catalog.writes import ProductWrite

from flxd.plugin import LinkState, ListingStatus, VariantUpdate
from flxd.testing import Cursors, RunOutcome

pytestmark = pytest.mark.asyncio

TEE = [
    V("TEE-S", {"Size": "S"}, price="19.90", stock=5, upc="012345678905"),
    V("TEE-M", {"Size": "M"}, stock=2, mpn="MPN-TEE-M"),
]


async def test_products_become_parents_with_their_variants_linked(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        tee = env.make("Tee", "TEE", "18", variants=TEE, fields={"Material": "Cotton"})
        mug = env.make("Mug", "MUG", "7.50", stock=12, upc="036000291452", description="<p>Mug</p>")
        summary = await env.run_ok(IMPORT)
        assert summary.counts == {"products": 2, "created": 3}

        listing = await env.listing("TEE")
        assert (listing.key, listing.name, listing.status) == ("TEE", "Tee", ListingStatus.ACTIVE)
        s, m = listing.variants
        assert (s.sku, s.price, s.quantity, s.upc, s.options) == (
            "TEE-S",
            Decimal("19.9"),
            5,
            "012345678905",
            (("Size", "S"),),
        )
        # A variant without a price of its own sells at the product's.
        assert (m.sku, m.price, m.quantity, m.mpn) == ("TEE-M", Decimal(18), 2, "MPN-TEE-M")
        assert s.attributes == m.attributes == (("Material", "Cotton"),)
        simple = await env.listing("MUG")
        assert [(v.sku, v.price, v.quantity) for v in simple.variants] == [
            ("MUG", Decimal("7.5"), 12)
        ]
        assert simple.description == "<p>Mug</p>"

        links = await env.links("TEE") | await env.links("MUG")
        variant_ids = {v.sku: v.id for v in env.store.variants_of(tee.id)}
        assert {sku: (k.product_ref, k.variant_ref, k.state) for sku, k in links.items()} == {
            "TEE-S": (str(tee.id), str(variant_ids["TEE-S"]), LinkState.LISTED),
            "TEE-M": (str(tee.id), str(variant_ids["TEE-M"]), LinkState.LISTED),
            "MUG": (str(mug.id), None, LinkState.LISTED),
        }
        assert (links["MUG"].pushed_price, links["MUG"].pushed_quantity) == (Decimal("7.5"), 12)

        # Importing again creates nothing and logs no change.
        async with env.hub() as hub:
            seq = await hub.catalog.last_seq()
        again = await env.run_ok(IMPORT, full=True)
        assert again.counts == {"products": 2}
        async with env.hub() as hub:
            assert await hub.catalog.last_seq() == seq
            assert await hub.catalog.count() == (2, 3)


@pytest.mark.parametrize("field", ["upc", "mpn"])
async def test_items_without_the_master_sku_field_are_skipped_and_counted(
    tmp_path: Path, field: str
) -> None:
    async with listings_env(tmp_path, settings={IMPORT: f'master_sku = "{field}"'}) as env:
        variants = [
            V("SHOE-40", {"Size": "40"}, upc="012345678912", mpn="SH-40"),
            V("SHOE-41", {"Size": "41"}),
        ]
        shoe = env.make("Shoe", "SHOE", variants=variants, upc="012345678929", mpn="SH")
        env.make("Cap", "CAP")  # no UPC, no MPN
        summary = await env.run(IMPORT)
        assert summary.outcome is RunOutcome.PARTIAL
        assert summary.counts["skipped"] == 2 and summary.counts["created"] == 1
        assert summary.error is not None and f"no {field}" in summary.error
        master = "012345678912" if field == "upc" else "SH-40"
        listing = await env.listing(master)
        # The listing key is the product's own UPC/MPN; nothing is invented for the rest.
        assert listing.key == ("012345678929" if field == "upc" else "SH")
        assert [v.sku for v in listing.variants] == [master]
        link = (await env.links(master))[master]
        assert link.product_ref == str(shoe.id)
        async with env.hub() as hub:
            assert await hub.catalog.count() == (1, 1)


async def test_new_listings_paused_get_nothing_pushed_until_unpaused(tmp_path: Path) -> None:
    async with listings_env(tmp_path, settings={IMPORT: "new_listings_paused = true"}) as env:
        env.make("Tee", "TEE", "18", variants=TEE)
        await env.run_ok(IMPORT)
        listing = await env.listing("TEE")
        assert listing.status is ListingStatus.PAUSED
        async with env.hub() as hub:
            await hub.catalog.upsert([VariantUpdate(sku="TEE-S", price=Decimal("25"), quantity=9)])
        env.reset_requests()
        paused = await env.run_ok(SYNC)
        assert paused.counts == {"paused": 1}
        assert (env.price("TEE-S"), env.stock("TEE-S")) == (Decimal("19.90"), 5)
        assert env.requests() == {}

        async with env.hub() as hub:
            await hub.catalog.set_status(["TEE"], ListingStatus.ACTIVE)
        unpaused = await env.run_ok(SYNC)
        assert unpaused.counts["pushed"] == 1
        assert (env.price("TEE-S"), env.stock("TEE-S")) == (Decimal("25"), 9)
        assert (env.price("TEE-M"), env.stock("TEE-M")) == (Decimal("18"), 2)  # unchanged


async def test_create_only_links_existing_listings_and_keeps_the_hub_data(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        async with env.hub() as hub:
            await hub.catalog.upsert(
                [
                    VariantUpdate(
                        sku="tee-s",  # other letter case: still the same SKU
                        parent="HUB-TEE",
                        listing_name="Hub Tee",
                        price=Decimal("25"),
                        quantity=9,
                        attributes=(("Fit", "Slim"),),
                    )
                ]
            )
        env.make("Tee", "TEE", "18", variants=TEE)
        summary = await env.run_ok(IMPORT)
        assert (summary.counts["linked"], summary.counts["created"]) == (1, 1)
        listing = await env.listing("TEE-S")
        # The existing listing keeps its name and data; the new variant joins it.
        assert (listing.key, listing.name) == ("HUB-TEE", "Hub Tee")
        s, m = listing.variants
        assert (s.sku, s.price, s.quantity, s.attributes) == (
            "tee-s",
            Decimal(25),
            9,
            (("Fit", "Slim"),),
        )
        assert m.sku == "TEE-M"
        assert set(await env.links("TEE-S")) == {"tee-s", "TEE-M"}

        # The hub is the master: the next sync brings BigCommerce in line.
        pushed = await env.run_ok(SYNC)
        assert pushed.counts["pushed"] == 1
        assert (env.price("TEE-S"), env.stock("TEE-S")) == (Decimal("25"), 9)
        assert env.store.products[env.item("TEE-S")[0].id].name == "Tee"


@pytest.mark.parametrize("product_data", [True, False])
async def test_create_and_overwrite_takes_the_imported_data(
    tmp_path: Path, product_data: bool
) -> None:
    settings = (
        f'mode = "create_and_overwrite"\noverwrite_product_data = {str(product_data).lower()}'
    )
    async with listings_env(tmp_path, settings={IMPORT: settings}) as env:
        async with env.hub() as hub:
            await hub.catalog.upsert(
                [
                    VariantUpdate(
                        sku="TEE-S",
                        parent="TEE",
                        listing_name="Old name",
                        description="old",
                        price=Decimal("25"),
                        quantity=9,
                        mpn="OLD-MPN",
                        attributes=(("Fit", "Slim"),),
                    )
                ]
            )
        env.make("Tee", "TEE", "18", variants=TEE, fields={"Material": "Cotton"}, description="new")
        summary = await env.run_ok(IMPORT)
        assert (summary.counts["linked"], summary.counts["updated"]) == (1, 1)
        listing = await env.listing("TEE")
        s = listing.variants[0]
        # Price and quantity always come from BigCommerce in this mode ...
        assert (s.price, s.quantity) == (Decimal("19.9"), 5)
        # ... and product data only when asked for.
        if product_data:
            assert (listing.name, listing.description) == ("Tee", "new")
            assert (s.upc, s.attributes) == ("012345678905", (("Material", "Cotton"),))
            assert s.mpn == "OLD-MPN"  # BigCommerce has none: nothing to overwrite with
        else:
            assert (listing.name, listing.description) == ("Old name", "old")
            assert (s.upc, s.attributes) == (None, (("Fit", "Slim"),))
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts.get("pushed", 0) == 0
        assert env.requests() == {}


async def test_incremental_runs_read_what_changed_and_lose_nothing_that_moves(
    tmp_path: Path,
) -> None:
    # No overlap, so each run reads exactly what changed after the last one.
    async with listings_env(tmp_path, products=600, settings={IMPORT: "overlap = 0"}) as env:
        first = await env.run_ok(IMPORT)
        assert first.counts["products"] == 600
        assert env.requests()["GET /v3/catalog/products"] == 3  # 250 + 250 + 100, by id
        async with env.hub() as hub:
            assert (await hub.catalog.count())[0] == 600

        # 600 products modified one second apart after the first run ...
        await env.clock.advance(3600)
        catalog = env.store.catalog
        start = env.clock.now()
        for n, product_id in enumerate(catalog.product_ids()):
            moment = start + timedelta(seconds=n)
            catalog.put_product(
                replace(catalog.products[product_id], date_modified=moment), touch=False
            )
        await env.clock.advance(700)
        # ... and while the run reads them, two it has read and one it has not are modified
        # again, which moves them past the end of the scan (offset paging would skip one).
        pages = 0

        async def meanwhile(request: web.Request) -> None:
            nonlocal pages
            if request.method == "GET" and request.path.endswith("/catalog/products"):
                pages += 1
                if pages == 2:
                    for product_id in catalog.product_ids()[:2] + catalog.product_ids()[-1:]:
                        update_product(catalog, product_id, ProductWrite(description="edited"))

        env.hooks.hooks.append(meanwhile)
        env.reset_requests()
        second = await env.run_ok(IMPORT)
        env.hooks.hooks.clear()
        # All 600, and the two it had read again: their new date is within the run's window
        # (it reads up to its start, and this clock does not move while it runs).
        assert second.counts["products"] == 602
        assert env.requests()["GET /v3/catalog/products"] == 3
        await env.clock.advance(60)
        third = await env.run_ok(IMPORT)
        assert third.counts["products"] == 3  # the ones modified during the scan
        async with env.hub() as hub:
            assert (await hub.catalog.count())[0] == 600


async def test_a_full_page_of_products_modified_in_the_same_second_is_read_by_id(
    tmp_path: Path,
) -> None:
    async with listings_env(tmp_path) as env:
        await env.run_ok(IMPORT)  # the first run: nothing there yet
        await env.clock.advance(60)
        for n in range(600):  # the sandbox's frozen clock: one date_modified for all
            env.make(f"Product {n}", f"P-{n:03d}")
        await env.clock.advance(60)
        env.reset_requests()
        summary = await env.run_ok(IMPORT)
        assert summary.counts == {"products": 600, "created": 600}
        # A page by date, then that second by id: 250 + 250 + 100, and an empty page past it.
        assert env.requests()["GET /v3/catalog/products"] == 5


async def test_a_full_rescan_on_demand_and_an_interrupted_scan_resumes(tmp_path: Path) -> None:
    async with listings_env(tmp_path, products=300) as env:
        await env.run_ok(IMPORT)
        env.reset_requests()
        assert (await env.run_ok(IMPORT)).counts.get("products", 0) == 0
        assert (await env.run_ok(IMPORT, full=True)).counts["products"] == 300

        # A full scan cut short after product 200 (its pages are committed with the position).
        until = "2025-12-31T23:00:00+00:00"
        async with env.tx() as tx:
            await Cursors(tx, env.clock.now()).save(
                NAME, IMPORT.value, f"after 200 until {until}", part="scan"
            )
        resumed = await env.run_ok(IMPORT)
        assert resumed.counts["products"] == 100
        assert await env.cursors(IMPORT) == {"": until, "scan": ""}


async def test_a_sku_renamed_on_bigcommerce_moves_the_link(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        mug = env.make("Mug", "MUG", "7")
        await env.run_ok(IMPORT)
        await env.clock.advance(60)
        update_product(env.store.catalog, mug.id, ProductWrite(sku="MUG-2"))
        await env.clock.advance(60)
        await env.run_ok(IMPORT)
        # The new SKU joins the listing the product was linked to; the old one is unlinked.
        listing = await env.listing("MUG-2")
        assert (listing.key, [v.sku for v in listing.variants]) == ("MUG", ["MUG", "MUG-2"])
        links = await env.links("MUG-2")
        assert set(links) == {"MUG-2"} and links["MUG-2"].product_ref == str(mug.id)
