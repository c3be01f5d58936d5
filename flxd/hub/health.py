"""Each connection's health as the hub keeps it: active, waiting for an OAuth approval, or paused
until its credentials change (a revoked token). Several nodes share it through the hub."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flxd.store import Tx, db_time, storable

__all__ = ["ConnectionHealth", "HealthBook"]


class ConnectionHealth(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    AWAITING_APPROVAL = (
        "awaiting_approval"  # OAuth: no token until the merchant approves (shown, not stored)
    )


class HealthBook:
    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx = tx
        self._now = now

    async def health(self) -> dict[str, tuple[ConnectionHealth, str | None, str | None]]:
        """connection -> (health, reason, credentials fingerprint)."""
        rows = await self._tx.fetch(
            "SELECT connection, state, reason, fingerprint FROM connection_state"
        )
        return {
            r["connection"]: (ConnectionHealth(r["state"]), r["reason"], r["fingerprint"])
            for r in rows
        }

    async def set_health(
        self,
        connection: str,
        health: ConnectionHealth,
        *,
        reason: str | None = None,
        fingerprint: str | None = None,
    ) -> None:
        await self._tx.execute(
            "INSERT INTO connection_state (connection, state, reason, fingerprint, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (connection) DO UPDATE SET state = excluded.state, "
            "reason = excluded.reason, fingerprint = excluded.fingerprint, "
            "updated_at = excluded.updated_at",
            connection,
            health.value,
            storable(reason),
            fingerprint,
            db_time(self._now),
        )
