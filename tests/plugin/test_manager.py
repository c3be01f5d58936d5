"""Plugin loading: entry points, the typed facade, and the mistakes refused at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from flxd.config import ConnectionSettings, OperationSettings, TypedSettings
from flxd.config.operations import SyncListingsSettings
from flxd.errors import PluginError
from flxd.operation import Operation
from flxd.plugin.hookspecs import hookimpl
from flxd.plugin.manager import load_plugins
from flxd.plugin.registry import ChannelType, Command, OperationType, SinkType


def test_entry_point_channel_is_loaded_with_its_distribution() -> None:
    host = load_plugins()
    assert "memory" in host.channels.names()
    info = next(p for p in host.plugins if p.name == "memory")
    assert info.distribution == "flxd-memory-channel"
    assert host.registrations("memory") == [("channel", "memory")]
    assert host.registrations("flxd.builtin.sinks") == [("sink", "jsonl")]


def test_async_hookimpl_is_rejected_naming_the_plugin() -> None:
    class AsyncPlugin:
        __name__ = "async-plugin"

        @hookimpl
        async def flxd_register_sinks(self, register: object) -> None:
            return None

    with pytest.raises(
        PluginError, match="'async-plugin': hook flxd_register_sinks is 'async def'"
    ):
        load_plugins(extra=[AsyncPlugin()])


def test_misspelt_hook_is_rejected() -> None:
    class Typo:
        __name__ = "typo-plugin"

        @hookimpl
        def flxd_register_channel(self, register: object) -> None:  # missing the final s
            return None

    with pytest.raises(PluginError, match="'typo-plugin' implements a hook flxd does not define"):
        load_plugins(extra=[Typo()])


def test_a_name_taken_twice_is_rejected() -> None:
    class Dup:
        __name__ = "dup-plugin"

        @hookimpl
        def flxd_register_sinks(self, register: object) -> None:
            register(
                SinkType(
                    name="jsonl",
                    description="",
                    settings=TypedSettings,  # type: ignore[operator]
                    create=lambda s, v: None,
                )
            )  # type: ignore[arg-type,return-value]

    with pytest.raises(PluginError, match="registered SinkType 'jsonl', already registered by"):
        load_plugins(extra=[Dup()])


def test_registering_the_wrong_thing_is_rejected() -> None:
    class Wrong:
        __name__ = "wrong-plugin"

        @hookimpl
        def flxd_register_channels(self, register: object) -> None:
            register(SimpleNamespace(name="x"))  # type: ignore[operator]

    with pytest.raises(
        PluginError, match="'wrong-plugin' registered SimpleNamespace where a ChannelType"
    ):
        load_plugins(extra=[Wrong()])


def test_channel_with_bad_settings_model_is_rejected() -> None:
    class BadModel:
        __name__ = "bad-model"

        @hookimpl
        def flxd_register_channels(self, register: object) -> None:
            register(
                ChannelType(  # type: ignore[operator]
                    name="bad",
                    description="",
                    connection_settings=OperationSettings,  # type: ignore[arg-type]
                    operations=(),
                    create=lambda s, v: None,
                    http_policy=None,  # type: ignore[arg-type,return-value]
                )
            )

    with pytest.raises(PluginError, match=r"must subclass flxd\.plugin\.ConnectionSettings"):
        load_plugins(extra=[BadModel()])


def test_operation_settings_must_extend_cores() -> None:
    """pii_retention_days and SKU matching are core's: an operation's settings must carry them."""

    class Plain:
        __name__ = "plain"

        @hookimpl
        def flxd_register_channels(self, register: object) -> None:
            async def run(channel: object, ctx: object) -> None:
                return None

            register(  # type: ignore[operator]
                ChannelType(
                    name="plain",
                    description="",
                    connection_settings=ConnectionSettings,
                    operations=(
                        OperationType(
                            operation=Operation.GET_ORDERS, settings=OperationSettings, run=run
                        ),
                    ),
                    create=lambda s, v: None,  # type: ignore[arg-type,return-value]
                    http_policy=None,  # type: ignore[arg-type]
                )
            )

    with pytest.raises(PluginError, match=r"get_orders settings must subclass .*GetOrdersSettings"):
        load_plugins(extra=[Plain()])


def test_a_reconciliation_reader_needs_import_listings() -> None:
    """The pass runs as part of import_listings (its settings, its schedule)."""

    class Reader:
        __name__ = "reader"

        @hookimpl
        def flxd_register_channels(self, register: object) -> None:
            async def run(channel: object, ctx: object) -> None:
                return None

            async def read(channel: object, ctx: object) -> AsyncIterator[list[object]]:
                yield []

            register(  # type: ignore[operator]
                ChannelType(
                    name="reader",
                    description="",
                    connection_settings=ConnectionSettings,
                    operations=(
                        OperationType(
                            operation=Operation.SYNC_LISTINGS,
                            settings=SyncListingsSettings,
                            run=run,
                        ),
                    ),
                    create=lambda s, v: None,  # type: ignore[arg-type,return-value]
                    http_policy=None,  # type: ignore[arg-type]
                    reconcile=read,  # type: ignore[arg-type]
                )
            )

    with pytest.raises(PluginError, match="has a reconcile reader but no import_listings"):
        load_plugins(extra=[Reader()])


def test_core_command_names_are_reserved() -> None:
    class Hijack:
        __name__ = "hijack"

        @hookimpl
        def flxd_register_commands(self, register: object) -> None:
            register(
                Command(
                    name="run",
                    help="",
                    configure=lambda p: None,  # type: ignore[operator]
                    run=lambda a: None,
                )
            )  # type: ignore[arg-type,return-value]

    with pytest.raises(PluginError, match="Command name 'run' is reserved by flxd"):
        load_plugins(extra=[Hijack()])


def test_flxd_plugins_lists_what_each_registered() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flxd", "plugins", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["memory"]["registered"] == ["channel:memory"]
    assert rows["memory"]["version"] == "0.1.0"


def test_a_disabled_plugin_is_listed_but_not_loaded() -> None:
    host = load_plugins(disabled=["memory", "flxd.builtin.feeds"])
    assert "memory" not in host.channels.names()
    assert "file" not in host.feeds.names()
    disabled = {info.name for info in host.plugins if info.disabled}
    assert disabled == {"memory", "flxd.builtin.feeds"}
    assert host.registrations("memory") == []


def test_the_environment_disables_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLXD_DISABLE_PLUGINS", " memory , ")
    assert "memory" not in load_plugins().channels.names()
    monkeypatch.delenv("FLXD_DISABLE_PLUGINS")
    assert "memory" in load_plugins().channels.names()
