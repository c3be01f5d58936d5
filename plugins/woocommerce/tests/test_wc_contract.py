"""The WooCommerce channel passes flxd's channel contract against the emulated store, in both of
its behaviours, with every request it sent valid by WooCommerce's route index."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from flxd_woocommerce.sandbox import CartLine, PessimismConfig, Sandbox, SandboxConfig
from flxd_woocommerce.sandbox.contract import RouteIndex

from flxd.plugin import Operation
from flxd.testing.contract import ChannelContract

STORE = "contract"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SandboxHarness:
    channel = "woocommerce"

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        key = sandbox.default_key(STORE)
        self.environ = {
            "WC_CONTRACT_KEY": key.consumer_key,
            "WC_CONTRACT_SECRET": key.consumer_secret,
        }

    def connection_table(self) -> str:
        return (
            f'url = "{self.sandbox.site_url(STORE)}"\nconsumer_key_env = "WC_CONTRACT_KEY"\n'
            'consumer_secret_env = "WC_CONTRACT_SECRET"'
        )

    def operation_table(self, operation: Operation) -> str:
        if operation is Operation.SYNC_ORDERS:
            return 'tracking = "note"'
        return ""

    def _items(self) -> list[tuple[int, int, str, Decimal | None, int | None]]:
        """(product id, variation id or 0, sku, regular price, stock) of what shoppers buy."""
        catalog = self.sandbox.store(STORE).catalog
        found: list[tuple[int, int, str, Decimal | None, int | None]] = []
        for product in catalog.products.values():
            if product.status != "publish":
                continue
            rows = catalog.variations_of(product.id) if product.type == "variable" else [product]
            for row in rows:
                if not row.sku:
                    continue
                price = Decimal(row.regular_price) if row.regular_price else None
                stock = row.stock_quantity if row.manage_stock else None
                variation = row.id if row is not product else 0
                found.append((product.id, variation, row.sku, price, stock))
        return found

    async def remote_skus(self) -> set[str]:
        return {sku for _, _, sku, _, _ in self._items()}

    async def remote_variant(self, sku: str) -> tuple[Decimal | None, int | None] | None:
        for _, _, found, price, stock in self._items():
            if found.lower() == sku.lower():
                return price, stock
        return None

    async def place_order(self, skus: Sequence[str]) -> str:
        wanted = {s.lower() for s in skus}
        lines = [
            CartLine(product_id=p, variation_id=v)
            for p, v, sku, _, _ in self._items()
            if sku.lower() in wanted
        ]
        return str(self.sandbox.place_order(STORE, lines, status="processing").id)

    async def remote_shipments(self, order_id: str) -> int:
        notes = self.sandbox.store(STORE).orders.notes_of(int(order_id))
        return sum(1 for note in notes if note.customer_note)

    async def revoke_credentials(self) -> None:
        self.sandbox.revoke_key(STORE, self.sandbox.default_key(STORE).key_id)

    async def store_writes(self) -> int:
        return sum(1 for r in self.sandbox.requests(STORE) if r.method in WRITES)

    async def serve_short_pages(self) -> None:
        self.sandbox.store(STORE).page_cap = 2

    async def fail_after_pages(self, pages: int) -> None:
        self.sandbox.store(STORE).pages_before_failure = pages

    async def refuse_writes(self, sku: str) -> None:
        for product_id, variation_id, found, _, _ in self._items():
            if found.lower() == sku.lower():
                self.sandbox.store(STORE).refused_ids.add(variation_id or product_id)
                return
        raise AssertionError(f"{sku} is not on the store")

    async def drift_stock(self, sku: str, quantity: int) -> None:
        # As another system sets it: no date_modified moves, no webhook (issue 40060).
        for product, variation, found, _, _ in self._items():
            if found.lower() == sku.lower():
                self.sandbox.set_stock(STORE, variation or product, quantity)
                return
        raise LookupError(sku)


class TestWooCommerceChannel(ChannelContract):
    @pytest_asyncio.fixture(params=["documented", "pessimistic"])
    async def contract_harness(
        self, request: pytest.FixtureRequest, tmp_path: Path
    ) -> AsyncIterator[SandboxHarness]:
        # Pessimistic, but without losing batch items: the contract runs each operation once
        # or twice and checks the store right after (items not saved go out in the next run).
        pessimism = PessimismConfig(batch_error_rate=0.0, order_lag_s=0.0)
        sandbox = Sandbox(
            SandboxConfig(
                store_names=(STORE,),
                seed_products=6,
                behaviour=request.param,
                pessimism=pessimism,
            )
        )
        async with sandbox.serve():
            yield SandboxHarness(sandbox)
        sandbox.requests(STORE).assert_valid()
        RouteIndex.load().assert_valid(sandbox.requests(STORE))
