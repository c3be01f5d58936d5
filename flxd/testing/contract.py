"""The channel contract: one test class every channel plugin runs against its own store.

    from flxd.testing.contract import ChannelContract

    class TestMyChannel(ChannelContract):
        @pytest.fixture
        async def contract_harness(self):
            async with start_my_fake_store() as store:
                yield MyHarness(store)

The harness (see `ContractHarness`) tells the suite how to configure a connection and how to
look at the remote side; the suite drives the real daemon (`run --once` in-process) and checks
what a merchant would notice: every listing linked, prices pushed, orders imported once,
shipments pushed once, a revoked token pausing the connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import pytest

from flxd.clock import SystemClock
from flxd.config import Config, parse_config
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.errors import ConfigError
from flxd.hub.catalog import Catalog
from flxd.hub.database import open_hub
from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.hub.links import Links
from flxd.hub.model import ListingStatus, VariantUpdate
from flxd.hub.orders import OrderBook
from flxd.net.http import open_session
from flxd.operation import Operation
from flxd.plugin.channel import Channel
from flxd.plugin.manager import BUILTIN_PLUGINS, PluginHost, load_plugins
from flxd.runs.connections import build_runtime
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunSummary

__all__ = ["ChannelContract", "ContractHarness"]

NAME = "contract"


class ContractHarness(Protocol):
    channel: str
    """The registered channel name."""

    environ: Mapping[str, str]
    """Environment for the connection's `*_env` secrets."""

    def connection_table(self) -> str:
        """TOML lines for `[connections.contract]` (without the header and `channel`)."""
        ...

    def operation_table(self, operation: Operation) -> str:
        """Extra TOML lines for `[connections.contract.<operation>]` (may be empty)."""
        ...

    async def remote_skus(self) -> set[str]:
        """Every variant SKU the remote store has."""
        ...

    async def remote_variant(self, sku: str) -> tuple[Decimal | None, int | None] | None:
        """(price, quantity) of a variant on the remote store, None if it is not there."""
        ...

    async def place_order(self, skus: Sequence[str]) -> str:
        """Place an order as a shopper would, in a status the connection imports; its id."""
        ...

    async def remote_shipments(self, order_id: str) -> int:
        """How many shipments the remote order has."""
        ...

    async def revoke_credentials(self) -> None:
        """Make the connection's credentials stop working."""
        ...


