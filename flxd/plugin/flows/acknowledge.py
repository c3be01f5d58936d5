"""Settling orders' acknowledgements in the hub, as every channel does it: the hub rows marked,
the run's counts, and a conflict (the order changed on the store before flxd wrote) logged and
sent to sinks as `order.acknowledge_conflict`, in one payload shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flxd.hub.events import ACKNOWLEDGE_CONFLICT
from flxd.hub.model import AckState
from flxd.plugin.context import HubWriter, RunContext

__all__ = ["AckResult", "AckedOrder", "settle_acknowledgements"]


class AckedOrder(Protocol):
    @property
    def order_id(self) -> int: ...  # the hub's id
    @property
    def channel_order_id(self) -> int | str: ...
    @property
    def status(self) -> int | str: ...  # the status it was imported in


class AckResult(Protocol):
    @property
    def state(self) -> AckState: ...
    @property
    def note(self) -> str: ...
    @property
    def status(self) -> int | str | None: ...  # its status on the store now, when known
    @property
    def conflict(self) -> bool: ...


async def settle_acknowledgements(
    hub: HubWriter,
    ctx: RunContext,
    store: str,
    settled: Sequence[tuple[AckedOrder, AckResult]],
) -> None:
    """Mark the orders' acknowledgements in the hub (inside the caller's transaction), count
    them and report conflicts. `store` names the channel in the log ("BigCommerce")."""
    await hub.orders.mark_acknowledged_many(
        [(c.order_id, outcome.note, outcome.state) for c, outcome in settled]
    )
    for candidate, outcome in settled:
        if outcome.state is AckState.DONE:
            ctx.count("acknowledged")
        elif outcome.conflict:
            ctx.count("ack_conflicts")
            ctx.log.warning(
                f"order changed on {store} before acknowledgement; not overwritten",
                order=candidate.channel_order_id,
                imported_status=candidate.status,
                status=outcome.status,
            )
            await hub.outbox.emit(
                ACKNOWLEDGE_CONFLICT,
                {
                    "connection": ctx.connection,
                    "order_id": str(candidate.channel_order_id),
                    "hub_order_id": candidate.order_id,
                    "imported_status": candidate.status,
                    "status": outcome.status,
                },
                key=str(candidate.channel_order_id),
            )
        else:
            ctx.count("ack_failed")
            ctx.log.warning(
                "acknowledgement refused", order=candidate.channel_order_id, reason=outcome.note
            )
