"""The BigCommerce channel passes flxd's channel contract against the sandbox store.

What the contract makes the store do comes from the sandbox itself where it can: short pages
are its `pessimistic` behaviour (two products with their variants, or two V2 orders, a page;
only an empty page or a 204 ends a V2 list), writes are read from its request counters. Two
things BigCommerce does but the sandbox has no switch for are added here, answering in the
sandbox's own error shapes: a batch item refused (422 naming the item; nothing of the batch is
saved, as BigCommerce does for a batch that fails validation) and a failure between pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest_asyncio
from aiohttp import web
from flxd_bigcommerce.sandbox import CartLine, PessimisticSettings, Sandbox, SandboxConfig
from flxd_bigcommerce.sandbox.errors import ApiError, BatchError
from flxd_bigcommerce.sandbox.routes.responses import error_response

from flxd.plugin import Operation
from flxd.testing.contract import ChannelContract, ContractHarness

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_LISTS = ("v3/catalog/products", "v2/orders")
_BATCHES = ("v3/catalog/products", "v3/catalog/variants", "v3/inventory/adjustments/absolute")


class SandboxHarness(ContractHarness):
    channel = "bigcommerce"

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.base_url = ""
        self.store_hash = sandbox.store_hashes[0]
        self.token = sandbox.default_token(self.store_hash)
        self.environ = {"BC_CONTRACT_TOKEN": self.token}
        self.pages_left: int | None = None
        self.refused: dict[str, set[int]] = {"product_id": set(), "variant_id": set()}
        """Product and variant ids whose batch items are refused."""
        sandbox.app.middlewares.append(self._faults)

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

    # ---- what the store can be made to do ----------------------------------------------------

    async def store_writes(self) -> int:
        counted = self.sandbox.store(self.store_hash).counters.by_endpoint
        return sum(n for endpoint, n in counted.items() if not endpoint.startswith("GET "))

    async def serve_short_pages(self) -> None:
        pages = replace(PessimisticSettings.off(), variants_page_limit=2, v2_page_limit=2)
        self.sandbox.behaviour.switch("pessimistic", pages)

    async def fail_after_pages(self, pages: int) -> None:
        self.pages_left = pages

    async def drift_stock(self, sku: str, quantity: int) -> None:
        # Straight into the store's records: no date_modified moves, no webhook fires.
        catalog = self.sandbox.store(self.store_hash).catalog
        for product_id, variant_id, found, _, _ in self._variants():
            if found.lower() != sku.lower():
                continue
            product = catalog.products[product_id]
            if product.inventory_tracking == "variant" and variant_id is not None:
                catalog.put_variant(replace(catalog.variants[variant_id], inventory_level=quantity))
            else:
                catalog.put_product(replace(product, inventory_level=quantity))

    async def refuse_writes(self, sku: str) -> None:
        for product_id, variant_id, found, _, _ in self._variants():
            if found.lower() == sku.lower():
                self.refused["product_id"].add(product_id)
                if variant_id is not None:
                    self.refused["variant_id"].add(variant_id)

    @web.middleware
    async def _faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path.removeprefix(f"/stores/{self.store_hash}/")
        if request.method == "GET" and path in _LISTS and self.pages_left is not None:
            self.pages_left -= 1
            if self.pages_left < 0:
                self.pages_left = None
                api = "v2" if path.startswith("v2") else "v3"
                return error_response(ApiError(400, "failing between pages (contract)"), api)
        if request.method == "PUT" and path in _BATCHES and self.refused["product_id"]:
            body = await request.json()
            items: list[Any] = body["items"] if isinstance(body, dict) else body
            hit = [n for n, item in enumerate(items) if self._refused_item(path, item)]
            if hit:
                failures = [ApiError(422, "refused (contract)", {f"{n}.id": "no"}) for n in hit]
                if path.startswith("v3/inventory"):
                    return error_response(ApiError(422, "refused (contract)"), "inventory")
                return error_response(BatchError(failures), "v3")
        return await handler(request)

    def _refused_item(self, path: str, item: dict[str, Any]) -> bool:
        if path == "v3/catalog/products":
            return item.get("id") in self.refused["product_id"]
        if path == "v3/catalog/variants":
            return item.get("id") in self.refused["variant_id"]
        return any(item.get(key) in ids for key, ids in self.refused.items())


class TestBigCommerceChannel(ChannelContract):
    @pytest_asyncio.fixture
    async def contract_harness(self, tmp_path: Path) -> AsyncIterator[SandboxHarness]:
        sandbox = Sandbox(SandboxConfig(seed_products=6, seed_orders=0, quota=None))
        harness = SandboxHarness(sandbox)
        async with sandbox.serve() as base_url:
            harness.base_url = base_url
            yield harness
