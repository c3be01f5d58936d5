"""Fencing: what stops a node that lost a connection's lease from writing anything more.

Every claim of a lease bumps its epoch (flxd.cluster.leases). A run starts under the epoch its node
holds and carries a Fence with it; the fence is checked in three places:

- **in the database**, inside each of the run's transactions, just before it commits (hub
  data, cursors, the run record): the lease row is read `FOR SHARE` and must still name this
  node, this epoch, and not have expired by the database's clock. The lock makes a claimer's
  `FOR UPDATE SKIP LOCKED` pass the row by until the commit is done, so no write under an old
  epoch ever commits after a newer epoch was taken.
- **right before a request leaves for the channel** (`admit`, called by the connection's
  limiter when a request gets its turn): the node's own view of the lease, from its monotonic
  clock, says whether the lease is surely still held. No database round trip, so it can sit on
  the hot path, and it runs after any wait for quota.
- **before a write that cannot be taken back** (`confirm`, through `RunContext.confirm_lease`):
  both of the above, and the lease must have a margin of life left, so the request lands well
  before any other node could take over and look for it.

Refusals raise FencedError (the runner fails the run; nothing of it commits) and are counted
and logged by whoever handed out the fence (flxd.cluster.leases.LeaseManager).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flxd.clock import Clock
from flxd.errors import FencedError
from flxd.store import Database, Tx

__all__ = ["DB_NOW_MS", "Fence", "Tenure", "TenureState"]

DB_NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
"""The database's clock in milliseconds: every expiry is decided by it, never by a node's."""


class TenureState(StrEnum):
    HELD = "held"
    LAPSED = "lapsed"
    """Not renewed in time as this node sees it; being checked with the database."""
    LOST = "lost"


@dataclass(slots=True)
class Tenure:
    """This node's hold on one lease as the node sees it (kept by the LeaseManager)."""

    connection: str
    epoch: int
    deadline: float
    """Monotonic time until which the lease is surely this node's: the moment the last
    successful renewal was *sent*, plus the lease period."""
    state: TenureState = TenureState.HELD
    shedding: bool = False
    """Being handed over for balance: running runs finish, no new ones start."""


Refused = Callable[["Fence", str, str], None]
"""(fence, where: database | channel, why) -> None: count and log one refused write."""


@dataclass(frozen=True, slots=True)
class Fence:
    """One run's right to write for its connection: the lease epoch it started under."""

    connection: str
    node: str
    epoch: int
    tenure: Tenure
    clock: Clock
    margin_ms: int
    refused: Refused

    def lapsed(self) -> str | None:
        """Why this node can no longer trust the lease, or None while it can."""
        tenure = self.tenure
        if tenure.epoch != self.epoch:
            return f"the lease was taken again since this run started (epoch {tenure.epoch})"
        if tenure.state is not TenureState.HELD:
            return f"the lease is {tenure.state.value}"
        if self.clock.monotonic() >= tenure.deadline:
            return "the lease was not renewed in time"
        return None

    def admit(self) -> None:
        """Raise FencedError unless this node surely still holds the lease (no I/O)."""
        why = self.lapsed()
        if why is not None:
            self._refuse("channel", why)

    async def check(self, tx: Tx, *, margin_ms: int = 0) -> None:
        """In `tx`, before it commits: lock the lease row and raise FencedError unless it
        still names this node and epoch with at least `margin_ms` to run."""
        row = await tx.fetchrow(
            f"SELECT owner, epoch, expires_ms - {DB_NOW_MS} AS left_ms FROM leases "
            "WHERE connection = ? FOR SHARE",
            self.connection,
        )
        if row is None or row["owner"] != self.node:
            holder = None if row is None else row["owner"]
            self._refuse("database", f"the lease is held by {holder or 'nobody'}")
        elif int(row["epoch"]) != self.epoch:
            self._refuse("database", f"the lease moved on to epoch {row['epoch']}")
        elif int(row["left_ms"]) <= margin_ms:
            left = max(0, int(row["left_ms"]))
            self._refuse("database", f"the lease has {left} ms left (needs over {margin_ms})")

    async def confirm(self, db: Database) -> None:
        """Look before a write that cannot be taken back: the local view, then the database,
        with `margin_ms` of the lease left."""
        self.admit()
        async with db.transaction() as tx:
            await self.check(tx, margin_ms=self.margin_ms)

    def _refuse(self, where: str, why: str) -> None:
        self.refused(self, where, why)
        raise FencedError(f"{self.connection}: {why}")
