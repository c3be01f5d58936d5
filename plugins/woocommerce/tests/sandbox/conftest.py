"""Fixtures for the WooCommerce sandbox tests (helpers live in ``woo_env``/``woo_client``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from flxd_woocommerce.sandbox import SandboxConfig
from woo_env import Env, open_sandbox


@pytest_asyncio.fixture
async def https() -> AsyncIterator[Env]:
    """A store served over HTTPS (Basic auth), 12 seeded products and 10 orders."""
    async with open_sandbox(SandboxConfig(tls=True, seed_products=12, seed_orders=10)) as opened:
        yield opened


@pytest_asyncio.fixture
async def plain() -> AsyncIterator[Env]:
    """A store served over plain HTTP (OAuth 1.0a), nothing seeded."""
    async with open_sandbox() as opened:
        yield opened
