"""What every part of the contract suite shares: the connection's config, running operations
the way `flxd run --once` does (in-process), and reading the hub afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from flxd.clock import Clock, SystemClock
from flxd.config import Config, parse_config
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.hub.database import open_hub
from flxd.hub.model import Link, Listing, VariantUpdate
from flxd.operation import Operation
from flxd.plugin.context import HubWriter
from flxd.plugin.manager import PluginHost, load_plugins
from flxd.plugin.registry import ChannelType
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunSummary
from flxd.store import Tx
from flxd.testing.contract.harness import ContractHarness

__all__ = ["NAME", "ContractBase"]

NAME = "contract"
"""The connection the suite configures."""


class ContractBase:
    """The suite's plumbing; the tests live in the classes ChannelContract is made of."""

    pytestmark = pytest.mark.asyncio

    @pytest.fixture
    def contract_harness(self) -> ContractHarness:
        raise NotImplementedError("provide a contract_harness fixture in your subclass")

    # ---- config and runs -------------------------------------------------------------------

    def _host(self) -> PluginHost:
        return load_plugins()

    def _channel_type(self, harness: ContractHarness) -> ChannelType:
        channel_type = self._host().channels.get(harness.channel)
        assert channel_type is not None, f"no channel {harness.channel!r} is registered"
        return channel_type

    def _supports(self, harness: ContractHarness, *operations: Operation) -> bool:
        declared = self._channel_type(harness).operation_settings
        return all(op in declared for op in operations)

    def _require(self, harness: ContractHarness, *operations: Operation) -> None:
        if not self._supports(harness, *operations):
            names = ", ".join(op.value for op in operations)
            pytest.skip(f"channel {harness.channel!r} does not implement all of: {names}")

    def _config_text(
        self,
        harness: ContractHarness,
        state_dir: Path,
        extra: str = "",
        settings: Mapping[Operation, str] | None = None,
    ) -> str:
        lines = [
            "[daemon]",
            f'state_dir = "{state_dir}"',
            "",
            f"[connections.{NAME}]",
            f'channel = "{harness.channel}"',
            harness.connection_table(),
            extra,
        ]
        for op in self._channel_type(harness).operation_settings:
            lines += [
                "",
                f"[connections.{NAME}.{op.value}]",
                "enabled = true",
                harness.operation_table(op),
                (settings or {}).get(op, ""),
            ]
        return "\n".join(lines) + "\n"

    def _config(
        self,
        harness: ContractHarness,
        tmp_path: Path,
        settings: Mapping[Operation, str] | None = None,
    ) -> Config:
        text = self._config_text(harness, tmp_path / "state", settings=settings)
        return parse_config(
            text,
            registries=self._host(),
            base_dir=tmp_path,
            environ=harness.environ,
            path=tmp_path / "flxd.toml",
        )

    async def _run(
        self,
        harness: ContractHarness,
        tmp_path: Path,
        operation: Operation,
        *,
        clock: Clock | None = None,
        settings: Mapping[Operation, str] | None = None,
    ) -> RunSummary:
        """One run of `operation`, as `flxd run --once contract <operation>` does it."""
        config = self._config(harness, tmp_path, settings)
        daemon = Daemon(config, self._host(), clock=clock)
        [summary] = await daemon.run_once(Selection(NAME, operation))
        return summary

    async def _run_ok(
        self, harness: ContractHarness, tmp_path: Path, operation: Operation
    ) -> RunSummary:
        summary = await self._run(harness, tmp_path, operation)
        assert summary.outcome is RunOutcome.OK, f"{operation}: {summary.error}"
        return summary

    async def _dry_run(self, harness: ContractHarness, tmp_path: Path) -> list[RunSummary]:
        """`flxd run --once --dry-run contract`: every operation, in dependency order."""
        config = self._config(harness, tmp_path)
        return await Daemon(config, self._host()).run_once(Selection(NAME), dry_run=True)

    # ---- the hub ---------------------------------------------------------------------------

    @asynccontextmanager
    async def _tx(self, harness: ContractHarness, tmp_path: Path) -> AsyncIterator[Tx]:
        """One transaction on the hub (committed on the way out)."""
        async with open_hub(self._config(harness, tmp_path)) as db, db.transaction() as tx:
            yield tx

    @asynccontextmanager
    async def _hub(self, harness: ContractHarness, tmp_path: Path) -> AsyncIterator[HubWriter]:
        """The hub's catalog, links, order book and outbox in one transaction."""
        async with self._tx(harness, tmp_path) as tx:
            yield HubWriter(tx, SystemClock())

    async def _listings(self, harness: ContractHarness, tmp_path: Path) -> list[Listing]:
        async with self._hub(harness, tmp_path) as hub:
            return await hub.catalog.listings(limit=100_000)

    async def _links(self, harness: ContractHarness, tmp_path: Path) -> dict[str, Link]:
        """The connection's links by the lower-case SKU of their hub variant."""
        listings = await self._listings(harness, tmp_path)
        skus = {v.id: v.sku.lower() for item in listings for v in item.variants}
        async with self._hub(harness, tmp_path) as hub:
            links = await hub.links.for_listings(NAME, [item.id for item in listings])
        return {skus[link.variant_id]: link for link in links}

    async def _set(
        self, harness: ContractHarness, tmp_path: Path, changes: Mapping[str, tuple[Decimal, int]]
    ) -> None:
        """Change hub variants' price and quantity (as a feed or `flxd listings upsert`)."""
        async with self._hub(harness, tmp_path) as hub:
            await hub.catalog.upsert(
                [VariantUpdate(sku=s, price=p, quantity=q) for s, (p, q) in changes.items()]
            )

    async def _assert_every_remote_sku_linked_once(
        self, harness: ContractHarness, tmp_path: Path
    ) -> None:
        expected = {s.lower() for s in await harness.remote_skus()}
        skus = [
            v.sku.lower() for item in await self._listings(harness, tmp_path) for v in item.variants
        ]
        assert len(skus) == len(set(skus)), "a hub variant was created twice"
        assert set(skus) >= expected, f"not imported: {sorted(expected - set(skus))}"
        assert set(await self._links(harness, tmp_path)) >= expected

    async def _record_shipment(
        self, harness: ContractHarness, tmp_path: Path, order_id: str
    ) -> None:
        async with self._hub(harness, tmp_path) as hub:
            order = await hub.orders.get(NAME, order_id)
            assert order is not None and order.id is not None, f"order {order_id} not imported"
            await hub.orders.record_shipment(order.id, carrier="ups", tracking_number="1Z999")

    async def _hub_rows(self, harness: ContractHarness, tmp_path: Path) -> dict[str, list[str]]:
        """Every row of every hub table (to compare before and after a dry run)."""
        rows: dict[str, list[str]] = {}
        async with self._tx(harness, tmp_path) as tx:
            tables = await tx.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
            for table in tables:
                found = await tx.fetch(f'SELECT * FROM "{table["name"]}"')
                rows[str(table["name"])] = sorted(repr(_values(r)) for r in found)
        return rows


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row[key] for key in row.keys())  # noqa: SIM118 (a Row iterates values)
