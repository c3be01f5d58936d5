"""This node's view of the leases it holds: what may run here, and what may leave for a store.

The LeaseManager's heartbeat fills it; the runner asks it before starting a run (`holds`, `fence`)
and each connection's limiter asks it just before a request is sent (`admit`). Nothing here does
I/O: the view is the node's own, by its monotonic clock (see flxd.cluster.fencing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import structlog

from flxd.clock import Clock
from flxd.cluster.fencing import Fence, Tenure, TenureState
from flxd.errors import FencedError

__all__ = ["HeldLeases", "LeaseStats"]

log = structlog.get_logger("flxd.cluster.leases")


@dataclass(slots=True)
class LeaseStats:
    """This node's account, read by the metrics at scrape time."""

    claimed: int = 0
    lost: int = 0
    released: int = 0
    refused: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(connection, where: database | channel) -> writes refused because the lease was lost."""
    live_nodes: int = 0


class HeldLeases:
    def __init__(self, clock: Clock, *, node: str, period_ms: int, stats: LeaseStats) -> None:
        self.clock = clock
        self.node = node
        self._margin_ms = period_ms // 4
        self._stats = stats
        self._held: dict[str, Tenure] = {}

    # ---- the table, for the heartbeat -----------------------------------------------------

    def get(self, name: str) -> Tenure | None:
        return self._held.get(name)

    def put(self, tenure: Tenure) -> None:
        self._held[tenure.connection] = tenure

    def pop(self, name: str) -> Tenure | None:
        return self._held.pop(name, None)

    def __iter__(self) -> Iterator[Tenure]:
        return iter(list(self._held.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._held

    # ---- what the runner and the channels ask ---------------------------------------------

    def holds(self, name: str) -> bool:
        """Whether runs (or a duty) may start here now."""
        tenure = self._held.get(name)
        return (
            tenure is not None
            and tenure.state is TenureState.HELD
            and not tenure.shedding
            and self.clock.monotonic() < tenure.deadline
        )

    def held(self) -> list[str]:
        """The connections held (not the duties, whose names start with '~')."""
        return sorted(name for name in self._held if not name.startswith("~"))

    def fence(self, connection: str) -> Fence | None:
        """The fence a run starting now carries, or None when this node must not run it."""
        tenure = self._held.get(connection)
        if tenure is None or not self.holds(connection):
            return None
        return Fence(
            connection=connection,
            node=self.node,
            epoch=tenure.epoch,
            tenure=tenure,
            clock=self.clock,
            margin_ms=self._margin_ms,
            refused=self._refused,
        )

    def admit(self, connection: str) -> None:
        """The connection's limiter asks this when a request gets its turn, just before it is
        sent: FencedError unless this node surely holds the lease right now."""
        tenure = self._held.get(connection)
        if tenure is None:
            why = "this node does not hold the lease"
        elif tenure.state is not TenureState.HELD:
            why = f"the lease is {tenure.state.value}"
        elif self.clock.monotonic() >= tenure.deadline:
            why = "the lease was not renewed in time"
        else:
            return
        self._count_refusal(connection, None if tenure is None else tenure.epoch, "channel", why)
        raise FencedError(f"{connection}: {why}")

    def _refused(self, fence: Fence, where: str, why: str) -> None:
        self._count_refusal(fence.connection, fence.epoch, where, why)

    def _count_refusal(self, connection: str, epoch: int | None, where: str, why: str) -> None:
        self._stats.refused[(connection, where)] += 1
        log.warning(
            "write refused: this node no longer holds the lease",
            connection=connection,
            epoch=epoch,
            where=where,
            reason=why,
        )
