"""import_listings against the emulated store: the whole catalog, then what changed; variable
products with their variations; drafts and grouped products left out; master SKU from the GTIN
or a meta field; a catalog that changes during the scan; a host that serves short pages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flxd_woocommerce.sandbox import PessimismConfig, SandboxConfig
from wc_env import IMPORT, wc_env

from flxd.plugin import ListingStatus

pytestmark = pytest.mark.asyncio


async def test_the_first_run_reads_everything_and_later_runs_what_changed(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", "12.50", stock=4)
        env.variable("TEE", ["S", "M", "L"], price="19.90", stock=2)
        env.product({"name": "Draft", "type": "simple", "sku": "DRAFT", "status": "draft"})
        env.product({"name": "Bundle", "type": "grouped", "sku": "BUNDLE"})
        env.settings[IMPORT] = 'overlap = "10s"'
        await env.clock.advance(60)
        summary = await env.run_ok(IMPORT)
        assert summary.counts == {"created": 4, "products": 2}
        tee = await env.listing("TEE-M")
        assert tee.key == "TEE" and tee.name == "Product TEE"
        assert {v.sku: (v.price, v.quantity, v.options) for v in tee.variants} == {
            f"TEE-{s}": (Decimal("19.90"), 2, (("Size", s),)) for s in "SML"
        }
        mug = (await env.listing("MUG")).variants[0]
        assert (mug.price, mug.quantity) == (Decimal("12.50"), 4)
        links = await env.links("TEE")
        assert {k.variant_ref for k in links.values()} == {
            str(env.item(f"TEE-{s}").id) for s in "SML"
        }
        # One request for the products, one for the variable product's variations.
        assert env.requests() == {
            "GET /wc/v3/products": 1,
            "GET /wc/v3/products/{product_id}/variations": 1,
        }
        assert (await env.cursors(IMPORT))[""] == "2025-01-15T12:00:55+00:00"

        env.reset_requests()
        await env.clock.advance(900)
        env.simple("CAP", "8.00")
        summary = await env.run_ok(IMPORT)
        assert summary.counts == {"created": 1, "products": 1}
        request = env.sandbox.requests("shop1").entries[-1]
        # Modified after the cursor less the overlap, in GMT without an offset (with an
        # offset, WordPress would shift it by the site's timezone).
        assert request.query["modified_after"] == "2025-01-15T12:00:45"
        assert request.query["dates_are_gmt"] == "true"


async def test_items_are_read_the_way_woocommerce_keeps_them(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("SALE", "30.00", stock=-2, sale_price="20.00")  # backordered, on sale
        env.simple("NOSTOCK", "5.00", stock=None)
        env.settings[IMPORT] = "new_listings_paused = true"
        await env.run_ok(IMPORT)
        sale = await env.listing("SALE")
        # The regular price (a sale is the merchant's), negative stock kept as it is.
        assert (sale.variants[0].price, sale.variants[0].quantity) == (Decimal("30.00"), -2)
        assert sale.status is ListingStatus.PAUSED
        assert (await env.listing("NOSTOCK")).variants[0].quantity is None


@pytest.mark.parametrize("master", ["gtin", "meta"])
async def test_the_master_sku_can_be_the_gtin_or_a_meta_field(tmp_path: Path, master: str) -> None:
    async with wc_env(tmp_path) as env:
        env.simple(
            "OWN-SKU",
            global_unique_id="0614141000036",
            meta_data=[{"key": "erp_code", "value": "ERP-1"}],
        )
        env.simple("NO-CODE")
        env.settings[IMPORT] = f'master_sku = "{master}"\nmaster_sku_meta_key = "erp_code"'
        summary = await env.run(IMPORT)
        expected = "0614141000036" if master == "gtin" else "ERP-1"
        assert (await env.listing(expected)).variants[0].sku == expected
        assert summary.counts["skipped"] == 1
        assert "no " + master in (summary.error or "")


async def test_short_pages_from_a_host_are_followed_to_the_end(tmp_path: Path) -> None:
    config = SandboxConfig(behaviour="pessimistic", pessimism=PessimismConfig(per_page_cap=37))
    async with wc_env(tmp_path, config) as env:
        for n in range(120):
            env.simple(f"P{n:03d}")
        summary = await env.run_ok(IMPORT)
        assert summary.counts == {"created": 120, "products": 120}
        assert env.requests()["GET /wc/v3/products"] == 4  # 37 a page, one overlapping
