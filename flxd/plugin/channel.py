"""What a channel plugin implements: a Channel per connection, built by its ChannelType's factory.

Core decides when each operation runs and hands it a RunContext; the channel maps between the
channel's API and the hub. A channel never sleeps, retries, opens HTTP sessions or touches SQL:
it uses `ctx.http` (rate-limited and retried by core) and `ctx.transaction()` (hub writes and the
cursor, committed together).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from flxd.errors import PermanentError
from flxd.operation import Operation

if TYPE_CHECKING:
    from flxd.plugin.context import CheckContext, RunContext

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
    """One connected store. `operations` says which of the five it implements."""

    operations: frozenset[Operation]

    async def check(self, ctx: CheckContext) -> CheckReport:
        """Call the channel with the connection's credentials and report what it sees."""
        ...

    async def import_listings(self, ctx: RunContext) -> None:
        """Read the channel's catalog into the hub, linking by master SKU."""
        ...

    async def publish_listings(self, ctx: RunContext) -> None:
        """Create channel products for active hub listings not yet linked here."""
        ...

    async def sync_listings(self, ctx: RunContext) -> None:
        """Push hub changes since the cursor (price, quantity, hide, unhide, delist)."""
        ...

    async def get_orders(self, ctx: RunContext) -> None:
        """Import new channel orders into the hub order book."""
        ...

    async def sync_orders(self, ctx: RunContext) -> None:
        """Push hub shipments to the channel, exactly once each."""
        ...

    async def aclose(self) -> None:
        """Release what the channel holds; called once, after its last run."""
        ...


class ChannelBase:
    """Convenience base: unsupported operations fail clearly; `aclose` does nothing."""

    operations: frozenset[Operation] = frozenset()

    async def check(self, ctx: CheckContext) -> CheckReport:
        return CheckReport(ok=True, verdict="no check implemented for this channel")

    async def _unsupported(self, ctx: RunContext) -> None:
        raise PermanentError(f"{type(self).__name__} does not implement {ctx.operation}")

    async def import_listings(self, ctx: RunContext) -> None:
        await self._unsupported(ctx)

    async def publish_listings(self, ctx: RunContext) -> None:
        await self._unsupported(ctx)

    async def sync_listings(self, ctx: RunContext) -> None:
        await self._unsupported(ctx)

    async def get_orders(self, ctx: RunContext) -> None:
        await self._unsupported(ctx)

    async def sync_orders(self, ctx: RunContext) -> None:
        await self._unsupported(ctx)

    async def explain_order(self, ctx: CheckContext, order_id: str) -> OrderExplanation:
        return OrderExplanation(
            found=False, unsupported=f"{type(self).__name__} cannot explain orders"
        )

    async def maintain(self, ctx: CheckContext) -> Mapping[str, int]:
        return {}

    async def aclose(self) -> None:
        return None
