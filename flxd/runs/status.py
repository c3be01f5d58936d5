"""What the hub says about every connection, read once for `flxd status` and the admin server's
status page and API alike: last runs, health (with approvals still awaited), cursors, recent
errors and, with several nodes, who holds which lease."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flxd.cluster.leasebook import LeaseTable, lease_table
from flxd.hub.cursors import CursorRow, Cursors
from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.runs.approvals import AwaitingApproval, awaiting_approval
from flxd.runs.journal import Journal, RunRecord
from flxd.store import Database

__all__ = ["HubStatus", "read_status"]


@dataclass(frozen=True, slots=True)
class HubStatus:
    last_runs: Mapping[tuple[str, str], RunRecord]
    """The latest run of each (connection, operation)."""
    health: Mapping[str, tuple[ConnectionHealth, str | None, str | None]]
    """As stored: connection -> (health, reason, credentials fingerprint)."""
    waiting: Mapping[str, AwaitingApproval]
    cursors: list[CursorRow]
    recent_errors: list[RunRecord]
    leases: LeaseTable | None
    """Several nodes on PostgreSQL: the lease table; None on SQLite (one node)."""

    def health_of(
        self, connection: str, live: ConnectionHealth | None = None
    ) -> tuple[ConnectionHealth, str | None]:
        """A connection's health and why (None when active): awaiting approval first, then
        what the running node knows (`live`), then what the hub stored."""
        if connection in self.waiting:
            return ConnectionHealth.AWAITING_APPROVAL, self.waiting[connection].reason
        stored, reason, _ = self.health.get(connection, (ConnectionHealth.ACTIVE, None, None))
        state = stored if live is None else live
        return state, (reason if state is not ConnectionHealth.ACTIVE else None)

    def cursor(self, connection: str, operation: str) -> str | None:
        """The main cursor of one (connection, operation)."""
        return next(
            (
                v
                for c, o, part, v, _ in self.cursors
                if c == connection and o == operation and not part
            ),
            None,
        )


async def read_status(
    db: Database,
    now: datetime,
    *,
    approving: Iterable[str],
    lease_period: float,
    recent_errors: int = 10,
) -> HubStatus:
    """Everything in one transaction. `approving`: the connections that get their token from
    a merchant's approval (runs.approvals.uses_approval)."""
    async with db.transaction() as tx:
        journal = Journal(tx, now)
        return HubStatus(
            last_runs=await journal.last_runs(),
            health=await HealthBook(tx, now).health(),
            waiting=await awaiting_approval(tx, approving, now),
            cursors=await Cursors(tx, now).every(),
            recent_errors=await journal.failed_runs(limit=recent_errors),
            leases=(await lease_table(tx, lease_period) if db.dialect == "postgresql" else None),
        )
