"""The contract's paging: a list ends on the store's end marker, never on a short page, and a
run that fails between pages leaves the pages before committed, so the next one resumes there
without reading them again as new."""

from __future__ import annotations

from pathlib import Path

from flxd.clock import SystemClock
from flxd.hub.cursors import Cursors
from flxd.hub.events import ORDER_IMPORTED
from flxd.operation import Operation
from flxd.runs.journal import RunOutcome
from flxd.testing.contract.driver import NAME, ContractBase
from flxd.testing.contract.harness import ContractHarness, use_capability

__all__ = ["PagingContract"]

ORDERS = 5
"""Orders placed for the paging tests: three short pages of at most two."""


class PagingContract(ContractBase):
    async def test_import_reads_on_past_short_pages(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        self._require(contract_harness, Operation.IMPORT_LISTINGS)
        await use_capability(contract_harness, "serve_short_pages")
        await self._run_ok(contract_harness, tmp_path, Operation.IMPORT_LISTINGS)
        await self._assert_every_remote_sku_linked_once(contract_harness, tmp_path)

    async def test_get_orders_reads_on_past_short_pages(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        self._require(contract_harness, Operation.GET_ORDERS)
        placed = await self._place_orders(contract_harness)
        await use_capability(contract_harness, "serve_short_pages")
        await self._run_ok(contract_harness, tmp_path, Operation.GET_ORDERS)
        assert await self._imported(contract_harness, tmp_path, placed) == {o: 1 for o in placed}

    async def test_import_resumes_after_failing_between_pages(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        harness = contract_harness
        self._require(harness, Operation.IMPORT_LISTINGS)
        await use_capability(harness, "serve_short_pages")
        await use_capability(harness, "fail_after_pages", 1)
        expected = {s.lower() for s in await harness.remote_skus()}

        failed = await self._run(harness, tmp_path, Operation.IMPORT_LISTINGS)

        assert failed.outcome is RunOutcome.FAILED, "the store failed, the run did not"
        first = await self._listings(harness, tmp_path)
        committed = sum(len(item.variants) for item in first)
        assert 0 < committed < len(expected), f"{committed} variants committed before the failure"
        assert await self._cursor(harness, tmp_path, Operation.IMPORT_LISTINGS), "no cursor saved"
        resumed = await self._run_ok(harness, tmp_path, Operation.IMPORT_LISTINGS)
        created = failed.counts.get("created", 0) + resumed.counts.get("created", 0)
        total = sum(len(item.variants) for item in await self._listings(harness, tmp_path))
        assert created == total, "an item of a committed page was created again"
        await self._assert_every_remote_sku_linked_once(harness, tmp_path)
        products = {link.product_ref for link in (await self._links(harness, tmp_path)).values()}
        assert resumed.counts.get("products", 0) < len(products), "it started over"

    async def test_get_orders_resumes_after_failing_between_pages(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        harness = contract_harness
        self._require(harness, Operation.GET_ORDERS)
        placed = await self._place_orders(harness)
        await use_capability(harness, "serve_short_pages")
        await use_capability(harness, "fail_after_pages", 1)

        failed = await self._run(harness, tmp_path, Operation.GET_ORDERS)

        assert failed.outcome is RunOutcome.FAILED, "the store failed, the run did not"
        first = await self._imported(harness, tmp_path, placed)
        assert 0 < len(first) < ORDERS, f"{len(first)} orders committed before the failure"
        assert await self._cursor(harness, tmp_path, Operation.GET_ORDERS), "no cursor saved"
        resumed = await self._run_ok(harness, tmp_path, Operation.GET_ORDERS)
        imported = failed.counts.get("imported", 0) + resumed.counts.get("imported", 0)
        assert imported == ORDERS, "an order of a committed page was imported again"
        assert await self._imported(harness, tmp_path, placed) == {o: 1 for o in placed}
        async with self._hub(harness, tmp_path) as hub:
            events = await hub.outbox.pending("contract-check", limit=100_000)
        announced = [str(e.payload["order_id"]) for e in events if e.topic == ORDER_IMPORTED]
        assert sorted(announced) == sorted(placed), "order.imported sent twice or not at all"

    async def _cursor(
        self, harness: ContractHarness, tmp_path: Path, operation: Operation
    ) -> dict[str, str]:
        """The operation's committed cursor, every part of it that has a value."""
        async with self._tx(harness, tmp_path) as tx:
            parts = await Cursors(tx, SystemClock().now()).of(NAME, operation.value)
        return {part: value for part, value in parts.items() if value}

    async def _place_orders(self, harness: ContractHarness) -> list[str]:
        skus = sorted(await harness.remote_skus())
        return [
            await harness.place_order(skus[n % len(skus) : n % len(skus) + 1])
            for n in range(ORDERS)
        ]

    async def _imported(
        self, harness: ContractHarness, tmp_path: Path, placed: list[str]
    ) -> dict[str, int]:
        """How many times each of these orders is in the hub (those that are)."""
        async with self._hub(harness, tmp_path) as hub:
            orders = await hub.orders.orders(connection=NAME, limit=100_000)
        ids = [o.channel_order_id for o in orders]
        return {o: ids.count(o) for o in placed if o in ids}
