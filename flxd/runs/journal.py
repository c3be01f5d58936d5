"""What flxd remembers about its own work: cursors, run history, and connection health."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flxd.store import Row, Tx, db_time, parse_db_time

__all__ = ["ConnectionHealth", "Journal", "RunOutcome", "RunRecord"]


class RunOutcome(StrEnum):
    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # finished, but some records were skipped with errors
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # stopped by shutdown; committed pages stay committed
    NEEDS_REAUTH = "needs_reauth"
    SKIPPED = "skipped"  # not run (connection waiting for re-authentication); never stored


class ConnectionHealth(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    AWAITING_APPROVAL = "awaiting_approval"  # OAuth: no token until the merchant approves


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    id: int
    connection: str
    operation: str
    trigger: str
    started_at: datetime
    ended_at: datetime | None
    outcome: RunOutcome
    counts: Mapping[str, int]
    error: str | None


class Journal:
    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx = tx
        self._now = now

    # ---- cursors -------------------------------------------------------------------------

    async def cursor(self, connection: str, operation: str, part: str = "") -> str | None:
        value = await self._tx.fetchval(
            "SELECT value FROM cursors WHERE connection = ? AND operation = ? AND part = ?",
            connection,
            operation,
            part,
        )
        return None if value is None else str(value)

    async def save_cursor(
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

    async def cursors_of(self, connection: str, operation: str) -> dict[str, str]:
        """Every part's cursor of one (connection, operation)."""
        rows = await self._tx.fetch(
            "SELECT part, value FROM cursors WHERE connection = ? AND operation = ?",
            connection,
            operation,
        )
        return {r["part"]: r["value"] for r in rows}

    async def cursors(self) -> list[tuple[str, str, str, str, datetime]]:
        rows = await self._tx.fetch(
            "SELECT connection, operation, part, value, updated_at FROM cursors "
            "ORDER BY connection, operation, part"
        )
        return [
            (r["connection"], r["operation"], r["part"], r["value"], parse_db_time(r["updated_at"]))  # type: ignore[misc]
            for r in rows
        ]

    # ---- runs ----------------------------------------------------------------------------

    async def start_run(self, connection: str, operation: str, trigger: str, node: str) -> int:
        run_id = await self._tx.fetchval(
            "INSERT INTO runs (connection, operation, trigger, node, pid, started_at, outcome) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running') RETURNING id",
            connection,
            operation,
            trigger,
            node,
            os.getpid(),
            db_time(self._now),
        )
        return int(run_id)

    async def finish_run(
        self, run_id: int, outcome: RunOutcome, counts: Mapping[str, int], error: str | None
    ) -> None:
        await self._tx.execute(
            "UPDATE runs SET ended_at = ?, outcome = ?, counts = ?, error = ? WHERE id = ?",
            db_time(self._now),
            outcome.value,
            json.dumps(dict(counts), sort_keys=True),
            _storable(error),
            run_id,
        )

    async def fail_if_running(self, run_id: int, error: str) -> None:
        await self._tx.execute(
            "UPDATE runs SET outcome = 'failed', ended_at = ?, error = ? "
            "WHERE id = ? AND outcome = 'running'",
            db_time(self._now),
            _storable(error),
            run_id,
        )

    async def abandon_running(self, node: str) -> int:
        """Runs this node left 'running' in a process that has died: mark them failed.

        A node id names one host (the host name by default), so the pid tells whether the
        process that started the run is still at it (a daemon next to `run --once`)."""
        rows = await self._tx.fetch(
            "SELECT id, pid FROM runs WHERE outcome = 'running' AND node = ?", node
        )
        dead = [r["id"] for r in rows if not _process_alive(r["pid"])]
        await self._tx.executemany(
            "UPDATE runs SET outcome = 'failed', ended_at = ?, "
            "error = 'the process stopped during the run' WHERE id = ? AND outcome = 'running'",
            [(db_time(self._now), run_id) for run_id in dead],
        )
        return len(dead)

    async def runs(
        self, *, connection: str | None = None, operation: str | None = None, limit: int = 20
    ) -> list[RunRecord]:
        sql, args = "SELECT * FROM runs WHERE 1 = 1", []
        if connection is not None:
            sql += " AND connection = ?"
            args.append(connection)
        if operation is not None:
            sql += " AND operation = ?"
            args.append(operation)
        rows = await self._tx.fetch(sql + " ORDER BY id DESC LIMIT ?", *args, limit)
        return [_run_record(r) for r in rows]

    async def failed_runs(self, *, limit: int = 10) -> list[RunRecord]:
        """The latest runs that ended with an error (failed, partial, …), newest first."""
        rows = await self._tx.fetch(
            "SELECT * FROM runs WHERE error IS NOT NULL ORDER BY id DESC LIMIT ?", limit
        )
        return [_run_record(r) for r in rows]

    async def last_runs(self) -> dict[tuple[str, str], RunRecord]:
        """The latest run of each (connection, operation)."""
        rows = await self._tx.fetch(
            "SELECT r.* FROM runs r JOIN (SELECT connection, operation, max(id) AS id FROM runs "
            "GROUP BY connection, operation) m ON m.id = r.id"
        )
        return {(r["connection"], r["operation"]): _run_record(r) for r in rows}

    # ---- connection health ---------------------------------------------------------------

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
            _storable(reason),
            fingerprint,
            db_time(self._now),
        )


def _storable(text: str | None) -> str | None:
    """Error text as both databases keep it. It quotes what a store sent, which may hold NUL
    or an unpaired surrogate, and a run's record must never fail to save because of that."""
    if text is None:
        return None
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _run_record(row: Row) -> RunRecord:
    started = parse_db_time(row["started_at"])
    assert started is not None
    return RunRecord(
        id=row["id"],
        connection=row["connection"],
        operation=row["operation"],
        trigger=row["trigger"],
        started_at=started,
        ended_at=parse_db_time(row["ended_at"]),
        outcome=RunOutcome(row["outcome"]),
        counts=json.loads(row["counts"]),
        error=row["error"],
    )


def _process_alive(pid: int | None) -> bool:
    # No pid: a run from before pids were kept. Ours: a previous process with the same pid
    # (containers hand out the same few) — this one has started no run yet.
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True
