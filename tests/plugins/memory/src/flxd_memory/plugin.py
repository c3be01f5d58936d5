"""Registers the memory channel, exactly as a third-party channel would."""

from __future__ import annotations

from collections.abc import Mapping

from flxd.config import OperationSettings
from flxd.errors import ChannelError
from flxd.net.http import Response
from flxd.net.ratelimit import QuotaReport
from flxd.operation import Operation
from flxd.plugin.hookspecs import hookimpl
from flxd.plugin.registry import ChannelType, Registrar
from flxd_memory.channel import GetOrdersSettings, ImportSettings, MemoryChannel, MemorySettings


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
            operation_settings={
                Operation.IMPORT_LISTINGS: ImportSettings,
                Operation.PUBLISH_LISTINGS: OperationSettings,
                Operation.SYNC_LISTINGS: OperationSettings,
                Operation.GET_ORDERS: GetOrdersSettings,
                Operation.SYNC_ORDERS: OperationSettings,
            },
            create=MemoryChannel,
            http_policy=_NoHttp(),
        )
    )
