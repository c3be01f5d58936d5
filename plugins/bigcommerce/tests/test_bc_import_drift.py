"""create_only: a change made on the store to a linked item is put back by the next sync.

Regression (issue 9, found by the crash test): an order placed on BigCommerce takes stock there;
the next import recorded the store's new stock as what flxd had pushed, logged no change, and
the store kept showing less than the hub for good. And a change made on the store in the last
five seconds before a run was left for the run after it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from bc_listings import IMPORT, SYNC, V, listings_env
from flxd_bigcommerce.sandbox import CartLine

from flxd.plugin import VariantUpdate

pytestmark = pytest.mark.asyncio
TEE = [V("TEE-S", {"Size": "S"}, "19.90", 5), V("TEE-M", {"Size": "M"}, None, 2)]


async def test_stock_taken_by_an_order_is_set_back_to_the_hub_quantity(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        product = env.make("Tee", "TEE", "18", variants=TEE)
        await env.run_ok(IMPORT)
        async with env.hub() as hub:
            await hub.catalog.upsert([VariantUpdate(sku="TEE-S", quantity=9)])
        await env.run_ok(SYNC)
        _, small = env.item("TEE-S")
        assert small is not None and env.stock("TEE-S") == 9
        env.bc.sandbox.place_order(
            env.bc.store_hash, [CartLine(product_id=product.id, variant_id=small.id, quantity=2)]
        )
        assert env.stock("TEE-S") == 7
        # Straight away: a run reads what the store has when it starts (the clock stands still).
        imported = await env.run_ok(IMPORT)
        assert imported.counts["differing"] == 1
        synced = await env.run_ok(SYNC)
        assert synced.counts["pushed"] == 1
        assert (env.stock("TEE-S"), env.stock("TEE-M")) == (9, 2)
        # Once in line, nothing more is sent.
        await env.clock.advance(10)
        again = await env.run_ok(IMPORT)
        assert "differing" not in again.counts
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts.get("pushed", 0) == 0


async def test_a_price_edited_on_the_store_is_put_back(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        product = env.make("Mug", "MUG", "8.50", stock=4)
        await env.run_ok(IMPORT)
        # The merchant edits the price in the control panel (the API, as far as flxd can tell).
        async with (
            aiohttp.ClientSession() as session,
            session.put(
                f"{env.bc.base_url}/stores/{env.bc.store_hash}/v3/catalog/products/{product.id}",
                json={"price": 3},
                headers={"X-Auth-Token": env.bc.token},
            ) as answer,
        ):
            assert answer.status == 200
        assert env.price("MUG") == Decimal(3)
        await env.clock.advance(10)
        assert (await env.run_ok(IMPORT)).counts["differing"] == 1
        await env.run_ok(SYNC)
        assert env.price("MUG") == Decimal("8.50")


async def test_stock_kept_by_the_product_is_set_back_to_the_hub_total(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        caps = [V("CAP-R", {"Color": "Red"}), V("CAP-B", {"Color": "Blue"})]
        product = env.make("Cap", "CAP", "12", variants=caps, inventory_tracking="product")
        await env.run_ok(IMPORT)
        async with env.hub() as hub:
            await hub.catalog.upsert(
                [VariantUpdate(sku="CAP-R", quantity=4), VariantUpdate(sku="CAP-B", quantity=6)]
            )
        await env.run_ok(SYNC)
        assert env.store.products[product.id].inventory_level == 10
        _, red = env.item("CAP-R")
        assert red is not None
        env.bc.sandbox.place_order(
            env.bc.store_hash, [CartLine(product_id=product.id, variant_id=red.id, quantity=3)]
        )
        assert env.store.products[product.id].inventory_level == 7
        await env.clock.advance(10)
        assert (await env.run_ok(IMPORT)).counts["differing"] == 2
        await env.run_ok(SYNC)
        assert env.store.products[product.id].inventory_level == 10
        await env.clock.advance(10)
        assert "differing" not in (await env.run_ok(IMPORT)).counts


async def test_untracked_stock_does_not_bounce_between_import_and_sync(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        env.make("Poster", "POSTER", "5", inventory_tracking="none")
        await env.run_ok(IMPORT)
        async with env.hub() as hub:
            await hub.catalog.upsert([VariantUpdate(sku="POSTER", quantity=3)])
        await env.run_ok(SYNC)
        for _ in range(2):
            await env.clock.advance(10)
            assert "differing" not in (await env.run_ok(IMPORT)).counts
            assert (await env.run_ok(SYNC)).counts.get("pushed", 0) == 0


async def test_create_and_overwrite_takes_the_store_change_instead(tmp_path: Path) -> None:
    async with listings_env(tmp_path, settings={IMPORT: 'mode = "create_and_overwrite"'}) as env:
        product = env.make("Tee", "TEE", "18", variants=TEE)
        await env.run_ok(IMPORT)
        _, small = env.item("TEE-S")
        assert small is not None
        env.bc.sandbox.place_order(
            env.bc.store_hash, [CartLine(product_id=product.id, variant_id=small.id, quantity=2)]
        )
        await env.clock.advance(10)
        assert "differing" not in (await env.run_ok(IMPORT)).counts
        assert (await env.listing("TEE-S")).variants[0].quantity == 3
        assert (await env.run_ok(SYNC)).counts.get("pushed", 0) == 0
