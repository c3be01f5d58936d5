"""Helpers for the listing tests: a sandbox store on a fake clock shared with the daemon, a
config for one connection's listing operations, runs through the real daemon path, products
made on the store side, and the hub."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from bc_env import HOST, BcEnv
from bc_orders import RequestHooks
from flxd_bigcommerce.sandbox import Sandbox, SandboxConfig, Store
from flxd_bigcommerce.sandbox.catalog.products import create_product, delete_products
from flxd_bigcommerce.sandbox.catalog.records import Product, Variant
from flxd_bigcommerce.sandbox.catalog.writes import (
    CustomFieldWrite,
    OptionValueRef,
    ProductWrite,
    VariantWrite,
)

from flxd.plugin import Config, HubWriter, Link, Listing, Operation
from flxd.testing import Cursors, Daemon, FakeClock, RunOutcome, RunSummary, Selection, Tx, open_hub

NAME = "shop"
IMPORT, PUBLISH, SYNC = (
    Operation.IMPORT_LISTINGS,
    Operation.PUBLISH_LISTINGS,
    Operation.SYNC_LISTINGS,
)


@dataclass(frozen=True)
class V:
    """A variant to make on the store: SKU, options, and optionally price, stock and codes."""

    sku: str
    options: dict[str, str]
    price: str | None = None
    stock: int = 0
    upc: str | None = None
    mpn: str | None = None


@dataclass
class ListingsEnv:
    bc: BcEnv
    clock: FakeClock
    hooks: RequestHooks
    settings: dict[Operation, str] = field(default_factory=dict)
    """Extra TOML lines per operation table."""
    extra: str = ""
    """Extra top-level TOML (feeds)."""

    @property
    def store(self) -> Store:
        return self.bc.sandbox.store(self.bc.store_hash)

    def config(self) -> Config:
        tables = "".join(
            f"[connections.{NAME}.{op.value}]\nenabled = true\n{self.settings.get(op, '')}\n\n"
            for op in (IMPORT, PUBLISH, SYNC)
        )
        return self.bc.config(self.bc.connection(NAME, operations=tables) + self.extra)

    async def run(self, operation: Operation, **kw: bool) -> RunSummary:
        [summary] = await Daemon(self.config(), HOST, clock=self.clock).run_once(
            Selection(NAME, operation), **kw
        )
        return summary

    async def run_ok(self, operation: Operation, **kw: bool) -> RunSummary:
        summary = await self.run(operation, **kw)
        assert summary.outcome is RunOutcome.OK, summary.error
        return summary

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[Tx]:
        async with open_hub(self.config()) as db, db.transaction() as tx:
            yield tx

    @asynccontextmanager
    async def hub(self) -> AsyncIterator[HubWriter]:
        async with self.tx() as tx:
            yield HubWriter(tx, self.clock)

    async def cursors(self, operation: Operation) -> dict[str, str]:
        async with self.tx() as tx:
            return await Cursors(tx, self.clock.now()).of(NAME, operation.value)

    async def listing(self, sku: str) -> Listing:
        async with self.hub() as hub:
            found = await hub.catalog.listing(sku)
        assert found is not None, sku
        return found

    async def links(self, sku: str) -> dict[str, Link]:
        """The listing's links on the connection, by variant SKU."""
        listing = await self.listing(sku)
        async with self.hub() as hub:
            links = await hub.links.for_variants(NAME, [v.id for v in listing.variants])
        skus = {v.id: v.sku for v in listing.variants}
        return {skus[k.variant_id]: k for k in links}

    def requests(self) -> dict[str, int]:
        return dict(self.bc.sandbox.counters(self.bc.store_hash))

    def reset_requests(self) -> None:
        self.store.counters.by_endpoint.clear()

    def make(
        self,
        name: str,
        sku: str,
        price: str = "10",
        *,
        variants: Sequence[V] = (),
        fields: dict[str, str] | None = None,
        stock: int = 0,
        **extra: Any,
    ) -> Product:
        """A product on the store, as a merchant would create it there."""
        extra.setdefault("inventory_tracking", "variant" if variants else "product")
        write = ProductWrite(
            name=name,
            type="physical",
            weight=Decimal(1),
            price=Decimal(price),
            sku=sku,
            inventory_level=None if variants else stock,
            custom_fields=[CustomFieldWrite(name=k, value=v) for k, v in (fields or {}).items()],
            variants=[
                VariantWrite(
                    sku=v.sku,
                    price=None if v.price is None else Decimal(v.price),
                    inventory_level=v.stock,
                    upc=v.upc,
                    mpn=v.mpn,
                    option_values=[
                        OptionValueRef(option_display_name=o, label=label)
                        for o, label in v.options.items()
                    ],
                )
                for v in variants
            ]
            or None,
            **extra,
        )
        return create_product(self.store.catalog, write).product

    def delete(self, product_id: int) -> None:
        """Delete a product on the store behind flxd's back."""
        delete_products(self.store.catalog, [product_id])

    def item(self, sku: str) -> tuple[Product, Variant | None]:
        """The store's product with this SKU, and the variant when it is a variant's SKU."""
        product = self.store.product_by_sku(sku)
        if product is not None:
            return product, None
        variant = self.store.variant_by_sku(sku)
        assert variant is not None, f"{sku} is not on the store"
        return self.store.products[variant.product_id], variant

    def price(self, sku: str) -> Decimal:
        """What a shopper pays (a variant without its own price has the product's)."""
        product, variant = self.item(sku)
        return variant.price if variant is not None and variant.price is not None else product.price

    def stock(self, sku: str) -> int:
        """The stock where the product tracks it."""
        product, variant = self.item(sku)
        if variant is not None and product.inventory_tracking == "variant":
            return variant.inventory_level
        return product.inventory_level


@asynccontextmanager
async def listings_env(
    tmp_path: Path,
    *,
    products: int = 0,
    settings: dict[Operation, str] | None = None,
    sandbox_config: Mapping[str, Any] | None = None,
) -> AsyncIterator[ListingsEnv]:
    """`sandbox_config`: more SandboxConfig fields (`behaviour`, `pessimism`)."""
    clock = FakeClock()
    config = SandboxConfig(seed_products=products, quota=None, **(sandbox_config or {}))
    sandbox = Sandbox(config, clock=clock)
    hooks = RequestHooks()
    sandbox.app.middlewares.append(hooks.middleware)
    async with sandbox.serve() as base_url:
        store_hash = sandbox.store_hashes[0]
        bc = BcEnv(sandbox, base_url, store_hash, sandbox.default_token(store_hash), tmp_path)
        yield ListingsEnv(bc, clock, hooks, dict(settings or {}))
