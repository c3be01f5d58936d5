"""What a channel plugin implements: a Channel per connection, built by its ChannelType's factory.

Core decides when each operation runs and hands it a RunContext; the channel maps between the
channel's API and the hub. A channel never sleeps, retries, opens HTTP sessions or touches SQL:
it uses `ctx.http` (rate-limited and retried by core; writes recorded instead of sent in a dry
run) and `ctx.transaction()` (hub writes and the cursor, committed together).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from flxd.plugin.context import CheckContext

__all__ = [
    "Channel",
    "ChannelBase",
    "CheckReport",
    "ExplainsOrders",
    "Maintains",
    "OrderExplanation",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """The answer to "does this connection work?", for `flxd connections check`."""

    ok: bool
    verdict: str
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderExplanation:
    """What a channel says about one of its orders, for `flxd orders explain`: whether it exists,
    and why get_orders would not import it, each reason with the values it compared. Core adds
    the hub's side (imported? connection health, the cursor, the next run)."""

    found: bool
    """False when the channel has no such order (or cannot explain: see `unsupported`)."""
    facts: Mapping[str, str] = field(default_factory=dict)
    """What the channel shows, e.g. {"status": "7 Awaiting Payment", "created": "…"}."""
    reasons: tuple[str, ...] = ()
    """Why get_orders' settings leave the order out; empty when they take it."""
    modified_at: datetime | None = None
    """The order's position in get_orders' cursor (compared with the cursor by core)."""
    cursor_part: str = ""
    """Which part of get_orders' cursor covers this order."""
    unsupported: str | None = None
    """Set when the channel cannot explain orders at all (the reason)."""


@runtime_checkable
class ExplainsOrders(Protocol):
    async def explain_order(self, ctx: CheckContext, order_id: str) -> OrderExplanation:
        """Fetch one order from the channel and say whether get_orders would import it.
        `ctx.operation_settings` holds the connection's get_orders settings when configured."""
        ...


@runtime_checkable
class Maintains(Protocol):
    async def maintain(self, ctx: CheckContext) -> Mapping[str, int]:
        """Upkeep the daemon runs at start and then periodically (e.g. re-registering webhooks
        the channel deactivated); returns counts of what it changed."""
        ...


@runtime_checkable
class Channel(Protocol):
    """One connected store. What it can do is declared by its ChannelType's `operations`;
    core runs them (`OperationType.run(channel, ctx)`) and calls these."""

    async def check(self, ctx: CheckContext) -> CheckReport:
        """Call the channel with the connection's credentials and report what it sees."""
        ...

    async def aclose(self) -> None:
        """Release what the channel holds; called once, after its last run."""
        ...


class ChannelBase:
    """Convenience base: a check that reports nothing, no order explanations, no upkeep, and an
    `aclose` that does nothing."""

    async def check(self, ctx: CheckContext) -> CheckReport:
        return CheckReport(ok=True, verdict="no check implemented for this channel")

    async def explain_order(self, ctx: CheckContext, order_id: str) -> OrderExplanation:
        return OrderExplanation(
            found=False, unsupported=f"{type(self).__name__} cannot explain orders"
        )

    async def maintain(self, ctx: CheckContext) -> Mapping[str, int]:
        return {}

    async def aclose(self) -> None:
        return None
