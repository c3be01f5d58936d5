"""The sandbox store started inside flxd, for connections configured with `sandbox = {...}`.

This is what the default flxd.toml uses: `flxd run --once` works on a fresh machine with no
BigCommerce account and no secret. Connections sharing the same sandbox settings share one
server (one store per store hash); the server stops when its last connection closes.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from typing import Any

import anyio

from flxd_bigcommerce.config import EmbeddedSandbox
from flxd_bigcommerce.sandbox import PessimisticSettings, Sandbox, SandboxConfig

__all__ = ["Endpoint", "acquire", "release"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    api_base_url: str
    login_base_url: str
    token: str
    sandbox: Sandbox


@dataclass(slots=True)
class _Running:
    sandbox: Sandbox
    base_url: str
    stack: AsyncExitStack
    users: set[str] = field(default_factory=set)


_running: dict[Any, _Running] = {}
_lock: anyio.Lock | None = None


def _key(settings: EmbeddedSandbox) -> Any:
    pessimism = tuple(sorted(settings.pessimism().items()))
    return (
        settings.state_file,
        settings.seed,
        settings.quota,
        settings.window,
        settings.behaviour,
        pessimism,
    )


async def acquire(settings: EmbeddedSandbox, store_hash: str, user: str) -> Endpoint:
    """Start (or join) the sandbox for these settings; make sure it has this store."""
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
                    quota=settings.quota,
                    window_ms=max(1, int(settings.window * 1000)),
                    seed=settings.seed,
                    state_file=settings.state_file,
                    webhooks=True,
                    behaviour=settings.behaviour,
                    pessimism=replace(PessimisticSettings(), **settings.pessimism()),
                )
            )
            stack = AsyncExitStack()
            base_url = await stack.enter_async_context(sandbox.serve("127.0.0.1", 0))
            running = _running[key] = _Running(sandbox, base_url, stack)
        if store_hash not in running.sandbox.stores:
            running.sandbox.create_store(
                store_hash,
                seed_products=settings.seed_products,
                seed_orders=settings.seed_orders,
            )
        running.users.add(user)
        return Endpoint(
            api_base_url=running.base_url,
            login_base_url=running.sandbox.login_base_url,
            token=running.sandbox.default_token(store_hash),
            sandbox=running.sandbox,
        )


async def release(settings: EmbeddedSandbox, user: str) -> None:
    """Leave the sandbox; the last user stops it (saving its state file, if any)."""
    if _lock is None:
        return
    async with _lock:
        key = _key(settings)
        running = _running.get(key)
        if running is None:
            return
        running.users.discard(user)
        if not running.users:
            del _running[key]
            await running.stack.aclose()
