"""The embedded default: one SQLite file in WAL mode, through aiosqlite."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import anyio
import anyio.lowlevel

from flxd.errors import StoreError
from flxd.store.base import Database, Row, Tx

__all__ = ["SqliteDatabase"]


class _SqliteTx(Tx):
    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> int:
        cursor = await self._conn.execute(sql, args)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, args))


class SqliteDatabase(Database):
    dialect = "sqlite"
    macros = {
        "pk": "INTEGER PRIMARY KEY",
        "int": "INTEGER",
    }

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        # One connection, one transaction at a time: SQLite has a single writer anyway, and
        # serialising here avoids SQLITE_BUSY between our own tasks.
        self._lock = anyio.Lock()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Created for the owner alone: it holds customers' personal data and encrypted
            # tokens. SQLite gives the -wal and -shm files the same mode.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            conn.row_factory = sqlite3.Row
            # WAL lets CLI readers work while the daemon writes; FULL makes every commit durable
            # even on power loss, because these rows are other people's orders and stock.
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = FULL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 15000")
            # Erased personal data must not linger in freed space of the file (some builds
            # default to off).
            await conn.execute("PRAGMA secure_delete = ON")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite database {self.path}: {exc}") from exc
        self._conn = conn

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        conn = self._conn
        if conn is None:
            raise StoreError("the database is not open")
        async with self._lock:
            # IMMEDIATE takes the write lock up front, so another process (the CLI) writing at
            # the same moment makes us wait (busy_timeout) instead of failing half-way. Shielded:
            # a cancellation arriving while the BEGIN runs in aiosqlite's thread would otherwise
            # leave the connection inside a transaction that nobody ends.
            with anyio.CancelScope(shield=True):
                await conn.execute("BEGIN IMMEDIATE")
            try:
                await anyio.lowlevel.checkpoint_if_cancelled()
                yield _SqliteTx(conn)
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await conn.execute("ROLLBACK")
                raise
            else:
                with anyio.CancelScope(shield=True):
                    await conn.execute("COMMIT")

    async def scrub(self) -> None:
        # Erased rows live on in the WAL, and in the main file until a checkpoint writes the
        # new pages over them (secure_delete zeroes what those pages freed): checkpoint now
        # and empty the WAL.
        conn = self._conn
        if conn is None:
            raise StoreError("the database is not open")
        async with self._lock:
            with anyio.CancelScope(shield=True):
                await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def integrity_check(self) -> list[str]:
        async with self.transaction() as tx:
            rows = await tx.fetch("PRAGMA integrity_check")
            problems = [str(r[0]) for r in rows if r[0] != "ok"]
            problems += [
                f"foreign key: {r[0]} row {r[1]} points to a missing {r[2]}"
                for r in await tx.fetch("PRAGMA foreign_key_check")
            ]
        return problems
