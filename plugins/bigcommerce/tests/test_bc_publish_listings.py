"""publish_listings against the sandbox store: every option, asserted on both sides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp import web
from bc_listings import PUBLISH, SYNC, ListingsEnv, V, listings_env

from flxd.plugin import LinkState, ListingStatus, Presence, VariantUpdate
from flxd.testing import RunOutcome

pytestmark = pytest.mark.asyncio

LONG = "x" * 300


def tee(**extra: object) -> list[VariantUpdate]:
    common = {"parent": "TEE", "listing_name": "Tee", "description": "<p>Soft</p>", **extra}
    return [
        VariantUpdate(
            sku="TEE-S",
            price=Decimal("19.90"),
            quantity=5,
            upc="012345678905",
            options=(("Size", "S"), ("Color", "Red")),
            attributes=(("Material", "Cotton"), ("Care", "Cold wash")),
            **common,  # type: ignore[arg-type]
        ),
        VariantUpdate(
            sku="TEE-M",
            price=Decimal("21"),
            quantity=0,
            mpn="MPN-M",
            options=(("Size", "M"), ("Color", "Red")),
            attributes=(("Material", "Cotton"),),  # the same pair again: one custom field
            **common,  # type: ignore[arg-type]
        ),
    ]


MUG = VariantUpdate(
    sku="MUG", listing_name="Mug", price=Decimal("7.50"), quantity=12, gtin="00012345678905"
)


async def upsert(env: ListingsEnv, updates: list[VariantUpdate]) -> None:
    async with env.hub() as hub:
        await hub.catalog.upsert(updates)


async def test_publish_creates_products_with_variants_and_links_them(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        await upsert(env, [*tee(), MUG, VariantUpdate(sku="WAIT", listing_name="Wait")])
        async with env.hub() as hub:
            await hub.catalog.set_status(["WAIT"], ListingStatus.PAUSED)
        summary = await env.run_ok(PUBLISH)
        assert summary.counts == {"created": 2}

        product, _ = env.item("TEE")
        assert (product.name, product.description, product.inventory_tracking) == (
            "Tee",
            "<p>Soft</p>",
            "variant",
        )
        variants = {v.sku: v for v in env.store.variants_of(product.id)}
        assert set(variants) == {"TEE-S", "TEE-M"}
        assert (variants["TEE-S"].price, variants["TEE-S"].inventory_level) == (Decimal("19.9"), 5)
        assert (variants["TEE-S"].upc, variants["TEE-M"].mpn) == ("012345678905", "MPN-M")
        options = {
            o.display_name: sorted(v.label for v in o.values)
            for o in env.store.catalog.options_of(product.id)
        }
        assert options == {"Size": ["M", "S"], "Color": ["Red"]}
        fields = sorted((f.name, f.value) for f in env.store.catalog.fields_of(product.id))
        assert fields == [("Care", "Cold wash"), ("Material", "Cotton")]
        mug, _ = env.item("MUG")
        assert (mug.price, mug.inventory_level, mug.inventory_tracking, mug.gtin) == (
            Decimal("7.5"),
            12,
            "product",
            "00012345678905",
        )
        assert env.store.product_by_sku("WAIT") is None  # paused: not published

        links = await env.links("TEE")
        assert {s: (k.product_ref, k.variant_ref, k.state) for s, k in links.items()} == {
            s: (str(product.id), str(v.id), LinkState.LISTED) for s, v in variants.items()
        }
        assert (await env.links("MUG"))["MUG"].variant_ref is None
        env.reset_requests()
        assert (await env.run_ok(PUBLISH)).counts == {}
        assert "POST /v3/catalog/products" not in env.requests()
        assert (await env.run_ok(SYNC)).counts.get("pushed", 0) == 0  # nothing to correct


@pytest.mark.parametrize("override", [True, False])
async def test_an_existing_product_is_linked_and_its_name_kept_or_replaced(
    tmp_path: Path, override: bool
) -> None:
    settings = {PUBLISH: f"override_names = {str(override).lower()}"}
    async with listings_env(tmp_path, settings=settings) as env:
        existing = env.make("Old mug name", "mug", "9", stock=3)  # the same SKU in another case
        await upsert(env, [MUG])
        summary = await env.run_ok(PUBLISH)
        assert summary.counts == {"linked": 1}
        assert len(env.store.products) == 1 and "POST /v3/catalog/products" not in env.requests()
        assert env.store.products[existing.id].name == ("Mug" if override else "Old mug name")
        link = (await env.links("MUG"))["MUG"]
        assert (link.product_ref, link.pushed_price, link.pushed_quantity) == (
            str(existing.id),
            Decimal(9),
            3,
        )
        # The hub's price and quantity win: the next sync pushes them.
        await env.run_ok(SYNC)
        assert (env.price("mug"), env.stock("mug")) == (Decimal("7.5"), 12)


async def test_a_variant_the_existing_product_lacks_is_skipped_with_the_reason(
    tmp_path: Path,
) -> None:
    """Linked to a product found by the listing's SKU, a variant that product does not have is
    counted skipped and named, never silently left unpublished."""
    async with listings_env(tmp_path) as env:
        env.make("Tee", "TEE", "18", variants=[V("TEE-S", {"Size": "S"}, stock=1)])
        await upsert(env, tee())  # TEE-S and TEE-M
        summary = await env.run(PUBLISH)
        assert summary.outcome is RunOutcome.PARTIAL
        assert summary.counts == {"linked": 1, "skipped": 1}
        assert summary.error is not None and "TEE-M: not on BigCommerce product" in summary.error
        links = await env.links("TEE")
        assert links["TEE-S"].state is LinkState.LISTED
        assert links["TEE-M"].state is LinkState.FAILED


@pytest.mark.parametrize("policy", ["truncate", "skip", "fail"])
async def test_attribute_length_policies(tmp_path: Path, policy: str) -> None:
    settings = {PUBLISH: f'attribute_length = "{policy}"'}
    async with listings_env(tmp_path, settings=settings) as env:
        attributes = (("Story", LONG), ("Material", "Cotton"), ("Material", "Cotton"))
        await upsert(
            env,
            [VariantUpdate(sku="LONG", listing_name="Long", attributes=attributes), MUG],
        )
        summary = await env.run(PUBLISH)
        if policy == "fail":
            assert summary.outcome is RunOutcome.PARTIAL
            assert summary.counts == {"created": 1, "skipped": 1}
            assert "longer than 250 characters" in (summary.error or "")
            assert env.store.product_by_sku("LONG") is None
            link = (await env.links("LONG"))["LONG"]
            assert link.state is LinkState.FAILED and "longer than 250" in (link.error or "")
            assert env.store.product_by_sku("MUG") is not None  # the run went on
            return
        assert summary.outcome is RunOutcome.OK and summary.counts == {"created": 2}
        product, _ = env.item("LONG")
        fields = sorted((f.name, f.value) for f in env.store.catalog.fields_of(product.id))
        if policy == "truncate":
            assert fields == [("Material", "Cotton"), ("Story", "x" * 250)]
        else:
            assert fields == [("Material", "Cotton")]


async def test_conflicts_are_recorded_per_listing_and_the_run_goes_on(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        env.make("Shirt", "SHIRT", variants=[V("CASE-1", {"Size": "S"})])
        env.make("Taken name", "TAKEN")
        await upsert(
            env,
            [
                VariantUpdate(sku="case-1", listing_name="Case"),  # a variant's SKU, other case
                VariantUpdate(sku="N-1", listing_name="Taken name"),
                MUG,
            ],
        )
        summary = await env.run(PUBLISH)
        assert summary.outcome is RunOutcome.PARTIAL
        assert summary.counts == {"conflicts": 2, "skipped": 2, "created": 1}
        case = (await env.links("case-1"))["case-1"]
        assert case.state is LinkState.FAILED
        assert "409" in (case.error or "") and "Sku case-1 is not unique" in (case.error or "")
        name = (await env.links("N-1"))["N-1"]
        assert "409" in (name.error or "") and "name is a duplicate" in (name.error or "")
        assert env.store.product_by_sku("MUG") is not None

        # Refused listings are not retried until they change (or on --full).
        env.reset_requests()
        assert (await env.run_ok(PUBLISH)).counts == {}
        assert "POST /v3/catalog/products" not in env.requests()
        await upsert(env, [VariantUpdate(sku="N-1", parent="N-1", listing_name="A free name")])
        retried = await env.run_ok(PUBLISH)
        assert retried.counts == {"created": 1}
        assert env.store.product_by_sku("N-1") is not None
        assert (await env.links("N-1"))["N-1"].state is LinkState.LISTED
        again = await env.run(PUBLISH, full=True)
        assert again.counts == {"conflicts": 1, "skipped": 1}


async def test_a_create_whose_answer_was_lost_is_found_again_not_duplicated(
    tmp_path: Path,
) -> None:
    async with listings_env(tmp_path) as env:
        await upsert(env, [*tee(), MUG])

        async def lose_answer(request: web.Request) -> None:
            if request.method == "POST" and request.path.endswith("/catalog/products"):
                raise web.HTTPBadGateway()  # after the product was created

        env.hooks.hooks.append(_after(lose_answer))
        failed = await env.run(PUBLISH)
        env.hooks.hooks.clear()
        assert failed.outcome is RunOutcome.FAILED
        assert env.requests()["POST /v3/catalog/products"] == 1  # a POST is never re-sent
        assert len(env.store.products) == 1
        summary = await env.run_ok(PUBLISH)
        assert summary.counts == {"linked": 1, "created": 1}
        assert len(env.store.products) == 2
        assert set(await env.links("TEE")) == {"TEE-S", "TEE-M"}


def _after(
    hook: Callable[[web.Request], Awaitable[None]],
) -> Callable[[web.Request], Awaitable[None]]:
    """A request hook that lets the sandbox handle the request first, then runs `hook`."""

    async def run(request: web.Request) -> None:
        handler = request.match_info.handler
        await handler(request)
        await hook(request)

    return run


async def test_delisted_then_relisted_listings_are_published_again(tmp_path: Path) -> None:
    async with listings_env(tmp_path) as env:
        await upsert(env, tee())
        await env.run_ok(PUBLISH)
        first, _ = env.item("TEE")
        async with env.hub() as hub:
            await hub.catalog.set_presence(["TEE"], Presence.DELISTED)
        assert (await env.run_ok(SYNC)).counts == {"delisted": 1}
        assert (await env.run_ok(PUBLISH)).counts == {}  # delisted: stays off the store
        async with env.hub() as hub:
            await hub.catalog.set_presence(["TEE"], Presence.LISTED, only_from=Presence.DELISTED)
        assert (await env.run_ok(PUBLISH)).counts == {"created": 1}
        again, _ = env.item("TEE")
        assert again.id != first.id and len(env.store.variants_of(again.id)) == 2
        links = await env.links("TEE")
        assert {k.state for k in links.values()} == {LinkState.LISTED}
        assert {k.product_ref for k in links.values()} == {str(again.id)}
