"""sync_listings against the emulated store: prices and stock through the batch endpoints, 100
a request; hide, unhide and delist for the whole product; a product deleted behind flxd's back;
items the store did not save sent again by the next run; stock kept by a variable product;
and the same over HTTPS with HTTP Basic."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flxd_woocommerce.sandbox import PessimismConfig, SandboxConfig
from wc_env import IMPORT, SYNC, WcEnv, wc_env

from flxd.plugin import LinkState, Presence, VariantUpdate

pytestmark = pytest.mark.asyncio


async def upsert(env: WcEnv, updates: list[VariantUpdate]) -> None:
    async with env.hub() as hub:
        await hub.catalog.upsert(updates)


async def test_prices_and_stock_go_out_in_batches(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        simple = [f"S{n:03d}" for n in range(105)]
        for sku in simple:
            env.simple(sku, "1.00", stock=1)
        env.variable("TEE", ["S", "M", "L"])
        await env.run_ok(IMPORT)
        await env.run_ok(SYNC)
        env.reset_requests()
        changed = [*simple, "TEE-S", "TEE-L"]
        await upsert(
            env,
            [
                VariantUpdate(sku=s, price=Decimal(f"{n}.25"), quantity=n)
                for n, s in enumerate(changed)
            ],
        )
        summary = await env.run_ok(SYNC)
        assert summary.counts == {"pushed": 107}
        assert env.requests() == {
            "POST /wc/v3/products/batch": 2,  # 105 simple products, 100 a request
            "POST /wc/v3/products/{product_id}/variations/batch": 1,
        }
        for n, sku in enumerate(changed):
            item = env.item(sku)
            assert (item.regular_price, item.stock_quantity) == (f"{n}.25", n), sku
        assert env.item("TEE-M").regular_price == "20.00"
        env.reset_requests()
        assert (await env.run_ok(SYNC)).counts == {}
        assert env.requests() == {}


async def test_hide_unhide_and_delist_act_on_the_whole_product(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.variable("TEE", ["S", "M"])
        env.simple("MUG")
        await env.run_ok(IMPORT)
        async with env.hub() as hub:
            await hub.catalog.set_presence(["TEE"], Presence.HIDDEN)
            await hub.catalog.set_presence(["MUG"], Presence.DELISTED)
        assert (await env.run_ok(SYNC)).counts == {"hidden": 1, "delisted": 1}
        assert env.item("TEE").catalog_visibility == "hidden"
        assert env.item("MUG").status == "draft"  # never deleted
        assert env.item("MUG").id in env.store.catalog.products
        async with env.hub() as hub:
            await hub.catalog.set_presence(["TEE"], Presence.LISTED)
        assert (await env.run_ok(SYNC)).counts == {"unhidden": 1}
        assert env.item("TEE").catalog_visibility == "visible"


async def test_a_product_deleted_on_the_store_is_marked_missing(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.variable("TEE", ["S", "M"])
        env.simple("MUG")
        await env.run_ok(IMPORT)
        catalog = env.store.catalog
        catalog.delete_product(catalog.products[env.item("TEE").id])
        catalog.delete_product(catalog.products[env.item("MUG").id])
        await upsert(
            env,
            [VariantUpdate(sku=s, price=Decimal(9)) for s in ("TEE-S", "TEE-M", "MUG")],
        )
        summary = await env.run_ok(SYNC)
        assert summary.counts == {"missing": 2}
        assert {k.state for k in (await env.links("TEE")).values()} == {LinkState.MISSING}
        assert {k.state for k in (await env.links("MUG")).values()} == {LinkState.MISSING}


async def test_items_the_store_did_not_save_are_sent_again(tmp_path: Path) -> None:
    config = SandboxConfig(
        behaviour="pessimistic", pessimism=PessimismConfig(batch_error_rate=0.3, per_page_cap=100)
    )
    async with wc_env(tmp_path, config) as env:
        skus = [f"S{n:02d}" for n in range(40)]
        for sku in skus:
            env.simple(sku, "1.00", stock=1)
        await env.run_ok(IMPORT)
        await upsert(env, [VariantUpdate(sku=s, price=Decimal("7.77")) for s in skus])
        first = await env.run_ok(SYNC)
        assert first.counts["retry_later"] > 0
        assert first.counts["pushed"] + first.counts["retry_later"] == 40
        for _ in range(20):
            if all(env.item(s).regular_price == "7.77" for s in skus):
                break
            await env.run_ok(SYNC)
        assert all(env.item(s).regular_price == "7.77" for s in skus)


async def test_stock_kept_by_a_variable_product_is_its_variants_total(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.product(
            {
                "name": "Kept",
                "type": "variable",
                "sku": "KEPT",
                "manage_stock": True,
                "stock_quantity": 10,
                "attributes": [{"name": "Size", "variation": True, "options": ["S", "M"]}],
                "variations": [
                    {
                        "sku": f"KEPT-{s}",
                        "regular_price": "5",
                        "attributes": [{"name": "Size", "option": s}],
                    }
                    for s in "SM"
                ],
            }
        )
        await env.run_ok(IMPORT)
        await upsert(
            env, [VariantUpdate(sku="KEPT-S", quantity=4), VariantUpdate(sku="KEPT-M", quantity=3)]
        )
        assert (await env.run_ok(SYNC)).counts == {"pushed": 2}
        assert env.item("KEPT").stock_quantity == 7
        assert env.item("KEPT-S").manage_stock is False


async def test_over_https_with_basic_authentication(tmp_path: Path) -> None:
    async with wc_env(tmp_path, SandboxConfig(tls=True)) as env:
        env.simple("MUG", "3.00")
        await env.run_ok(IMPORT)
        await upsert(env, [VariantUpdate(sku="MUG", price=Decimal("3.50"))])
        assert (await env.run_ok(SYNC)).counts == {"pushed": 1}
        assert env.item("MUG").regular_price == "3.50"
        assert {e.auth for e in env.sandbox.requests("shop1")} == {"basic"}
