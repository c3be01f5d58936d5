"""A site reached through a proxy: WordPress's "Site Address" is the proxy's, and OAuth 1.0a
signatures and links follow it, not the address the sandbox listens on."""

from __future__ import annotations

import pytest
from woo_env import STORE, Env

pytestmark = pytest.mark.asyncio


async def test_signatures_and_links_follow_the_site_address(plain: Env) -> None:
    real = plain.sandbox.site_url(STORE)
    plain.sandbox.configure_store(STORE, home_url="http://proxy.example:8080/shop/")
    assert plain.sandbox.site_url(STORE) == "http://proxy.example:8080/shop"
    signed_for_real = await plain.oauth().get("/wc/v3/products")
    assert signed_for_real.status == 401
    assert "signature" in signed_for_real.data["message"]
    plain.sandbox.configure_store(STORE, home_url="")
    assert plain.sandbox.site_url(STORE) == real
    assert (await plain.oauth().get("/wc/v3/products")).status == 200
    with pytest.raises(ValueError):
        plain.sandbox.configure_store(STORE, home_url="proxy.example")
