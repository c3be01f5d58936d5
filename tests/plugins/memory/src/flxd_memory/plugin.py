"""Registers the memory channel, exactly as a third-party channel would."""

from __future__ import annotations

from collections.abc import Mapping

from flxd.plugin import (
    ChannelError,
    ChannelType,
    ImportListingsSettings,
    Operation,
    OperationType,
    PublishListingsSettings,
    QuotaReport,
    Registrar,
    Response,
    SyncListingsSettings,
    SyncOrdersSettings,
    hookimpl,
)
from flxd_memory.channel import GetOrdersSettings, MemoryChannel, MemorySettings


class _NoHttp:
    """The memory channel makes no HTTP requests; nothing to read from responses."""

    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        return None

    def classify(self, response: Response) -> ChannelError | None:
        return None


@hookimpl
def flxd_register_channels(register: Registrar[ChannelType]) -> None:
    register(
        ChannelType(
            name="memory",
            description="in-memory example channel (tests)",
            connection_settings=MemorySettings,
            operations=(
                OperationType(
                    operation=Operation.IMPORT_LISTINGS,
                    settings=ImportListingsSettings,
                    run=MemoryChannel.import_listings,
                ),
                OperationType(
                    operation=Operation.PUBLISH_LISTINGS,
                    settings=PublishListingsSettings,
                    run=MemoryChannel.publish_listings,
                ),
                OperationType(
                    operation=Operation.SYNC_LISTINGS,
                    settings=SyncListingsSettings,
                    run=MemoryChannel.sync_listings,
                ),
                OperationType(
                    operation=Operation.GET_ORDERS,
                    settings=GetOrdersSettings,
                    run=MemoryChannel.get_orders,
                ),
                OperationType(
                    operation=Operation.SYNC_ORDERS,
                    settings=SyncOrdersSettings,
                    run=MemoryChannel.sync_orders,
                ),
            ),
            create=MemoryChannel,
            http_policy=_NoHttp(),
        )
    )
