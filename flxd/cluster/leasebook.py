"""The lease and node tables as one transaction sees them (PostgreSQL only): every statement
leases are made of, and the view `flxd status` and the status page read.

Times are milliseconds on the database's clock (`DB_NOW_MS`); a lease is someone's while
`expires_ms` is ahead of it. Claiming takes rows `FOR UPDATE SKIP LOCKED`: a row locked by
another node's claim, or by a run committing under it (the fence holds it `FOR SHARE`), is
passed by, never waited on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flxd.cluster.fencing import DB_NOW_MS, Tenure
from flxd.store import Tx, db_time

__all__ = ["LeaseBook", "LeaseRow", "LeaseTable", "NodeRow", "lease_table"]


@dataclass(frozen=True, slots=True)
class LeaseRow:
    name: str
    owner: str | None
    epoch: int
    left_s: float
    """Seconds until it expires by the database's clock (negative: expired)."""


@dataclass(frozen=True, slots=True)
class NodeRow:
    node: str
    seen_s_ago: float
    live: bool


@dataclass(frozen=True, slots=True)
class LeaseTable:
    leases: tuple[LeaseRow, ...]
    nodes: tuple[NodeRow, ...]

    def owner(self, name: str) -> str | None:
        """The node holding `name` now (None when free or expired)."""
        for row in self.leases:
            if row.name == name:
                return row.owner if row.left_s > 0 else None
        return None


async def lease_table(tx: Tx, period: float) -> LeaseTable:
    """Who holds what, and which nodes are alive (seen within `period` seconds)."""
    now = int(await tx.fetchval(f"SELECT {DB_NOW_MS}"))
    leases = [
        LeaseRow(r["connection"], r["owner"], int(r["epoch"]), (int(r["expires_ms"]) - now) / 1000)
        for r in await tx.fetch(
            "SELECT connection, owner, epoch, expires_ms FROM leases ORDER BY connection"
        )
    ]
    nodes = []
    for r in await tx.fetch("SELECT node, seen_ms FROM nodes ORDER BY node"):
        ago = now - int(r["seen_ms"])
        nodes.append(NodeRow(r["node"], ago / 1000, ago < period * 1000))
    return LeaseTable(tuple(leases), tuple(nodes))


