"""The hub database: one interface, SQLite (embedded default) and PostgreSQL backends."""

from __future__ import annotations

from pathlib import Path

from flxd.errors import StoreError
from flxd.store.base import (
    Database,
    Row,
    Tx,
    db_money,
    db_time,
    parse_db_money,
    parse_db_time,
    storable,
)

__all__ = [
    "Database",
    "Row",
    "Tx",
    "db_money",
    "db_time",
    "open_database",
    "parse_db_money",
    "parse_db_time",
    "storable",
]


def open_database(
    url: str, *, schema: str | None = None, idle_in_transaction_timeout: float | None = None
) -> Database:
    """A Database for `sqlite:///path` or `postgresql://…` (not yet opened). PostgreSQL only:
    `schema` puts flxd's tables in that schema (created when missing), and a session left idle
    inside a transaction longer than `idle_in_transaction_timeout` seconds is ended."""
    if url.startswith("sqlite:///"):
        from flxd.store.sqlite import SqliteDatabase

        # sqlite:///relative/path, sqlite:////absolute/path (the SQLAlchemy convention)
        return SqliteDatabase(Path(url.removeprefix("sqlite:///")))
    if url.startswith(("postgresql://", "postgres://")):
        from flxd.store.postgres import PostgresDatabase

        return PostgresDatabase(
            url, schema=schema, idle_in_transaction_timeout=idle_in_transaction_timeout
        )
    raise StoreError(f"unsupported database URL {url!r}")
