"""Helpers for the order tests: a sandbox store on a fake clock shared with the daemon, a config
for one connection's order operations, runs through the real daemon path, and the hub."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from bc_env import HOST, BcEnv
from flxd_bigcommerce.sandbox import CartLine, Sandbox, SandboxConfig
from flxd_bigcommerce.sandbox.orders.records import Order as RemoteOrder

from flxd.plugin import Config, Operation, Order
from flxd.testing import (
    Daemon,
    FakeClock,
    OrderBook,
    RunOutcome,
    RunSummary,
    Selection,
    Tx,
    open_hub,
)

NAME = "shop"
Hook = Callable[[web.Request], Awaitable[None]]


@dataclass
class RequestHooks:
    """Run test code inside the sandbox just before it answers a request (e.g. an order
    changing while a run pages through the orders)."""

    hooks: list[Hook] = field(default_factory=list)

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        for hook in list(self.hooks):
            await hook(request)
        return await handler(request)


@dataclass
class OrdersEnv:
    bc: BcEnv
    clock: FakeClock
    hooks: RequestHooks
    get_orders: str = ""
    sync_orders: str = ""

    @property
    def store(self) -> str:
        return self.bc.store_hash

    def config(self) -> Config:
        tables = (
            f"[connections.{NAME}.get_orders]\nenabled = true\n{self.get_orders}\n\n"
            f"[connections.{NAME}.sync_orders]\nenabled = true\n{self.sync_orders}\n"
        )
        return self.bc.config(self.bc.connection(NAME, operations=tables))

    async def run(
        self,
        operation: Operation = Operation.GET_ORDERS,
        *,
        full: bool = False,
        dry_run: bool = False,
    ) -> RunSummary:
        [summary] = await Daemon(self.config(), HOST, clock=self.clock).run_once(
            Selection(NAME, operation), full=full, dry_run=dry_run
        )
        return summary

    async def run_ok(self, operation: Operation = Operation.GET_ORDERS) -> RunSummary:
        summary = await self.run(operation)
        assert summary.outcome is RunOutcome.OK, summary.error
        return summary

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[Tx]:
        async with open_hub(self.config()) as db, db.transaction() as tx:
            yield tx

    async def hub_orders(self) -> dict[str, Order]:
        async with self.tx() as tx:
            found = await OrderBook(tx, self.clock.now()).orders(connection=NAME, limit=1_000_000)
        return {o.channel_order_id: o for o in found}

    def products(self) -> list[tuple[int, int]]:
        """(product id, variant id) of every purchasable variant."""
        catalog = self.bc.sandbox.store(self.store).catalog
        found = []
        for product in catalog.products.values():
            if product.availability == "disabled":
                continue
            for variant in catalog.variants_of(product.id):
                if variant.sku and (product.base_variant_id is None) == bool(
                    variant.option_value_ids
                ):
                    found.append((product.id, variant.id))
        return found

    def place(
        self, lines: int = 1, *, status: int = 11, quantity: int = 1, **kw: Any
    ) -> RemoteOrder:
        chosen = self.products()[:lines]
        cart: Sequence[CartLine] = [
            CartLine(product_id=p, variant_id=v, quantity=quantity) for p, v in chosen
        ]
        return self.bc.sandbox.place_order(self.store, cart, status_id=status, **kw)

    async def advance(self, seconds: float) -> None:
        await self.clock.advance(seconds)


@asynccontextmanager
async def orders_env(
    tmp_path: Path,
    *,
    products: int = 6,
    orders: int = 0,
    get_orders: str = "",
    sync_orders: str = "",
    sandbox_config: Mapping[str, Any] | None = None,
) -> AsyncIterator[OrdersEnv]:
    """`sandbox_config`: more SandboxConfig fields (`behaviour`, `pessimism`)."""
    clock = FakeClock()
    config = SandboxConfig(
        seed_products=products, seed_orders=orders, quota=None, **(sandbox_config or {})
    )
    sandbox = Sandbox(config, clock=clock)
    hooks = RequestHooks()
    sandbox.app.middlewares.append(hooks.middleware)
    async with sandbox.serve() as base_url:
        store_hash = sandbox.store_hashes[0]
        bc = BcEnv(sandbox, base_url, store_hash, sandbox.default_token(store_hash), tmp_path)
        yield OrdersEnv(bc, clock, hooks, get_orders, sync_orders)
