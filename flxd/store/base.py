"""The hub database behind one interface. SQL is written once, with `?` placeholders, in the
dialect both backends understand; each backend adapts placeholders and connection handling."""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Any, Protocol

__all__ = [
    "Database",
    "Migration",
    "Row",
    "Tx",
    "db_money",
    "db_time",
    "load_migrations",
    "parse_db_money",
    "parse_db_time",
]


class Row(Protocol):
    """A result row: sqlite3.Row and asyncpg.Record both index by column name."""

    def __getitem__(self, key: str | int, /) -> Any: ...

    def keys(self) -> Any: ...


class Tx(abc.ABC):
    """One transaction. Everything done through it commits together or not at all."""

    dialect: str

    @abc.abstractmethod
    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; returns the number of rows it changed."""

    @abc.abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per row of parameters, in one round trip where the driver can."""

    @abc.abstractmethod
    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...

    async def next_values(self, counter: str, count: int) -> int:
        """Take `count` values from a monotonic counter; returns the first.

        The counter row stays locked until this transaction ends, so values become visible in
        the order they were taken: a reader that has seen N never later finds a smaller one.
        """
        last = await self.fetchval(
            "UPDATE counters SET value = value + ? WHERE name = ? RETURNING value", count, counter
        )
        if last is None:
            raise LookupError(f"no counter {counter!r}")
        return int(last) - count + 1

    async def lock_counter(self, counter: str) -> None:
        """Lock a counter's row now, before the rows this transaction goes on to change.

        `next_values` locks it late, after those rows; two transactions that meet a counter
        and a row in opposite orders deadlock on PostgreSQL. Code that changes rows and then
        takes counter values takes this lock first. (SQLite: a transaction already holds the
        whole database.)
        """
        if self.dialect == "postgresql":
            await self.fetch("SELECT value FROM counters WHERE name = ? FOR UPDATE", counter)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self, macros: dict[str, str]) -> list[str]:
        text = re.sub(r"--[^\n]*", "", self.sql)
        for macro, replacement in macros.items():
            text = text.replace("{" + macro + "}", replacement)
        return [s.strip() for s in text.split(";") if s.strip()]


def load_migrations() -> list[Migration]:
    found: list[Migration] = []
    for entry in resources.files("flxd.store").joinpath("migrations").iterdir():
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


class Database(abc.ABC):
    """A connection pool (or single connection) to the hub database."""

    dialect: str
    macros: dict[str, str]

    @abc.abstractmethod
    async def open(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    def transaction(self) -> Any:
        """`async with db.transaction() as tx:` commits on success, rolls back on any exception."""

    @abc.abstractmethod
    async def integrity_check(self) -> list[str]:
        """Problems the database itself reports (empty when healthy)."""

    @abc.abstractmethod
    async def scrub(self) -> None:
        """After data was erased (personal data past its retention): make the old values leave
        the database's files now rather than at some later housekeeping. Outside transactions."""

    async def has_hub(self) -> bool:
        """Whether flxd's tables are here already (a hub, however empty), or this is new."""
        async with self.transaction() as tx:
            if tx.dialect == "postgresql":
                found = await tx.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
            else:
                found = await tx.fetchval(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'"
                )
        return bool(found)

    async def migrate(self) -> list[int]:
        """Apply pending migrations, each in its own transaction; returns the versions applied."""
        applied: list[int] = []
        async with self.transaction() as tx:
            await tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        async with self.transaction() as tx:
            done = {row[0] for row in await tx.fetch("SELECT version FROM schema_migrations")}
        for migration in load_migrations():
            if migration.version in done:
                continue
            async with self.transaction() as tx:
                for statement in migration.statements(self.macros):
                    await tx.execute(statement)
                await tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    migration.version,
                    migration.name,
                    db_time(datetime.now(UTC)),
                )
            applied.append(migration.version)
        return applied

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def db_time(moment: datetime) -> str:
    """How times are stored: ISO-8601 in UTC with microseconds (sorts as text)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached the store; every time in flxd is timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def parse_db_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def db_money(value: Decimal | None) -> str | None:
    """How money is stored: the exact decimal string (never a float)."""
    return None if value is None else format(value, "f")


def parse_db_money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def storable(text: str | None) -> str | None:
    """Error text as both databases keep it. It quotes what a store sent, which may hold NUL
    or an unpaired surrogate, and a run's record must never fail to save because of that."""
    if text is None:
        return None
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
