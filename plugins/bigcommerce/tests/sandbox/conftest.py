"""Fixtures for the sandbox tests (helpers live in ``sandbox_env``/``sandbox_client``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from flxd_bigcommerce.sandbox import SandboxConfig
from sandbox_env import Env, open_sandbox


@pytest_asyncio.fixture
async def env() -> AsyncIterator[Env]:
    """An empty store (no seeded data), default quota of 150 per 30 s."""
    async with open_sandbox() as opened:
        yield opened


@pytest_asyncio.fixture
async def seeded() -> AsyncIterator[Env]:
    """A store with 30 seeded products and 40 seeded orders, quotas off."""
    async with open_sandbox(SandboxConfig(seed_products=30, seed_orders=40, quota=None)) as opened:
        yield opened
