"""A sandbox served on a loopback port with a manual clock, and a client for its first store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
from flxd_bigcommerce.sandbox import PessimisticSettings, Sandbox, SandboxConfig
from flxd_bigcommerce.sandbox.behaviour import BehaviourName
from sandbox_client import StoreClient

from flxd.testing.clock import FakeClock

STORE = "sbx001"
BEHAVIOURS: tuple[BehaviourName, ...] = ("documented", "pessimistic")
# Where the tests' clock starts: a whole second, so stamps are predictable.
START = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Env:
    sandbox: Sandbox
    base_url: str
    clock: FakeClock
    session: aiohttp.ClientSession
    client: StoreClient

    @property
    def store(self) -> str:
        return self.client.store_hash


@asynccontextmanager
async def open_sandbox(
    config: SandboxConfig | None = None, clock: FakeClock | None = None
) -> AsyncIterator[Env]:
    """Serve a sandbox (first store hash ``sbx001`` unless the config names one)."""
    config = config or SandboxConfig()
    if not config.store_hashes:
        config = replace(config, store_hashes=(STORE,))
    clock = clock or FakeClock(START)
    sandbox = Sandbox(config, clock=clock)
    async with sandbox.serve() as base_url, aiohttp.ClientSession() as session:
        store_hash = config.store_hashes[0]
        client = StoreClient(session, base_url, store_hash, sandbox.default_token(store_hash))
        yield Env(sandbox, base_url, clock, session, client)


def only(**knobs: Any) -> PessimisticSettings:
    """Pessimistic settings with every knob off but ``knobs``: one choice in isolation."""
    return replace(PessimisticSettings.off(), **knobs)


def behaving(
    behaviour: BehaviourName, base: SandboxConfig | None = None, **knobs: Any
) -> SandboxConfig:
    """``base`` (default: an empty store, quotas off) under ``behaviour``; pessimistic with
    only ``knobs`` on, so a test shows one pessimistic choice and its absence when documented."""
    base = base or SandboxConfig(quota=None)
    if behaviour == "documented":
        return replace(base, behaviour="documented")
    return replace(base, behaviour="pessimistic", pessimism=only(**knobs))
