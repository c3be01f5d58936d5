"""Hub events ("order imported", "shipment recorded") written in the same transaction as the
data they describe, then delivered to every sink at least once, in order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flxd.store import Tx, db_time, parse_db_time

__all__ = ["COUNTER", "Event", "Outbox"]

COUNTER = "outbox_seq"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    id: int
    topic: str
    key: str | None
    payload: dict[str, Any]
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "key": self.key,
            "payload": self.payload,
            "created_at": self.created_at.isoformat(),
        }


class Outbox:
    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx = tx
        self._now = now
        self.emitted = 0

    async def emit(self, topic: str, payload: dict[str, Any], *, key: str | None = None) -> int:
        """Add an event; it becomes visible to sinks when the transaction commits."""
        event_id = await self._tx.next_values(COUNTER, 1)
        await self._tx.execute(
            "INSERT INTO outbox (id, topic, key, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            event_id,
            topic,
            key,
            json.dumps(payload, default=str),
            db_time(self._now),
        )
        self.emitted += 1
        return event_id

    async def emit_many(self, events: Sequence[tuple[str, dict[str, Any], str | None]]) -> None:
        """`emit` for many (topic, payload, key) at once, in order, in two statements."""
        if not events:
            return
        first = await self._tx.next_values(COUNTER, len(events))
        created = db_time(self._now)
        await self._tx.executemany(
            "INSERT INTO outbox (id, topic, key, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            [
                (first + n, topic, key, json.dumps(payload, default=str), created)
                for n, (topic, payload, key) in enumerate(events)
            ],
        )
        self.emitted += len(events)

    async def pending(self, sink: str, *, limit: int = 100) -> list[Event]:
        """Events after this sink's offset, oldest first."""
        offset = await self.offset(sink)
        rows = await self._tx.fetch(
            "SELECT id, topic, key, payload, created_at FROM outbox "
            "WHERE id > ? ORDER BY id LIMIT ?",
            offset,
            limit,
        )
        return [
            Event(
                id=r["id"],
                topic=r["topic"],
                key=r["key"],
                payload=json.loads(r["payload"]),
                created_at=parse_db_time(r["created_at"]),  # type: ignore[arg-type]
            )
            for r in rows
        ]

    async def offset(self, sink: str) -> int:
        value = await self._tx.fetchval("SELECT last_id FROM sink_offsets WHERE sink = ?", sink)
        return int(value or 0)

    async def acknowledge(self, sink: str, last_id: int) -> None:
        await self._tx.execute(
            "INSERT INTO sink_offsets (sink, last_id, failures, last_error, updated_at) "
            "VALUES (?, ?, 0, NULL, ?) ON CONFLICT (sink) DO UPDATE SET "
            "last_id = excluded.last_id, "
            "failures = 0, last_error = NULL, updated_at = excluded.updated_at",
            sink,
            last_id,
            db_time(self._now),
        )

    async def record_failure(self, sink: str, error: str) -> int:
        """Count a failed delivery; returns how many in a row have failed."""
        await self._tx.execute(
            "INSERT INTO sink_offsets (sink, last_id, failures, last_error, updated_at) "
            "VALUES (?, 0, 1, ?, ?) ON CONFLICT (sink) DO UPDATE SET "
            "failures = sink_offsets.failures + 1, last_error = excluded.last_error, "
            "updated_at = excluded.updated_at",
            sink,
            error,
            db_time(self._now),
        )
        return int(
            await self._tx.fetchval("SELECT failures FROM sink_offsets WHERE sink = ?", sink)
        )

    async def undelivered(self, sink: str) -> int:
        """Events this sink has not acknowledged yet (all of them for a sink never delivered to)."""
        value = await self._tx.fetchval(
            "SELECT count(*) FROM outbox WHERE id > ?", await self.offset(sink)
        )
        return int(value or 0)

    async def backlog(self) -> dict[str, int]:
        """Undelivered events per sink that has ever delivered or failed."""
        rows = await self._tx.fetch(
            "SELECT s.sink, (SELECT count(*) FROM outbox o WHERE o.id > s.last_id) AS n "
            "FROM sink_offsets s"
        )
        return {r["sink"]: int(r["n"]) for r in rows}