class ChannelContract:
    """Subclass and provide an async `contract_harness` fixture; the tests come with it."""

    pytestmark = pytest.mark.anyio

    @pytest.fixture
    def contract_harness(self) -> ContractHarness:
        raise NotImplementedError("provide a contract_harness fixture in your subclass")

    # ---- helpers -------------------------------------------------------------------------

    def _config_text(self, harness: ContractHarness, state_dir: Path, extra: str = "") -> str:
        lines = [
            "[daemon]",
            f'state_dir = "{state_dir}"',
            "",
            f"[connections.{NAME}]",
            f'channel = "{harness.channel}"',
            harness.connection_table(),
            extra,
        ]
        channel_type = self._host().channels.get(harness.channel)
        assert channel_type is not None
        for op in channel_type.operation_settings:
            lines += [
                "",
                f"[connections.{NAME}.{op.value}]",
                "enabled = true",
                harness.operation_table(op),
            ]
        return "\n".join(lines) + "\n"

    def _host(self) -> PluginHost:
        return load_plugins()

    def _config(self, harness: ContractHarness, tmp_path: Path, extra: str = "") -> Config:
        text = self._config_text(harness, tmp_path / "state", extra)
        return parse_config(
            text,
            registries=self._host(),
            base_dir=tmp_path,
            environ=harness.environ,
            path=tmp_path / "flxd.toml",
        )

    async def _run(
        self, harness: ContractHarness, tmp_path: Path, operation: Operation
    ) -> RunSummary:
        config = self._config(harness, tmp_path)
        [summary] = await Daemon(config, self._host()).run_once(Selection(NAME, operation))
        return summary

    def _supports(self, harness: ContractHarness, operation: Operation) -> bool:
        channel_type = self._host().channels.get(harness.channel)
        assert channel_type is not None
        return operation in channel_type.operation_settings

    # ---- the contract --------------------------------------------------------------------

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
        channel_type = self._host().channels.get(contract_harness.channel)
        assert channel_type is not None
        async with open_session() as session:
            runtime = build_runtime(
                config.connections[NAME],
                channel_type,
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
        if not self._supports(contract_harness, Operation.IMPORT_LISTINGS):
            pytest.skip("channel does not import listings")
        expected = {s.lower() for s in await contract_harness.remote_skus()}
        for _ in range(2):  # the second run must not duplicate anything
            summary = await self._run(contract_harness, tmp_path, Operation.IMPORT_LISTINGS)
            assert summary.outcome is RunOutcome.OK, summary.error
        config = self._config(contract_harness, tmp_path)
        async with open_hub(config) as db, db.transaction() as tx:
            catalog = Catalog(tx, SystemClock().now())
            listings = await catalog.listings(limit=100_000)
            skus = [v.sku.lower() for item in listings for v in item.variants]
            links = await Links(tx, SystemClock().now()).for_listings(
                NAME, [item.id for item in listings]
            )
        assert set(skus) >= expected
        assert len(skus) == len(set(skus))
        assert {link.variant_id for link in links} >= {
            v.id for item in listings for v in item.variants if v.sku.lower() in expected
        }

    async def test_sync_pushes_price_and_quantity_but_not_for_paused(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        if not (
            self._supports(contract_harness, Operation.IMPORT_LISTINGS)
            and self._supports(contract_harness, Operation.SYNC_LISTINGS)
        ):
            pytest.skip("channel does not import and sync listings")
        await self._run(contract_harness, tmp_path, Operation.IMPORT_LISTINGS)
        skus = sorted(await contract_harness.remote_skus())
        assert len(skus) >= 2, "the harness must provide at least two remote variants"
        changed, paused = skus[0], skus[-1]
        before_paused = await contract_harness.remote_variant(paused)
        config = self._config(contract_harness, tmp_path)
        async with open_hub(config) as db, db.transaction() as tx:
            catalog = Catalog(tx, SystemClock().now())
            await catalog.set_status([paused], ListingStatus.PAUSED)
            await catalog.upsert(
                [
                    VariantUpdate(sku=changed, price=Decimal("123.45"), quantity=7),
                    VariantUpdate(sku=paused, price=Decimal("999.99"), quantity=99),
                ]
            )
        summary = await self._run(contract_harness, tmp_path, Operation.SYNC_LISTINGS)
        assert summary.outcome is RunOutcome.OK, summary.error
        assert await contract_harness.remote_variant(changed) == (Decimal("123.45"), 7)
        assert await contract_harness.remote_variant(paused) == before_paused

    async def test_orders_are_imported_once(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        if not self._supports(contract_harness, Operation.GET_ORDERS):
            pytest.skip("channel does not get orders")
        skus = sorted(await contract_harness.remote_skus())
        order_id = await contract_harness.place_order(skus[:1])
        for _ in range(2):
            summary = await self._run(contract_harness, tmp_path, Operation.GET_ORDERS)
            assert summary.outcome is RunOutcome.OK, summary.error
        config = self._config(contract_harness, tmp_path)
        async with open_hub(config) as db, db.transaction() as tx:
            orders = await OrderBook(tx, SystemClock().now()).orders(connection=NAME, limit=100_000)
        assert [o.channel_order_id for o in orders].count(order_id) == 1

    async def test_shipments_are_pushed_once(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        if not (
            self._supports(contract_harness, Operation.GET_ORDERS)
            and self._supports(contract_harness, Operation.SYNC_ORDERS)
        ):
            pytest.skip("channel does not get orders and sync shipments")
        skus = sorted(await contract_harness.remote_skus())
        order_id = await contract_harness.place_order(skus[:1])
        await self._run(contract_harness, tmp_path, Operation.GET_ORDERS)
        config = self._config(contract_harness, tmp_path)
        async with open_hub(config) as db, db.transaction() as tx:
            book = OrderBook(tx, SystemClock().now())
            order = await book.get(NAME, order_id)
            assert order is not None and order.id is not None
            await book.record_shipment(order.id, carrier="ups", tracking_number="1Z999")
        for _ in range(2):
            summary = await self._run(contract_harness, tmp_path, Operation.SYNC_ORDERS)
            assert summary.outcome is RunOutcome.OK, summary.error
        assert await contract_harness.remote_shipments(order_id) == 1

    async def test_revoked_credentials_pause_the_connection(
        self, contract_harness: ContractHarness, tmp_path: Path
    ) -> None:
        channel_type = self._host().channels.get(contract_harness.channel)
        assert channel_type is not None
        operation = next(iter(channel_type.operation_settings))
        await contract_harness.revoke_credentials()
        summary = await self._run(contract_harness, tmp_path, operation)
        assert summary.outcome is RunOutcome.NEEDS_REAUTH
        config = self._config(contract_harness, tmp_path)
        async with open_hub(config) as db, db.transaction() as tx:
            health = await HealthBook(tx, SystemClock().now()).health()
        assert health[NAME][0] is ConnectionHealth.NEEDS_REAUTH
        later = await self._run(contract_harness, tmp_path, operation)
        assert later.outcome is RunOutcome.SKIPPED
