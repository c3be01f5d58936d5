"""An emulated WooCommerce store on loopback with a fake clock shared with flxd, a config for
one connection to it, runs through the real daemon path, and the hub.

Every environment ends by proving that each request flxd sent was valid: against the store's
own argument schemas (its request log) and against WooCommerce's published route index.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flxd_woocommerce.sandbox import CartLine, Sandbox, SandboxConfig, Store
from flxd_woocommerce.sandbox.contract import RouteIndex

from flxd.plugin import Config, HubWriter, Link, Listing, Operation
from flxd.testing import (
    Cursors,
    Daemon,
    FakeClock,
    RunOutcome,
    RunSummary,
    Selection,
    Tx,
    load_plugins,
    open_hub,
    parse_config,
)

HOST = load_plugins()
NAME = "shop"
STORE = "shop1"
START = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)
IMPORT, PUBLISH, SYNC, ORDERS, SHIP = (
    Operation.IMPORT_LISTINGS,
    Operation.PUBLISH_LISTINGS,
    Operation.SYNC_LISTINGS,
    Operation.GET_ORDERS,
    Operation.SYNC_ORDERS,
)


@dataclass
class WcEnv:
    sandbox: Sandbox
    clock: FakeClock
    tmp_path: Path
    settings: dict[Operation, str] = field(default_factory=dict)
    """Extra TOML lines per operation table (every operation is enabled)."""
    extra: str = ""
    """Extra TOML lines for the connection table."""
    ca_file: Path | None = None
    custom_statuses: list[str] = field(default_factory=list)

    @property
    def store(self) -> Store:
        return self.sandbox.store(STORE)

    @property
    def site_url(self) -> str:
        return self.sandbox.site_url(STORE)

    @property
    def environ(self) -> dict[str, str]:
        key = self.sandbox.default_key(STORE)
        return {"WC_KEY": key.consumer_key, "WC_SECRET": key.consumer_secret}

    def connection(self) -> str:
        lines = [
            f"[connections.{NAME}]",
            'channel = "woocommerce"',
            f'url = "{self.site_url}"',
            'consumer_key_env = "WC_KEY"',
            'consumer_secret_env = "WC_SECRET"',
        ]
        if self.ca_file is not None:
            lines.append(f'ca_file = "{self.ca_file}"')
        lines.append(self.extra)
        for op in (IMPORT, PUBLISH, SYNC, ORDERS, SHIP):
            lines += ["", f"[connections.{NAME}.{op.value}]", "enabled = true"]
            lines.append(self.settings.get(op, ""))
        return "\n".join(lines) + "\n"

    def config(self, environ: dict[str, str] | None = None) -> Config:
        text = f'[daemon]\nstate_dir = "{self.tmp_path / "state"}"\n\n' + self.connection()
        return parse_config(
            text,
            registries=HOST,
            base_dir=self.tmp_path,
            environ=self.environ if environ is None else environ,
            path=self.tmp_path / "flxd.toml",
        )

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
        """Requests per endpoint since the last reset: `GET /wc/v3/products/{product_id}`."""
        return {
            re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route): n
            for route, n in self.sandbox.counters(STORE).items()
        }

    def reset_requests(self) -> None:
        self.store.counters.by_endpoint.clear()

    def product(self, body: dict[str, Any]) -> dict[str, Any]:
        """A product made on the store, as a merchant makes it (webhooks fire)."""
        return self.sandbox.add_product(STORE, body)

    def simple(self, sku: str, price: str = "10.00", stock: int | None = 5, **extra: Any) -> int:
        body: dict[str, Any] = {"name": f"Product {sku}", "type": "simple", "sku": sku}
        body["regular_price"] = price
        if stock is not None:
            body |= {"manage_stock": True, "stock_quantity": stock}
        return int(self.product(body | extra)["id"])

    def variable(self, sku: str, sizes: Sequence[str], price: str = "20.00", stock: int = 3) -> int:
        return int(
            self.product(
                {
                    "name": f"Product {sku}",
                    "type": "variable",
                    "sku": sku,
                    "attributes": [
                        {"name": "Size", "variation": True, "visible": True, "options": list(sizes)}
                    ],
                    "variations": [
                        {
                            "sku": f"{sku}-{size}",
                            "regular_price": price,
                            "manage_stock": True,
                            "stock_quantity": stock,
                            "attributes": [{"name": "Size", "option": size}],
                        }
                        for size in sizes
                    ],
                }
            )["id"]
        )

    def item(self, sku: str) -> Any:
        """The product or variation with this SKU on the store."""
        catalog = self.store.catalog
        for row in [*catalog.products.values(), *catalog.variations.values()]:
            if row.sku.lower() == sku.lower():
                return row
        raise LookupError(sku)

    def buy(self, *skus: str, status: str = "processing") -> int:
        """An order placed as a shopper would, one of each SKU; its id."""
        lines = []
        for sku in skus:
            row = self.item(sku)
            variation = getattr(row, "product_id", None)
            lines.append(
                CartLine(product_id=variation or row.id, variation_id=row.id if variation else 0)
            )
        return self.sandbox.place_order(STORE, lines, status=status).id

    def assert_valid(self) -> None:
        """Every request flxd sent was valid, to the store and to the published route index."""
        log = self.sandbox.requests(STORE)
        log.assert_valid()
        RouteIndex.load().assert_valid(log, self.custom_statuses)


@asynccontextmanager
async def wc_env(
    tmp_path: Path,
    config: SandboxConfig | None = None,
    *,
    check_requests: bool = True,
    real_clock: bool = False,
) -> AsyncIterator[WcEnv]:
    """A store (empty unless `config` seeds it) served on loopback; HTTPS with `tls=True`, in
    which case the connection trusts its certificate through `ca_file`. `real_clock` for a
    flxd that runs as its own process (its OAuth timestamps are the real time)."""
    config = replace(config or SandboxConfig(), store_names=(STORE,))
    clock = FakeClock(START)
    sandbox = Sandbox(config, clock=None if real_clock else clock)
    ca_file = sandbox.write_certificate(tmp_path / "site.pem") if config.tls else None
    async with sandbox.serve():
        env = WcEnv(sandbox, clock, tmp_path, ca_file=ca_file)
        yield env
        if check_requests:
            env.assert_valid()
