"""A site without pretty permalinks: every /wp-json/ path is the theme's 404 page, only
?rest_route= reaches the API, and the API's own links say so."""

from __future__ import annotations

import pytest
from flxd_woocommerce.sandbox import SandboxConfig
from woo_env import STORE, open_sandbox

pytestmark = pytest.mark.asyncio


async def test_wp_json_is_a_404_page_and_rest_route_works() -> None:
    async with open_sandbox(SandboxConfig(permalinks=False, seed_products=3)) as env:
        pretty = await env.oauth().get("/wc/v3/products")
        assert pretty.status == 404 and pretty.content_type == "text/html"
        index = await env.client.with_(auth="none").get("/")
        assert index.status == 404 and index.content_type == "text/html"
        reached = await env.client.with_(rest_route=True, auth="none").get("/wc/v3/products")
        assert (reached.status, reached.code) == (401, "woocommerce_rest_cannot_view")
    async with open_sandbox(SandboxConfig(permalinks=False, seed_products=3, tls=True)) as env:
        reply = await env.client.with_(rest_route=True).get("/wc/v3/products", per_page="2")
        assert reply.status == 200 and len(reply.data) == 2
        home = env.sandbox.site_url(STORE)
        assert reply.data[0]["_links"]["self"][0]["href"] == (
            f"{home}/index.php?rest_route=/wc/v3/products/{reply.data[0]['id']}"
        )
        assert "rest_route=%2Fwc%2Fv3%2Fproducts" in reply.headers["Link"]
        site_index = await env.client.with_(rest_route=True, auth="none").get("/")
        assert site_index.status == 200 and "wc/v3" in site_index.data["namespaces"]


async def test_switching_permalinks_off_on_a_running_store() -> None:
    async with open_sandbox(SandboxConfig(tls=True)) as env:
        assert (await env.client.get("/wc/v3/orders")).status == 200
        env.sandbox.configure_store(STORE, permalinks=False)
        assert (await env.client.get("/wc/v3/orders")).status == 404
        assert (await env.client.with_(rest_route=True).get("/wc/v3/orders")).status == 200
        assert (
            await env.client.with_(rest_route=True).get("/wc/v3/nothing")
        ).code == "rest_no_route"
