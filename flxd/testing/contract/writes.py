"""The contract's writes: a dry run sends none and changes nothing, and an item the store refuses
out of a batch is reported, not retried forever, while the rest of the batch is pushed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flxd.hub.model import VariantUpdate
from flxd.operation import Operation
from flxd.runs.journal import RunOutcome
from flxd.testing.contract.driver import ContractBase
from flxd.testing.contract.harness import ContractHarness, use_capability

__all__ = ["WritesContract"]

WRITES = (Operation.PUBLISH_LISTINGS, Operation.SYNC_LISTINGS, Operation.SYNC_ORDERS)
"""The operations that exist to write to the store."""


class WritesContract(ContractBase):
    async def test_a_dry_run_plans_its_writes_and_sends_none(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        harness = contract_harness
        self._require(harness, Operation.IMPORT_LISTINGS)
        await self._run_ok(harness, tmp_path, Operation.IMPORT_LISTINGS)
        await self._give_every_write_something_to_do(harness, tmp_path)
        writes = await use_capability(harness, "store_writes")
        hub = await self._hub_rows(harness, tmp_path)

        summaries = await self._dry_run(harness, tmp_path)

        assert [s.outcome for s in summaries] == [RunOutcome.OK] * len(summaries), [
            (s.key.operation.value, s.error) for s in summaries if s.outcome is not RunOutcome.OK
        ]
        assert await use_capability(harness, "store_writes") == writes, "a write reached the store"
        assert await self._hub_rows(harness, tmp_path) == hub, "the hub or a cursor changed"
        planned = {s.key.operation for s in summaries if s.plan}
        expected = {op for op in WRITES if self._supports(harness, op)}
        assert planned >= expected, f"nothing planned by {sorted(expected - planned)}"
        for summary in summaries:
            for entry in summary.plan:
                assert entry.get("action"), f"{summary.key}: a planned write says no action"

    async def _give_every_write_something_to_do(
        self, harness: ContractHarness, tmp_path: Path
    ) -> None:
        """A price change to sync, a new listing to publish, a shipment to push, and an order
        for get_orders to import."""
        skus = sorted(await harness.remote_skus())
        async with self._hub(harness, tmp_path) as hub:
            await hub.catalog.upsert(
                [
                    VariantUpdate(sku=skus[0], price=Decimal("77.70"), quantity=3),
                    VariantUpdate(
                        sku="CONTRACT-NEW-1",
                        parent="CONTRACT-NEW",
                        listing_name="A listing only the hub has",
                        price=Decimal("5.00"),
                        quantity=2,
                    ),
                ]
            )
        if self._supports(harness, Operation.GET_ORDERS):
            if self._supports(harness, Operation.SYNC_ORDERS):
                order_id = await harness.place_order(skus[:1])
                await self._run_ok(harness, tmp_path, Operation.GET_ORDERS)
                await self._record_shipment(harness, tmp_path, order_id)
            await harness.place_order(skus[:1])

    async def test_a_refused_item_leaves_the_rest_of_its_batch_pushed(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        harness = contract_harness
        self._require(harness, Operation.IMPORT_LISTINGS, Operation.SYNC_LISTINGS)
        await self._run_ok(harness, tmp_path, Operation.IMPORT_LISTINGS)
        # One variant of each of three listings, so no two share a channel product.
        listings = sorted(await self._listings(harness, tmp_path), key=lambda item: item.key)
        assert len(listings) >= 3, "the harness must provide at least three remote products"
        skus = [item.variants[0].sku for item in listings[:3]]
        refused = skus[1]
        await use_capability(harness, "refuse_writes", refused)
        before = await harness.remote_variant(refused)
        wanted = {sku: (Decimal(f"{41 + n}.25"), 11 + n) for n, sku in enumerate(skus)}
        await self._set(harness, tmp_path, wanted)

        summary = await self._run(harness, tmp_path, Operation.SYNC_LISTINGS)

        assert summary.outcome is RunOutcome.PARTIAL, summary.error
        assert summary.error is not None and refused.lower() in summary.error.lower()
        links = await self._links(harness, tmp_path)
        link = links[refused.lower()]
        assert link.error, "the refused item's link does not say why"
        assert (link.pushed_price, link.pushed_quantity) != wanted[refused]
        assert await harness.remote_variant(refused) == before
        for sku in skus:
            if sku == refused:
                continue
            price, quantity = wanted[sku]
            link = links[sku.lower()]
            assert (link.pushed_price, link.pushed_quantity, link.error) == (price, quantity, None)
            remote = await harness.remote_variant(sku)
            assert remote is not None and remote[0] == price, f"{sku}: not pushed"
            if link.stock_ref is None:  # else the store keeps the product's total
                assert remote[1] == quantity, f"{sku}: quantity not pushed"

        again = await self._run(harness, tmp_path, Operation.SYNC_LISTINGS)
        assert again.outcome is RunOutcome.OK, f"the refused item was sent again: {again.error}"
