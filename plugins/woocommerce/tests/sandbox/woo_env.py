"""A sandbox served on a loopback port with a fake clock, and clients for its first store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import aiohttp
from flxd_woocommerce.sandbox import Sandbox, SandboxConfig
from woo_client import WooClient

from flxd.testing.clock import FakeClock

STORE = "shop1"
# Where the tests' clock starts: a whole second, so stamps are predictable.
START = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Env:
    sandbox: Sandbox
    base_url: str
    clock: FakeClock
    session: aiohttp.ClientSession
    client: WooClient
    """Basic auth over HTTPS, OAuth over HTTP, as WooCommerce wants."""

    @property
    def store(self) -> str:
        return STORE

    def oauth(self, **changes: object) -> WooClient:
        return self.client.with_(auth="oauth", **changes)


@asynccontextmanager
async def open_sandbox(
    config: SandboxConfig | None = None, clock: FakeClock | None = None
) -> AsyncIterator[Env]:
    config = config or SandboxConfig()
    if not config.store_names:
        config = replace(config, store_names=(STORE,))
    clock = clock or FakeClock(START)
    sandbox = Sandbox(config, clock=clock)
    connector = aiohttp.TCPConnector(ssl=sandbox.client_ssl_context()) if config.tls else None
    async with sandbox.serve() as base_url, aiohttp.ClientSession(connector=connector) as session:
        key = sandbox.default_key(STORE)
        client = WooClient(
            session,
            sandbox.site_url(STORE),
            key.consumer_key,
            key.consumer_secret,
            auth="basic" if config.tls else "oauth",
            now=lambda: int(clock.now().timestamp()),
        )
        yield Env(sandbox, base_url, clock, session, client)
