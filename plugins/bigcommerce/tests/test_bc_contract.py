"""The BigCommerce channel passes flxd's channel contract against the sandbox store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from flxd_bigcommerce.sandbox import CartLine, Sandbox, SandboxConfig

from flxd.operation import Operation
from flxd.testing.contract import ChannelContract


class SandboxHarness:
    channel = "bigcommerce"

    def __init__(self, sandbox: Sandbox, base_url: str) -> None:
        self.sandbox = sandbox
        self.base_url = base_url
        self.store_hash = sandbox.store_hashes[0]
        self.token = sandbox.default_token(self.store_hash)
        self.environ = {"BC_CONTRACT_TOKEN": self.token}

    def connection_table(self) -> str:
        return (
            f'store_hash = "{self.store_hash}"\nclient_id = "contract"\n'
            f'access_token_env = "BC_CONTRACT_TOKEN"\napi_base_url = "{self.base_url}"'
        )

    def operation_table(self, operation: Operation) -> str:
        return 'statuses = ["Awaiting Fulfillment"]' if operation is Operation.GET_ORDERS else ""

    def _variants(self) -> list[tuple[int, int | None, str, Decimal | None, int | None]]:
        """(product id, variant id, sku, price, quantity) of every variant, as shoppers see it:
        a variant without its own price has the product's; stock is where tracking says."""
        catalog = self.sandbox.store(self.store_hash).catalog
        found: list[tuple[int, int | None, str, Decimal | None, int | None]] = []
        for product in catalog.products.values():
            for variant in catalog.variants_of(product.id):
                if not variant.sku:
                    continue
                price = variant.price if variant.price is not None else product.price
                quantity = (
                    variant.inventory_level
                    if product.inventory_tracking == "variant"
                    else product.inventory_level
                )
                found.append((product.id, variant.id, variant.sku, price, quantity))
        return found

    async def remote_skus(self) -> set[str]:
        return {sku for _, _, sku, _, _ in self._variants()}

    async def remote_variant(self, sku: str) -> tuple[Decimal | None, int | None] | None:
        for _, _, found, price, quantity in self._variants():
            if found.lower() == sku.lower():
                return (None if price is None else Decimal(str(price))), quantity
        return None

    async def place_order(self, skus: Sequence[str]) -> str:
        wanted = {s.lower() for s in skus}
        lines = [
            CartLine(product_id=p, variant_id=v, quantity=1)
            for p, v, sku, _, _ in self._variants()
            if sku.lower() in wanted
        ]
        order = self.sandbox.place_order(self.store_hash, lines, status_id=11)
        return str(order.id)

    async def remote_shipments(self, order_id: str) -> int:
        return len(self.sandbox.store(self.store_hash).orders.shipments_of(int(order_id)))

    async def revoke_credentials(self) -> None:
        self.sandbox.revoke_token(self.token)


class TestBigCommerceChannel(ChannelContract):
    @pytest.fixture
    async def contract_harness(self, tmp_path: Path) -> AsyncIterator[SandboxHarness]:
        sandbox = Sandbox(SandboxConfig(seed_products=6, seed_orders=0, quota=None))
        async with sandbox.serve() as base_url:
            yield SandboxHarness(sandbox, base_url)
