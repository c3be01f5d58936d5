"""Small builders shared by the core's tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flxd.config import ConnectionConfig, ConnectionSettings, OperationSettings
from flxd.errors import ChannelError
from flxd.net.http import HttpClient, Response
from flxd.net.ratelimit import Limiter, QuotaReport
from flxd.operation import Operation
from flxd.plugin.channel import ChannelBase
from flxd.plugin.registry import ChannelType
from flxd.runs.connections import ConnectionRuntime
from flxd.testing import FakeClock


class NoHttpPolicy:
    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        return None

    def classify(self, response: Response) -> ChannelError | None:
        return None


def runtime(
    name: str, channel: ChannelBase, clock: FakeClock, *, session: Any = None
) -> ConnectionRuntime:
    """A connection runtime around a hand-made channel, without config files or plugins."""
    operations = {op: OperationSettings(enabled=True) for op in channel.operations}
    config = ConnectionConfig(
        name=name, channel="test", settings=ConnectionSettings(), operations=operations
    )
    limiter = Limiter(clock)
    channel_type = ChannelType(
        name="test",
        description="",
        connection_settings=ConnectionSettings,
        operation_settings=dict.fromkeys(channel.operations, OperationSettings),
        create=lambda s, v: channel,
        http_policy=NoHttpPolicy(),
    )
    http = HttpClient(session=session, limiter=limiter, policy=NoHttpPolicy(), clock=clock)
    return ConnectionRuntime(
        config=config,
        channel_type=channel_type,
        channel=channel,
        http=http,
        limiter=limiter,
        fingerprint="f",
    )


ALL = frozenset(Operation)
