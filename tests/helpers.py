"""Small builders shared by the core's tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flxd.config import ConnectionConfig, ConnectionSettings
from flxd.config.operations import CORE_SETTINGS
from flxd.errors import ChannelError
from flxd.net.http import HttpClient, Response
from flxd.net.ratelimit import Limiter, QuotaReport
from flxd.operation import Operation
from flxd.plugin.channel import ChannelBase
from flxd.plugin.context import RunContext
from flxd.plugin.registry import ChannelType, OperationType
from flxd.runs.connections import ConnectionRuntime
from flxd.testing import FakeClock


class NoHttpPolicy:
    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        return None

    def classify(self, response: Response) -> ChannelError | None:
        return None


def operation_types(channel: Any) -> tuple[OperationType, ...]:
    """A hand-made channel's `operations` (a set of Operation) as OperationTypes calling its
    methods of the same names."""

    def call(op: Operation) -> Any:
        async def run(target: Any, ctx: RunContext) -> None:
            await getattr(target, op.value)(ctx)

        return run

    return tuple(
        OperationType(operation=op, settings=CORE_SETTINGS[op], run=call(op))
        for op in sorted(channel.operations)
    )


def runtime(
    name: str, channel: ChannelBase, clock: FakeClock, *, session: Any = None
) -> ConnectionRuntime:
    """A connection runtime around a hand-made channel, without config files or plugins."""
    types = operation_types(channel)
    operations = {op.operation: op.settings(enabled=True) for op in types}
    config = ConnectionConfig(
        name=name, channel="test", settings=ConnectionSettings(), operations=operations
    )
    limiter = Limiter(clock)
    channel_type = ChannelType(
        name="test",
        description="",
        connection_settings=ConnectionSettings,
        operations=types,
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
