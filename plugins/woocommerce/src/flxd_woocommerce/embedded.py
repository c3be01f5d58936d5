"""The emulated WooCommerce store started inside flxd, for connections configured with
`sandbox = {...}` (the default flxd.toml's second connection).

It serves plain HTTP on loopback, so flxd signs its requests with OAuth 1.0a as it would for a
real site without HTTPS. Connections with the same sandbox settings share one server (one site
per connection); the server stops when its last connection closes.
"""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import anyio

from flxd_woocommerce.config import EmbeddedSandbox
from flxd_woocommerce.sandbox import Sandbox, SandboxConfig

__all__ = ["Endpoint", "acquire", "release", "store_name"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    site_url: str
    consumer_key: str
    consumer_secret: str
    sandbox: Sandbox


@dataclass(slots=True)
class _Running:
    sandbox: Sandbox
    stack: AsyncExitStack
    users: set[str] = field(default_factory=set)


_running: dict[Any, _Running] = {}
_lock: anyio.Lock | None = None


def store_name(connection: str) -> str:
    """The sandbox site of a connection (site names are lowercase letters, digits and '-')."""
    return re.sub(r"[^a-z0-9-]", "-", connection.lower()).strip("-")[:32] or "shop"


def _key(settings: EmbeddedSandbox) -> Any:
    return tuple(sorted(settings.model_dump(mode="json").items()))


async def acquire(settings: EmbeddedSandbox, connection: str) -> Endpoint:
    """Start (or join) the sandbox for these settings; make sure it has this connection's site."""
    global _lock
    if _lock is None:
        _lock = anyio.Lock()
    async with _lock:
        key = _key(settings)
        running = _running.get(key)
        if running is None:
            sandbox = Sandbox(
                SandboxConfig(
                    stores=0,
                    seed=settings.seed,
                    behaviour=settings.behaviour,
                    shipment_tracking=settings.shipment_tracking,
                    site_timezone=settings.timezone,
                    state_file=settings.state_file,
                    webhooks=True,
                )
            )
            stack = AsyncExitStack()
            await stack.enter_async_context(sandbox.serve("127.0.0.1", 0))
            running = _running[key] = _Running(sandbox, stack)
        name = store_name(connection)
        if name not in running.sandbox.stores:
            running.sandbox.create_store(
                name, seed_products=settings.seed_products, seed_orders=settings.seed_orders
            )
        running.users.add(connection)
        api_key = running.sandbox.default_key(name)
        return Endpoint(
            site_url=running.sandbox.site_url(name),
            consumer_key=api_key.consumer_key,
            consumer_secret=api_key.consumer_secret,
            sandbox=running.sandbox,
        )


async def release(settings: EmbeddedSandbox, connection: str) -> None:
    """Leave the sandbox; the last user stops it (saving its state file, if any)."""
    if _lock is None:
        return
    async with _lock:
        key = _key(settings)
        running = _running.get(key)
        if running is None:
            return
        running.users.discard(connection)
        if not running.users:
            del _running[key]
            await running.stack.aclose()