class LeaseBook:
    """One node's statements on the lease and node tables, in one transaction."""

    def __init__(self, tx: Tx, *, node: str, period_ms: int) -> None:
        self._tx = tx
        self._node = node
        self._period_ms = period_ms

    async def now(self) -> int:
        """The database's clock, in milliseconds."""
        return int(await self._tx.fetchval(f"SELECT {DB_NOW_MS}"))

    async def ensure(self, names: Sequence[str]) -> None:
        """A row (free) for each of `names` that has none yet."""
        if names:
            await self._tx.execute(
                "INSERT INTO leases (connection) SELECT unnest(?::text[]) "
                "ON CONFLICT (connection) DO NOTHING",
                list(names),
            )

    async def register(self, now: int, instance: str) -> str | None:
        """Say this node is alive at `now`; returns the instance that last said so under this
        node id (another process's, if two run with the same id)."""
        previous = await self._tx.fetchval("SELECT instance FROM nodes WHERE node = ?", self._node)
        await self._tx.execute(
            "INSERT INTO nodes (node, seen_ms, started_ms, instance) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (node) DO UPDATE SET seen_ms = excluded.seen_ms, "
            "instance = excluded.instance",
            self._node,
            now,
            now,
            instance,
        )
        return None if previous is None else str(previous)

    async def live_nodes(self, now: int) -> int:
        """Nodes seen within one lease period (this one included once it registered)."""
        return int(
            await self._tx.fetchval(
                "SELECT count(*) FROM nodes WHERE seen_ms > ?", now - self._period_ms
            )
        )

    async def leave(self) -> None:
        await self._tx.execute("DELETE FROM nodes WHERE node = ?", self._node)

    async def renew(self, now: int, tenures: Sequence[Tenure]) -> set[str]:
        """Extend the leases still this node's under the epoch each was claimed with; returns
        the names renewed. An expired lease nobody claimed since is renewed (nobody wrote in
        between); one claimed by another node is not."""
        if not tenures:
            return set()
        rows = await self._tx.fetch(
            "UPDATE leases AS l SET expires_ms = ? "
            "FROM unnest(?::text[], ?::bigint[]) AS h(connection, epoch) "
            "WHERE l.connection = h.connection AND l.epoch = h.epoch AND l.owner = ? "
            "RETURNING l.connection",
            now + self._period_ms,
            [t.connection for t in tenures],
            [t.epoch for t in tenures],
            self._node,
        )
        return {r["connection"] for r in rows}

    async def claim(
        self, now: int, names: Sequence[str], limit: int
    ) -> dict[str, tuple[int, str | None]]:
        """Claim up to `limit` of `names` that are free, expired, or this node's in the table
        but not held (left by an earlier process with the same node id), each with its epoch
        bumped; returns name -> (new epoch, previous owner)."""
        if limit <= 0 or not names:
            return {}
        rows = await self._tx.fetch(
            "SELECT connection, owner FROM leases WHERE connection = ANY(?) "
            "AND (owner IS NULL OR expires_ms <= ? OR owner = ?) "
            "ORDER BY connection LIMIT ? FOR UPDATE SKIP LOCKED",
            list(names),
            now,
            self._node,
            limit,
        )
        if not rows:
            return {}
        previous = {r["connection"]: r["owner"] for r in rows}
        updated = await self._tx.fetch(
            "UPDATE leases SET owner = ?, epoch = epoch + 1, expires_ms = ?, claimed_ms = ? "
            "WHERE connection = ANY(?) RETURNING connection, epoch",
            self._node,
            now + self._period_ms,
            now,
            list(previous),
        )
        return {r["connection"]: (int(r["epoch"]), previous[r["connection"]]) for r in updated}

    async def holders(self, names: Sequence[str]) -> dict[str, str | None]:
        rows = await self._tx.fetch(
            "SELECT connection, owner FROM leases WHERE connection = ANY(?)", list(names)
        )
        return {r["connection"]: r["owner"] for r in rows}

    async def next_expiry(self, now: int, names: Sequence[str]) -> int | None:
        """When the first of `names` held by another node runs out (None: none will)."""
        value = await self._tx.fetchval(
            "SELECT min(expires_ms) FROM leases WHERE connection = ANY(?) "
            "AND owner IS NOT NULL AND owner <> ? AND expires_ms > ?",
            list(names),
            self._node,
            now,
        )
        return None if value is None else int(value)

    async def release(self, tenures: Sequence[Tenure]) -> None:
        """Hand leases back (only those still this node's under their epoch)."""
        await self._tx.execute(
            "UPDATE leases AS l SET owner = NULL, expires_ms = 0 "
            "FROM unnest(?::text[], ?::bigint[]) AS h(connection, epoch) "
            "WHERE l.connection = h.connection AND l.epoch = h.epoch AND l.owner = ?",
            [t.connection for t in tenures],
            [t.epoch for t in tenures],
            self._node,
        )

    async def fail_stale_runs(self, names: Sequence[str], at: datetime, claimed: datetime) -> int:
        """Runs left 'running' on connections this node just claimed: another node's, or this
        node's own from before the claim (a lease it lost and took back, a previous process).
        Whoever ran them can no longer commit (their epoch is gone), so they are failed here."""
        return await self._tx.execute(
            "UPDATE runs SET outcome = 'failed', ended_at = ?, error = ? "
            "WHERE connection = ANY(?) AND outcome = 'running' AND (node <> ? OR started_at < ?)",
            db_time(at),
            f"its node lost the connection's lease; {self._node} took it over",
            list(names),
            self._node,
            db_time(claimed),
        )
