"""State: seeding is reproducible, --state persists across restarts, reset starts over."""

from __future__ import annotations

from pathlib import Path

import pytest
from flxd_bigcommerce.sandbox import Sandbox, SandboxConfig
from sandbox_env import open_sandbox
from sandbox_payloads import create, product

from flxd.testing.clock import FakeClock


def fingerprint(sandbox: Sandbox) -> list[object]:
    store = sandbox.store(sandbox.store_hashes[0])
    return [
        sandbox.store_hashes,
        sandbox.default_token(sandbox.store_hashes[0]),
        sorted(store.products.values(), key=lambda p: p.id),
        sorted(store.variants.values(), key=lambda v: v.id),
        sorted(store.order_records.values(), key=lambda o: o.id),
        sorted(store.shipments.values(), key=lambda s: s.id),
    ]


def test_seeding_is_realistic_and_reproducible() -> None:
    config = SandboxConfig(seed_products=40, seed_orders=60, seed=3)
    first = Sandbox(config, clock=FakeClock())
    assert fingerprint(first) == fingerprint(Sandbox(config, clock=FakeClock()))
    other = Sandbox(SandboxConfig(seed_products=40, seed_orders=60, seed=4), clock=FakeClock())
    assert fingerprint(first) != fingerprint(other)
    store = first.store(first.store_hashes[0])
    variant_counts = {len(store.variants_of(p)) for p in store.products}
    assert variant_counts >= {1, 2} and max(variant_counts) <= 5
    assert all(p.upc and p.mpn for p in store.products.values())
    assert any(store.catalog.custom_fields)
    orders = store.order_records.values()
    assert {o.status_id for o in orders} == set(range(15))
    assert all(o.lines and o.shipping_addresses and o.billing_address.email for o in orders)
    assert len({o.date_created.date() for o in orders}) > 20
    shipped = [o for o in orders if o.status_id == 2]
    assert all(o.items_shipped == o.items_total for o in shipped)
    assert all(store.shipments_of(o.id) for o in shipped)


def test_explicit_and_generated_store_hashes() -> None:
    sandbox = Sandbox(SandboxConfig(stores=3, store_hashes=("mine",)), clock=FakeClock())
    hashes = sandbox.store_hashes
    assert hashes[0] == "mine" and len(hashes) == 3
    assert all(h.isalnum() and h.islower() and len(h) == 10 for h in hashes[1:])


@pytest.mark.asyncio
async def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    config = SandboxConfig(seed_products=3, state_file=state)
    async with open_sandbox(config) as env:
        made = await create(env.client, product("Kept", "KEPT"))
        token = env.sandbox.create_token(env.store, ["store_v2_orders"])
        hook = await env.client.post(
            "/v3/hooks", {"scope": "store/order/*", "destination": "https://example.com/h"}
        )
        assert hook.status == 200
    assert state.exists()
    async with open_sandbox(config) as env:
        got = await env.client.get(f"/v3/catalog/products/{made['id']}", include="variants")
        assert got.data["data"]["sku"] == "KEPT"
        assert got.data["data"]["date_modified"] == made["date_modified"]
        assert (await env.client.with_token(token).get("/v2/orders")).status == 204
        assert len((await env.client.get("/v3/hooks")).data["data"]) == 1
        again = await create(env.client, product("Next", "NEXT"))
        assert again["id"] == made["id"] + 1  # ids continue, never reused


@pytest.mark.asyncio
async def test_reset_goes_back_to_the_configured_start() -> None:
    async with open_sandbox(SandboxConfig(seed_products=2)) as env:
        await create(env.client, product("Extra", "EXTRA"))
        extra_token = env.sandbox.create_token(env.store)
        env.sandbox.reset()
        listed = await env.client.get("/v3/catalog/products")
        assert len(listed.data["data"]) == 2
        assert (await env.client.with_token(extra_token).get("/v2/time")).status == 401
