"""The contract's reconciliation: stock changed on the store behind flxd's back (no
`date_modified` moves, so no incremental import can be counted on to see it) is found by the
reconciliation pass, and the next sync_listings puts the hub's value back."""

from __future__ import annotations

from pathlib import Path

import pytest

from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.operation import Operation
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunSummary
from flxd.testing.contract.driver import NAME, ContractBase
from flxd.testing.contract.harness import ContractHarness, use_capability

__all__ = ["ReconcileContract"]


class ReconcileContract(ContractBase):
    async def test_stock_drift_no_import_sees_is_put_back(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        harness = contract_harness
        self._require(harness, Operation.IMPORT_LISTINGS, Operation.SYNC_LISTINGS)
        if self._channel_type(harness).reconcile is None:
            pytest.skip(f"channel {harness.channel!r} has no reconciliation reader")
        await self._run_ok(harness, tmp_path, Operation.IMPORT_LISTINGS)
        stocked = []
        for sku in sorted(await harness.remote_skus()):
            found = await harness.remote_variant(sku)
            if found is not None and found[1] is not None:
                stocked.append((sku, found[1]))
        assert stocked, "the harness must provide a variant that keeps stock"
        sku, quantity = stocked[0]
        await use_capability(harness, "drift_stock", sku, quantity + 5)
        remote = await harness.remote_variant(sku)
        assert remote is not None and remote[1] == quantity + 5, "drift_stock did not take"

        summary = await self._reconcile(harness, tmp_path)
        assert summary.outcome is RunOutcome.OK, summary.error
        assert summary.counts["reconcile_checked"] >= len(stocked)
        # One variant, or all of a product's where the product keeps their stock.
        assert summary.counts["reconcile_drifted"] >= 1
        await self._run_ok(harness, tmp_path, Operation.SYNC_LISTINGS)
        remote = await harness.remote_variant(sku)
        assert remote is not None and remote[1] == quantity, "the hub's stock was not put back"
        again = await self._reconcile(harness, tmp_path)
        assert again.counts["reconcile_drifted"] == 0

    async def _reconcile(self, harness: ContractHarness, tmp_path: Path) -> RunSummary:
        """`flxd run --once contract import_listings --reconcile`."""
        daemon = Daemon(self._config(harness, tmp_path), self._host())
        [summary] = await daemon.run_once(
            Selection(NAME, Operation.IMPORT_LISTINGS, reconcile=True)
        )
        return summary
