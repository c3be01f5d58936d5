"""publish_listings against the emulated store: simple and variable products created in batches,
products the store has already linked instead of created again, an interrupted publish
finished, refusals recorded, option names WordPress cannot keep, and a dry run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flxd_woocommerce.sandbox import PessimismConfig, SandboxConfig
from wc_env import PUBLISH, SYNC, WcEnv, wc_env

from flxd.plugin import LinkState, VariantUpdate

pytestmark = pytest.mark.asyncio


async def upsert(env: WcEnv, updates: list[VariantUpdate]) -> None:
    async with env.hub() as hub:
        await hub.catalog.upsert(updates)


def tee(sku: str, sizes: str = "SML", price: str = "19.90") -> list[VariantUpdate]:
    return [
        VariantUpdate(
            sku=f"{sku}-{size}",
            parent=sku,
            listing_name=f"Tee {sku}",
            price=Decimal(price),
            quantity=3,
            options=(("Size", size),),
            attributes=(("Material", "Cotton"),),
        )
        for size in sizes
    ]


async def test_listings_are_created_in_batches_with_their_variations(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        await upsert(
            env,
            [
                VariantUpdate(
                    sku=f"MUG-{n}", listing_name=f"Mug {n}", price=Decimal("5.5"), quantity=n
                )
                for n in range(120)
            ]
            + tee("TEE")
            + [VariantUpdate(sku="GTIN-1", price=Decimal(1), gtin="0614141000036")],
        )
        summary = await env.run_ok(PUBLISH)
        assert summary.counts == {"created": 122}
        assert env.requests() == {
            "GET /wc/v3/products": 2,  # looked for by SKU first, 100 SKUs a request
            "POST /wc/v3/products/batch": 2,  # 122 products, 100 a request
            "POST /wc/v3/products/{product_id}/variations/batch": 1,
        }
        mug = env.item("MUG-7")
        assert (mug.regular_price, mug.manage_stock, mug.stock_quantity) == ("5.5", True, 7)
        assert env.item("GTIN-1").global_unique_id == "0614141000036"
        product = env.item("TEE")
        assert product.type == "variable"
        assert [(a.name, a.variation, a.options) for a in product.attributes] == [
            ("Size", True, ["S", "M", "L"]),
            ("Material", False, ["Cotton"]),
        ]
        links = await env.links("TEE")
        assert {sku: link.variant_ref for sku, link in links.items()} == {
            f"TEE-{s}": str(env.item(f"TEE-{s}").id) for s in "SML"
        }
        assert all(link.state is LinkState.LISTED for link in links.values())
        env.reset_requests()
        assert (await env.run_ok(PUBLISH)).counts == {}
        assert env.requests() == {}


async def test_a_product_the_store_has_is_linked_and_a_draft_published_again(
    tmp_path: Path,
) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("OLD", "3.00", stock=1, status="draft", name="Old name")
        await upsert(
            env, [VariantUpdate(sku="OLD", listing_name="New name", price=Decimal(4), quantity=2)]
        )
        summary = await env.run_ok(PUBLISH)
        assert summary.counts == {"linked": 1}
        old = env.item("OLD")
        assert (old.status, old.name) == ("publish", "New name")
        # The hub's price and quantity win: the next sync sends them.
        assert (await env.run_ok(SYNC)).counts == {"pushed": 1}
        assert (env.item("OLD").regular_price, env.item("OLD").stock_quantity) == ("4", 2)


async def test_a_variable_product_left_without_variations_is_finished(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        # What a publish interrupted between the product and its variations leaves behind.
        env.product(
            {
                "name": "Tee TEE",
                "type": "variable",
                "sku": "TEE",
                "attributes": [{"name": "Size", "variation": True, "options": ["S"]}],
            }
        )
        await upsert(env, tee("TEE"))
        assert (await env.run_ok(PUBLISH)).counts == {"linked": 1}
        assert sorted(v.sku for v in env.store.catalog.variations.values()) == [
            "TEE-L",
            "TEE-M",
            "TEE-S",
        ]
        assert len(await env.links("TEE")) == 3


async def test_refusals_are_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("THEIRS", global_unique_id="0614141000036")
        await upsert(
            env,
            [
                VariantUpdate(sku="BAD-GTIN", price=Decimal(1), gtin="0614141000036"),
                VariantUpdate(sku="FINE", price=Decimal(2)),
            ],
        )
        summary = await env.run(PUBLISH)
        assert summary.counts == {"created": 1, "skipped": 1}
        assert "product_invalid_global_unique_id" in (summary.error or "")
        [link] = (await env.links("BAD-GTIN")).values()
        assert link.state is LinkState.FAILED and "global_unique_id" in (link.error or "")
        assert env.item("FINE").regular_price == "2"


@pytest.mark.parametrize("policy", ["truncate", "fail"])
async def test_option_names_longer_than_wordpress_keeps(tmp_path: Path, policy: str) -> None:
    async with wc_env(tmp_path) as env:
        env.settings[PUBLISH] = f'attribute_length = "{policy}"'
        long_name = "Size " + "x" * 300
        await upsert(
            env,
            [
                VariantUpdate(sku=f"LONG-{s}", parent="LONG", options=((long_name, s),))
                for s in "SM"
            ],
        )
        summary = await env.run(PUBLISH)
        if policy == "fail":
            assert summary.counts == {"skipped": 1}
            assert "longer than WordPress keeps" in (summary.error or "")
        else:
            assert summary.counts == {"created": 1}
            [attribute] = env.item("LONG").attributes
            assert len(attribute.name) == 245


async def test_a_dry_run_creates_nothing(tmp_path: Path) -> None:
    async with wc_env(tmp_path, SandboxConfig()) as env:
        await upsert(env, tee("TEE"))
        summary = await env.run(PUBLISH, dry_run=True)
        assert summary.plan == [
            {
                "action": "create_product",
                "listing": "TEE",
                "sku": "TEE",
                "name": "Tee TEE",
                "variants": 3,
            }
        ]
        assert env.store.catalog.products == {}


async def test_what_the_store_did_not_save_is_created_later_and_nothing_twice(
    tmp_path: Path,
) -> None:
    config = SandboxConfig(
        behaviour="pessimistic", pessimism=PessimismConfig(batch_error_rate=0.3, per_page_cap=100)
    )
    async with wc_env(tmp_path, config) as env:
        updates: list[VariantUpdate] = []
        for n in range(20):
            updates += tee(f"T{n:02d}")
        await upsert(env, updates)
        for _ in range(10):
            summary = await env.run_ok(PUBLISH)
            if "retry_later" not in summary.counts:
                break
        for n in range(20):
            links = await env.links(f"T{n:02d}")
            assert len(links) == 3 and {k.state for k in links.values()} == {LinkState.LISTED}
        skus = [v.sku for v in env.store.catalog.variations.values()]
        assert sorted(skus) == sorted(u.sku for u in updates)  # each variation once
        assert len(env.store.catalog.products) == 20
