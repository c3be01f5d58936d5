"""Connections that wait for a merchant's approval (OAuth) before they can do anything.

Such a connection has no credentials in the config: its token arrives when the merchant
approves flxd, and is kept in the hub. Until then it is not "active", whatever its run
history says, and a daemon with one is not ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flxd.config import ConnectionConfig
from flxd.plugin.registry import ChannelType
from flxd.store import Tx, db_time, parse_db_time

__all__ = ["AwaitingApproval", "awaiting_approval", "uses_approval"]

_NOWHERE = "http://127.0.0.1"  # authorize() only needs some admin URL to say whether it applies


@dataclass(frozen=True, slots=True)
class AwaitingApproval:
    connection: str
    until: datetime | None
    """When the approval flxd started expires; None when none is under way."""

    @property
    def reason(self) -> str:
        if self.until is not None:
            return (
                "the merchant has not approved flxd yet (the approval URL that flxd "
                f"connections add {self.connection} printed is valid until "
                f"{self.until:%Y-%m-%d %H:%M} UTC)"
            )
        return (
            f"not approved: run flxd connections add {self.connection} and open the URL it "
            "prints (with flxd run running, to receive the approval)"
        )


def uses_approval(connection: ConnectionConfig, channel_type: ChannelType) -> bool:
    """Whether the connection gets its token from a merchant's approval."""
    return (
        channel_type.authorize is not None
        and channel_type.authorize(connection, "-", _NOWHERE) is not None
    )


async def awaiting_approval(
    tx: Tx, connections: Iterable[str], now: datetime
) -> dict[str, AwaitingApproval]:
    """Of `connections` (ones that use approval), those without a stored token yet."""
    wanted = set(connections)
    if not wanted:
        return {}
    stored = {r["connection"] for r in await tx.fetch("SELECT connection FROM credentials")}
    pending: dict[str, datetime | None] = {
        r["connection"]: parse_db_time(r["expires_at"])
        for r in await tx.fetch(
            "SELECT connection, expires_at FROM pending_auth WHERE expires_at > ?", db_time(now)
        )
    }
    return {name: AwaitingApproval(name, pending.get(name)) for name in sorted(wanted - stored)}
