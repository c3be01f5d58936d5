"""The contract's basics: registration, config checking, and each operation doing its job once
(listings linked, prices pushed, orders imported, shipments pushed, a revoked token pausing the
connection)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from flxd.clock import SystemClock
from flxd.config import parse_config
from flxd.errors import ConfigError
from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.hub.model import ListingStatus
from flxd.net.http import open_session
from flxd.operation import Operation
from flxd.plugin.channel import Channel
from flxd.plugin.manager import BUILTIN_PLUGINS
from flxd.runs.connections import build_runtime
from flxd.runs.journal import RunOutcome
from flxd.testing.contract.driver import NAME, ContractBase
from flxd.testing.contract.harness import ContractHarness

__all__ = ["BasicContract"]


class BasicContract(ContractBase):
    async def test_registered_through_an_entry_point(
        self, contract_harness: ContractHarness
    ) -> None:
        host = self._host()
        assert contract_harness.channel in host.channels.names()
        owner = next(r.plugin for r in host.channels if r.item.name == contract_harness.channel)
        assert owner not in BUILTIN_PLUGINS

    async def test_unknown_keys_are_rejected(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        text = self._config_text(contract_harness, tmp_path / "state").replace(
            "enabled = true", "enabled = true\nintervall = 5", 1
        )
        text = text.replace(
            f'channel = "{contract_harness.channel}"',
            f'channel = "{contract_harness.channel}"\nstore_hashh = "x"',
            1,
        )
        with pytest.raises(ConfigError) as caught:
            parse_config(
                text, registries=self._host(), base_dir=tmp_path, environ=contract_harness.environ
            )
        paths = {p.path for p in caught.value.problems}
        assert f"connections.{NAME}.store_hashh" in paths
        assert any(p.endswith(".intervall") for p in paths)

    async def test_channel_implements_what_it_declares(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        config = self._config(contract_harness, tmp_path)
        async with open_session() as session:
            runtime = build_runtime(
                config.connections[NAME],
                self._channel_type(contract_harness),
                session=session,
                clock=SystemClock(),
                state_dir=tmp_path,
            )
            try:
                assert isinstance(runtime.channel, Channel)
            finally:
                await runtime.channel.aclose()

    async def test_import_links_every_remote_sku_once(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        self._require(contract_harness, Operation.IMPORT_LISTINGS)
        for _ in range(2):  # the second run must not duplicate anything
            await self._run_ok(contract_harness, tmp_path, Operation.IMPORT_LISTINGS)
        await self._assert_every_remote_sku_linked_once(contract_harness, tmp_path)

    async def test_sync_pushes_price_and_quantity_but_not_for_paused(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        self._require(contract_harness, Operation.IMPORT_LISTINGS, Operation.SYNC_LISTINGS)
        await self._run_ok(contract_harness, tmp_path, Operation.IMPORT_LISTINGS)
        skus = sorted(await contract_harness.remote_skus())
        assert len(skus) >= 2, "the harness must provide at least two remote variants"
        changed, paused = skus[0], skus[-1]
        before_paused = await contract_harness.remote_variant(paused)
        async with self._hub(contract_harness, tmp_path) as hub:
            await hub.catalog.set_status([paused], ListingStatus.PAUSED)
        await self._set(
            contract_harness,
            tmp_path,
            {changed: (Decimal("123.45"), 7), paused: (Decimal("999.99"), 99)},
        )
        await self._run_ok(contract_harness, tmp_path, Operation.SYNC_LISTINGS)
        assert await contract_harness.remote_variant(changed) == (Decimal("123.45"), 7)
        assert await contract_harness.remote_variant(paused) == before_paused

    async def test_orders_are_imported_once(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        self._require(contract_harness, Operation.GET_ORDERS)
        skus = sorted(await contract_harness.remote_skus())
        order_id = await contract_harness.place_order(skus[:1])
        for _ in range(2):
            await self._run_ok(contract_harness, tmp_path, Operation.GET_ORDERS)
        async with self._hub(contract_harness, tmp_path) as hub:
            orders = await hub.orders.orders(connection=NAME, limit=100_000)
        assert [o.channel_order_id for o in orders].count(order_id) == 1

    async def test_shipments_are_pushed_once(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        self._require(contract_harness, Operation.GET_ORDERS, Operation.SYNC_ORDERS)
        skus = sorted(await contract_harness.remote_skus())
        order_id = await contract_harness.place_order(skus[:1])
        await self._run_ok(contract_harness, tmp_path, Operation.GET_ORDERS)
        await self._record_shipment(contract_harness, tmp_path, order_id)
        for _ in range(2):
            await self._run_ok(contract_harness, tmp_path, Operation.SYNC_ORDERS)
        assert await contract_harness.remote_shipments(order_id) == 1

    async def test_revoked_credentials_pause_the_connection(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        operation = next(iter(self._channel_type(contract_harness).operation_settings))
        await contract_harness.revoke_credentials()
        summary = await self._run(contract_harness, tmp_path, operation)
        assert summary.outcome is RunOutcome.NEEDS_REAUTH
        async with self._tx(contract_harness, tmp_path) as tx:
            health = await HealthBook(tx, SystemClock().now()).health()
        assert health[NAME][0] is ConnectionHealth.NEEDS_REAUTH
        later = await self._run(contract_harness, tmp_path, operation)
        assert later.outcome is RunOutcome.SKIPPED
