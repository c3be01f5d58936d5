"""The reconciliation pass on the pessimistic sandbox: stock an order takes on the store moves
no `date_modified` there, so the incremental import does not see it; the pass does, and the
next sync puts the hub's value back."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from math import ceil
from pathlib import Path

import aiohttp
import pytest
from bc_listings import HOST, IMPORT, NAME, SYNC, ListingsEnv, V, listings_env
from flxd_bigcommerce.sandbox import CartLine
from flxd_bigcommerce.sandbox.behaviour import PessimisticSettings

from flxd.plugin import ListingStatus, VariantUpdate
from flxd.testing import Daemon, RunOutcome, RunSummary, Selection

pytestmark = pytest.mark.asyncio
TEE = [V("TEE-S", {"Size": "S"}, "19.90", 5), V("TEE-M", {"Size": "M"}, None, 2)]
CAPS = [V("CAP-R", {"Color": "Red"}), V("CAP-B", {"Color": "Blue"})]
# Every doubtful point read the worst way, except the 207s (a partial write is its own test).
PESSIMISTIC = replace(PessimisticSettings(), partial_write_rate=0.0)


async def reconcile(env: ListingsEnv) -> RunSummary:
    """`flxd run --once shop import_listings --reconcile`."""
    daemon = Daemon(env.config(), HOST, clock=env.clock)
    [summary] = await daemon.run_once(Selection(NAME, IMPORT, reconcile=True))
    assert summary.outcome is RunOutcome.OK, summary.error
    return summary


async def test_stock_taken_on_the_store_is_found_and_put_back(tmp_path: Path) -> None:
    async with listings_env(tmp_path, products=120) as env:
        env.bc.sandbox.behaviour.switch("pessimistic", PESSIMISTIC)
        tee = env.make("Tee", "TEE", "18", variants=TEE)
        cap = env.make("Cap", "CAP", "12", variants=CAPS, inventory_tracking="product")
        mug = env.make("Mug", "MUG", "8.50", stock=4)
        await env.run_ok(IMPORT)
        async with env.hub() as hub:
            await hub.catalog.upsert(
                [
                    VariantUpdate(sku="TEE-S", quantity=9),
                    VariantUpdate(sku="CAP-R", quantity=4),
                    VariantUpdate(sku="CAP-B", quantity=6),
                ]
            )
        await env.run_ok(SYNC)
        # An hour on: the import's overlap (for late reads) no longer covers these products.
        await env.clock.advance(3600)
        await env.run_ok(IMPORT)
        assert (env.stock("TEE-S"), env.stock("CAP-R"), env.stock("MUG")) == (9, 10, 4)
        _, small = env.item("TEE-S")
        _, red = env.item("CAP-R")
        assert small is not None and red is not None
        env.bc.sandbox.place_order(
            env.bc.store_hash,
            [
                CartLine(product_id=tee.id, variant_id=small.id, quantity=2),
                CartLine(product_id=cap.id, variant_id=red.id, quantity=3),
                CartLine(product_id=mug.id, variant_id=None, quantity=1),
            ],
        )
        await env.clock.advance(10)

        # What relies on date_modified sees nothing: no import, no sync puts it back.
        assert (await env.run_ok(IMPORT)).counts.get("products", 0) == 0
        assert (await env.run_ok(SYNC)).counts.get("pushed", 0) == 0
        assert (env.stock("TEE-S"), env.stock("CAP-R"), env.stock("MUG")) == (7, 7, 3)

        env.reset_requests()
        found = await reconcile(env)
        assert found.counts["reconcile_drifted"] == 1 + 2 + 1  # TEE-S, both caps, the mug
        catalog = env.store.catalog
        limit = PESSIMISTIC.variants_page_limit  # the store clamps the variants list
        assert env.requests() == {
            "GET /v3/catalog/products": ceil(len(catalog.products) / 250),
            "GET /v3/catalog/variants": ceil(len(catalog.variants) / limit),
        }
        assert env.requests()["GET /v3/catalog/variants"] > 1  # short pages before the last
        assert found.counts["reconcile_checked"] >= len(catalog.products)
        await env.run_ok(SYNC)
        await env.clock.advance(10)
        assert (env.stock("TEE-S"), env.stock("CAP-R"), env.stock("MUG")) == (9, 10, 4)
        assert (await reconcile(env)).counts["reconcile_drifted"] == 0


async def test_a_price_edited_on_a_variant_is_put_back(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        env.bc.sandbox.behaviour.switch("pessimistic", PESSIMISTIC)
        tee = env.make("Tee", "TEE", "18", variants=TEE)
        await env.run_ok(IMPORT)
        await env.clock.advance(3600)
        await env.run_ok(IMPORT)
        _, small = env.item("TEE-S")
        assert small is not None
        # The merchant edits the variant's price (the API, as far as flxd can tell); on the
        # pessimistic store the product's date_modified stays.
        bc = env.bc
        async with (
            aiohttp.ClientSession() as session,
            session.put(
                f"{bc.base_url}/stores/{bc.store_hash}/v3/catalog/products/{tee.id}"
                f"/variants/{small.id}",
                json={"price": 1},
                headers={"X-Auth-Token": bc.token},
            ) as answer,
        ):
            assert answer.status == 200
        await env.clock.advance(10)
        assert (await env.run_ok(IMPORT)).counts.get("products", 0) == 0
        assert (await reconcile(env)).counts["reconcile_drifted"] == 1
        await env.run_ok(SYNC)
        assert env.price("TEE-S") == Decimal("19.90")


async def test_paused_listings_are_left_as_the_store_has_them(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        env.bc.sandbox.behaviour.switch("pessimistic", PESSIMISTIC)
        tee = env.make("Tee", "TEE", "18", variants=TEE)
        await env.run_ok(IMPORT)
        async with env.hub() as hub:
            await hub.catalog.set_status(["TEE"], ListingStatus.PAUSED)
        _, small = env.item("TEE-S")
        assert small is not None
        env.bc.sandbox.place_order(
            env.bc.store_hash, [CartLine(product_id=tee.id, variant_id=small.id, quantity=2)]
        )
        await env.clock.advance(10)
        found = await reconcile(env)
        assert (found.counts["reconcile_drifted"], found.counts["reconcile_paused"]) == (0, 2)
        await env.run_ok(SYNC)
        assert env.stock("TEE-S") == 3
