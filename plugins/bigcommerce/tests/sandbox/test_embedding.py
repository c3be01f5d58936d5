"""Embedding the sandbox: built outside a loop, driven by aiohttp's test client, or served."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from flxd_bigcommerce.sandbox import FLXD_SCOPES, Sandbox, SandboxConfig

from flxd.testing.clock import FakeClock

built_outside_a_loop = Sandbox(SandboxConfig(seed_products=3, store_hashes=("emb1",)))


@pytest.mark.asyncio
async def test_app_works_with_aiohttp_test_client() -> None:
    sandbox = Sandbox(SandboxConfig(store_hashes=("emb2",), seed_products=4), clock=FakeClock())
    async with TestClient(TestServer(sandbox.app)) as client:
        response = await client.get(
            "/stores/emb2/v3/catalog/products",
            headers={"X-Auth-Token": sandbox.default_token("emb2")},
        )
        assert response.status == 200
        assert len((await response.json())["data"]) == 4


@pytest.mark.asyncio
async def test_a_sandbox_built_before_the_loop_serves() -> None:
    async with built_outside_a_loop.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert built_outside_a_loop.login_base_url == f"{base_url}/login"
    with pytest.raises(RuntimeError):
        _ = built_outside_a_loop.login_base_url


def test_default_token_has_every_scope_flxd_needs() -> None:
    store = built_outside_a_loop.store("emb1")
    token = built_outside_a_loop.tokens.lookup(built_outside_a_loop.default_token("emb1"))
    assert token is not None and token.scopes == frozenset(FLXD_SCOPES)
    assert store.hash == "emb1"
    with pytest.raises(LookupError):
        built_outside_a_loop.store("nope")
