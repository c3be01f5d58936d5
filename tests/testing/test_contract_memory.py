"""The memory example channel passes the channel contract: a channel needs no core change."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal

import pytest_asyncio
from flxd_memory.store import MemoryStore, stores

from flxd.operation import Operation
from flxd.testing.contract import ChannelContract, ContractHarness


class MemoryHarness(ContractHarness):
    channel = "memory"

    def __init__(self) -> None:
        self.name = f"contract-{uuid.uuid4().hex[:8]}"
        self.environ = {"MEM_CONTRACT_TOKEN": "memory-token"}
        self.store = MemoryStore()
        self.store.seed(products=5, orders=0)
        stores[self.name] = self.store

    def connection_table(self) -> str:
        return f'token_env = "MEM_CONTRACT_TOKEN"\nstore = "{self.name}"'

    def operation_table(self, operation: Operation) -> str:
        return 'statuses = ["awaiting_fulfillment"]' if operation is Operation.GET_ORDERS else ""

    async def remote_skus(self) -> set[str]:
        return {v.sku for p in self.store.products.values() for v in p.variants}

    async def remote_variant(self, sku: str) -> tuple[Decimal | None, int | None] | None:
        found = self.store.variant(sku)
        if found is None:
            return None
        variant = found[1]
        return (None if variant.price is None else Decimal(variant.price), variant.quantity)

    async def place_order(self, skus: Sequence[str]) -> str:
        return str(self.store.place_order([(sku, 1) for sku in skus]))

    async def remote_shipments(self, order_id: str) -> int:
        return len(self.store.orders[int(order_id)].shipments)

    async def revoke_credentials(self) -> None:
        self.store.revoked = True

    # ---- what the store can be made to do ----------------------------------------------------

    async def store_writes(self) -> int:
        return self.store.writes

    async def serve_short_pages(self) -> None:
        self.store.page_cap = 2

    async def fail_after_pages(self, pages: int) -> None:
        self.store.fail_after_pages = pages

    async def refuse_writes(self, sku: str) -> None:
        self.store.refused_skus.add(sku.lower())

    async def drift_stock(self, sku: str, quantity: int) -> None:
        found = self.store.variant(sku)
        assert found is not None
        found[1].quantity = quantity  # the product's `modified` stays: no import sees it


class TestMemoryChannel(ChannelContract):
    @pytest_asyncio.fixture
    async def contract_harness(self) -> AsyncIterator[MemoryHarness]:
        harness = MemoryHarness()
        yield harness
        stores.pop(harness.name, None)
