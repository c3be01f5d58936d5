"""sync_listings against the sandbox store: batches, pause, hide/unhide/delist, deleted
products, a crash before the cursor commit, dry runs, and a feed reaching the store."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import product as combos
from pathlib import Path

import anyio
import pytest
from aiohttp import web
from bc_env import HOST
from bc_listings import IMPORT, NAME, SYNC, ListingsEnv, V, listings_env

from flxd.plugin import LinkState, ListingStatus, Presence, VariantUpdate
from flxd.testing import Daemon, RunOutcome, Selection

pytestmark = pytest.mark.asyncio

SIZES = ("XS", "S", "M", "L", "XL", "XXL")
COLORS = ("Red", "Blue", "Green", "Black", "White")


def big_product(env: ListingsEnv, sku: str) -> list[str]:
    """A product with 30 variants (6 sizes x 5 colours); their SKUs."""
    variants = [
        V(f"{sku}-{s}-{c}", {"Size": s, "Color": c}, price="10", stock=1)
        for s, c in combos(SIZES, COLORS)
    ]
    env.make(sku, sku, "10", variants=variants)
    return [v.sku for v in variants]


async def upsert(env: ListingsEnv, updates: list[VariantUpdate]) -> None:
    async with env.hub() as hub:
        await hub.catalog.upsert(updates)


async def cursor(env: ListingsEnv) -> str | None:
    return (await env.cursors(SYNC)).get("")


async def test_changes_are_coalesced_and_pushed_through_the_batch_endpoints(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        variant_skus = big_product(env, "BIG1") + big_product(env, "BIG2")
        simple = [f"S-{n:02d}" for n in range(12)]
        for sku in simple:
            env.make(sku, sku, "5", stock=1)
        await env.run_ok(IMPORT)
        await env.run_ok(SYNC)  # the import's changes: nothing differs
        # Every variant changes twice; only the last value matters.
        everything = variant_skus + simple
        await upsert(
            env, [VariantUpdate(sku=s, price=Decimal("99"), quantity=99) for s in everything]
        )
        await upsert(
            env,
            [
                VariantUpdate(sku=s, price=Decimal(f"{n}.25"), quantity=n)
                for n, s in enumerate(everything)
            ],
        )
        env.reset_requests()
        summary = await env.run_ok(SYNC)
        assert summary.counts == {"pushed": 72}
        assert env.requests() == {
            "PUT /v3/catalog/variants": 2,  # 60 variant prices, 50 per batch
            "PUT /v3/catalog/products": 2,  # 12 simple products' prices, 10 per batch
            "PUT /v3/inventory/adjustments/absolute": 1,  # 72 quantities, 2,000 per batch
        }
        for n, sku in enumerate(everything):
            assert (env.price(sku), env.stock(sku)) == (Decimal(f"{n}.25"), n), sku
        link = (await env.links("BIG1"))[variant_skus[3]]
        assert (link.pushed_price, link.pushed_quantity) == (Decimal("3.25"), 3)
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {}
        assert env.requests() == {}


async def test_paused_listings_are_left_untouched(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        skus = big_product(env, "BIG1")
        env.make("Mug", "MUG", "5", stock=1)
        await env.run_ok(IMPORT)
        async with env.hub() as hub:
            await hub.catalog.set_status(["BIG1"], ListingStatus.PAUSED)
            await hub.catalog.set_presence(["BIG1"], Presence.HIDDEN)
        await upsert(
            env, [VariantUpdate(sku=s, price=Decimal(1), quantity=0) for s in [*skus, "MUG"]]
        )
        summary = await env.run_ok(SYNC)
        assert summary.counts == {"paused": 1, "pushed": 1}
        product, _ = env.item("BIG1")
        assert product.availability == "available"
        assert {(env.price(s), env.stock(s)) for s in skus} == {(Decimal(10), 1)}
        assert (env.price("MUG"), env.stock("MUG")) == (Decimal(1), 0)


async def test_a_variant_added_after_publishing_is_counted_skipped_with_why(
    tmp_path: Path,
) -> None:
    """A new variant of a listing already on the store has nowhere to go on its own: the sync
    says so (skipped, with the reason) instead of leaving it out in silence."""
    async with listings_env(tmp_path) as env:
        env.make("Tee", "TEE", "18", variants=[V("TEE-S", {"Size": "S"}, stock=1)])
        await env.run_ok(IMPORT)
        await upsert(env, [VariantUpdate(sku="TEE-XL", parent="TEE", price=Decimal(20))])
        summary = await env.run(SYNC)
        assert summary.outcome is RunOutcome.PARTIAL
        assert summary.counts == {"skipped": 1}
        assert summary.error is not None and "TEE-XL: not on the channel" in summary.error


async def test_hide_unhide_and_delist_act_on_the_parent_and_all_its_variants(
    tmp_path: Path,
) -> None:
    async with listings_env(tmp_path) as env:
        env.make("Tee", "TEE", "18", variants=[V(f"TEE-{s}", {"Size": s}) for s in "SML"])
        env.make("Mug", "MUG", "5")
        await env.run_ok(IMPORT)
        product, _ = env.item("TEE")

        async def presence(change: Presence, only_from: Presence | None = None) -> list[str]:
            async with env.hub() as hub:
                changed, _ = await hub.catalog.set_presence(["TEE-M"], change, only_from=only_from)
            return changed

        assert await presence(Presence.LISTED, Presence.HIDDEN) == []  # unhide: not hidden
        assert await presence(Presence.HIDDEN, Presence.LISTED) == ["TEE"]
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {"hidden": 1}
        assert env.requests() == {"PUT /v3/catalog/products": 1}
        assert env.store.products[product.id].availability == "disabled"
        assert {k.state for k in (await env.links("TEE")).values()} == {LinkState.HIDDEN}

        # Hidden listings still get price and quantity, so unhiding shows current values.
        await upsert(env, [VariantUpdate(sku="TEE-L", price=Decimal(30), quantity=4)])
        assert (await env.run_ok(SYNC)).counts == {"pushed": 1}
        assert (env.price("TEE-L"), env.stock("TEE-L")) == (Decimal(30), 4)

        assert await presence(Presence.LISTED, Presence.HIDDEN) == ["TEE"]
        assert (await env.run_ok(SYNC)).counts == {"unhidden": 1}
        assert env.store.products[product.id].availability == "available"
        assert {k.state for k in (await env.links("TEE")).values()} == {LinkState.LISTED}

        assert await presence(Presence.DELISTED) == ["TEE"]
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {"delisted": 1}
        assert env.requests() == {"DELETE /v3/catalog/products": 1}
        assert product.id not in env.store.products
        assert all(env.store.variant_by_sku(f"TEE-{s}") is None for s in "SML")
        assert {k.state for k in (await env.links("TEE")).values()} == {LinkState.DELISTED}
        assert env.store.product_by_sku("MUG") is not None
        # Nothing more is pushed to it; only a publish (after relisting) lists it again.
        await upsert(env, [VariantUpdate(sku="TEE-S", price=Decimal(2))])
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {}
        assert env.requests() == {}


async def test_a_product_deleted_behind_flxds_back_is_marked_missing_once(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        skus = big_product(env, "BIG1")
        gone = env.make(
            "Gone", "GONE", variants=[V("GONE-1", {"Size": "S"}), V("GONE-2", {"Size": "M"})]
        )
        env.make("Mug", "MUG", "5")
        await env.run_ok(IMPORT)
        env.delete(gone.id)
        changes = [
            VariantUpdate(sku=s, price=Decimal(7), quantity=7) for s in [*skus, "GONE-1", "MUG"]
        ]
        await upsert(env, changes)
        env.reset_requests()
        summary = await env.run_ok(SYNC)
        assert summary.counts == {"missing": 1, "pushed": 31}
        assert {(env.price(s), env.stock(s)) for s in [*skus, "MUG"]} == {(Decimal(7), 7)}
        links = await env.links("GONE-1")
        assert {k.state for k in links.values()} == {LinkState.MISSING}
        assert links["GONE-2"].error == "deleted on BigCommerce"
        # Not retried: the next change to it sends nothing.
        await upsert(env, [VariantUpdate(sku="GONE-1", price=Decimal(8))])
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {}
        assert env.requests() == {}


async def test_a_crash_between_a_batch_and_the_cursor_commit_converges(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        skus = big_product(env, "BIG1")
        await env.run_ok(IMPORT)
        await env.run_ok(SYNC)
        before = await cursor(env)
        await upsert(env, [VariantUpdate(sku=s, price=Decimal(20), quantity=20) for s in skus])

        # The process dies right after BigCommerce took the first batch.
        with anyio.CancelScope() as crash:

            async def die_after_a_batch(request: web.Request) -> None:
                if request.method == "PUT" and request.path.endswith("/catalog/variants"):
                    await request.match_info.handler(request)
                    crash.cancel()

            env.hooks.hooks.append(die_after_a_batch)
            await Daemon(env.config(), HOST, clock=env.clock).run_once(Selection(NAME, SYNC))
        env.hooks.hooks.clear()
        assert crash.cancelled_caught
        assert {env.price(s) for s in skus} == {Decimal(20)}  # the batch went out ...
        assert await cursor(env) == before  # ... the cursor did not move
        assert {k.pushed_price for k in (await env.links("BIG1")).values()} == {Decimal(10)}

        # Meanwhile one variant changes again: the re-run pushes the latest values only.
        await upsert(env, [VariantUpdate(sku=skus[0], price=Decimal(3))])
        summary = await env.run_ok(SYNC)
        assert summary.counts == {"pushed": 30}
        assert env.price(skus[0]) == Decimal(3)
        assert {(env.price(s), env.stock(s)) for s in skus[1:]} == {(Decimal(20), 20)}
        assert await cursor(env) != before
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {}
        assert env.requests() == {}


async def test_a_dry_run_plans_every_write_and_sends_nothing(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        env.make("Tee", "TEE", "18", variants=[V("TEE-S", {"Size": "S"}, stock=1)])
        env.make("Mug", "MUG", "5", stock=2)
        await env.run_ok(IMPORT)
        await upsert(
            env,
            [
                VariantUpdate(sku="TEE-S", price=Decimal("19.5"), quantity=4),
                VariantUpdate(sku="NEW", listing_name="New"),
            ],
        )
        async with env.hub() as hub:
            await hub.catalog.set_presence(["MUG"], Presence.HIDDEN)
        env.reset_requests()
        [_, publish, sync] = await Daemon(env.config(), HOST, clock=env.clock).run_once(
            Selection(NAME), dry_run=True
        )
        assert [p["action"] for p in publish.plan] == ["create_product"]
        assert sorted(sync.plan, key=lambda p: p["action"]) == [
            {"action": "hide", "listing": "MUG", "product": str(env.item("MUG")[0].id)},
            {"action": "update_price", "sku": "TEE-S", "old": "18", "new": "19.5"},
            {"action": "update_quantity", "sku": "TEE-S", "old": "1", "new": "4"},
        ]
        assert set(env.requests()) <= {"GET /v3/catalog/products"}  # reads only
        assert (env.price("TEE-S"), env.stock("TEE-S")) == (Decimal(18), 1)
        assert await cursor(env) is None
        assert (await env.run_ok(SYNC)).counts == {"hidden": 1, "pushed": 1}


async def test_a_feed_file_reaches_bigcommerce_in_the_same_run(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        env.make("Tee", "TEE", "18", variants=[V("TEE-S", {"Size": "S"}, stock=1)])
        env.make("Mug", "MUG", "5", stock=2)
        await env.run_ok(IMPORT)
        (tmp_path / "supplier.csv").write_text(
            "sku,price,quantity\nTEE-S,21.00,8\nmug,,0\nBAD,x,1\n"
        )
        env.extra = '[feeds.supplier]\ntype = "file"\npath = "supplier.csv"\n'
        summaries = await Daemon(env.config(), HOST, clock=env.clock).run_once(Selection(NAME))
        assert [s.outcome for s in summaries] == [RunOutcome.OK] * 3
        assert (env.price("TEE-S"), env.stock("TEE-S")) == (Decimal(21), 8)
        assert (env.price("MUG"), env.stock("MUG")) == (Decimal(5), 0)


async def test_stock_tracked_by_product_gets_the_total_of_its_variants(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        variants = [V(f"CUP-{s}", {"Size": s}) for s in "SML"]
        cup = env.make("Cup", "CUP", "5", variants=variants, inventory_tracking="product")
        env.store.catalog.put_product(replace(cup, inventory_level=9))
        tee = env.make("Tee", "TEE", "18", variants=[V(f"TEE-{s}", {"Size": s}) for s in "SM"])
        await env.run_ok(IMPORT)
        # BigCommerce has one number for the product: the import takes none per variant ...
        assert [v.quantity for v in (await env.listing("CUP")).variants] == [None] * 3
        assert {k.stock_ref for k in (await env.links("CUP")).values()} == {str(cup.id)}
        # ... and a sync sets the product's stock to the total of the hub's variants.
        await upsert(
            env, [VariantUpdate(sku="CUP-S", quantity=4), VariantUpdate(sku="CUP-L", quantity=3)]
        )
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {"pushed": 2}
        assert env.requests() == {"PUT /v3/inventory/adjustments/absolute": 1}
        assert env.store.products[cup.id].inventory_level == 7

        # A product switched to tracking by product after the import is found out once.
        tracked = replace(env.store.products[tee.id], inventory_tracking="product")
        env.store.catalog.put_product(tracked)
        await upsert(
            env, [VariantUpdate(sku="TEE-S", quantity=2), VariantUpdate(sku="TEE-M", quantity=5)]
        )
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {"pushed": 2}
        assert env.store.products[tee.id].inventory_level == 7
        assert env.requests() == {
            "PUT /v3/inventory/adjustments/absolute": 2,  # refused, then sent by product
            "GET /v3/catalog/products": 1,  # how the products track stock
        }
        assert {k.stock_ref for k in (await env.links("TEE")).values()} == {str(tee.id)}
        await upsert(env, [VariantUpdate(sku="TEE-S", quantity=1)])
        env.reset_requests()
        await env.run_ok(SYNC)
        assert env.requests() == {"PUT /v3/inventory/adjustments/absolute": 1}
        assert env.store.products[tee.id].inventory_level == 6
