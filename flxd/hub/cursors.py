"""Cursors: where each (connection, operation[, part]) got to, committed with the data it covers.

A cursor is saved in the same transaction as the hub writes of the page it follows, so a crash
never skips or repeats a page. Values are opaque strings chosen by the operation (a timestamp, a
change sequence, `after <id> until <time>`).
"""

from __future__ import annotations

from datetime import datetime

from flxd.store import Tx, db_time, parse_db_time

__all__ = ["CursorRow", "Cursors"]

CursorRow = tuple[str, str, str, str, datetime]
"""(connection, operation, part, value, updated at)."""


class Cursors:
    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx = tx
        self._now = now

    async def get(self, connection: str, operation: str, part: str = "") -> str | None:
        value = await self._tx.fetchval(
            "SELECT value FROM cursors WHERE connection = ? AND operation = ? AND part = ?",
            connection,
            operation,
            part,
        )
        return None if value is None else str(value)

    async def save(
        self,
        connection: str,
        operation: str,
        value: str,
        *,
        part: str = "",
        run_id: int | None = None,
    ) -> None:
        await self._tx.execute(
            "INSERT INTO cursors (connection, operation, part, value, run_id, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (connection, operation, part) DO UPDATE SET "
            "value = excluded.value, run_id = excluded.run_id, updated_at = excluded.updated_at",
            connection,
            operation,
            part,
            value,
            run_id,
            db_time(self._now),
        )

    async def of(self, connection: str, operation: str) -> dict[str, str]:
        """Every part's cursor of one (connection, operation)."""
        rows = await self._tx.fetch(
            "SELECT part, value FROM cursors WHERE connection = ? AND operation = ?",
            connection,
            operation,
        )
        return {r["part"]: r["value"] for r in rows}

    async def every(self) -> list[CursorRow]:
        rows = await self._tx.fetch(
            "SELECT connection, operation, part, value, updated_at FROM cursors "
            "ORDER BY connection, operation, part"
        )
        return [
            (r["connection"], r["operation"], r["part"], r["value"], parse_db_time(r["updated_at"]))  # type: ignore[misc]
            for r in rows
        ]
