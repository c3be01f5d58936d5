"""Opening the hub database a config points at, with its migrations applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from flxd.config import Config
from flxd.store import Database, open_database

__all__ = ["open_hub"]


@asynccontextmanager
async def open_hub(config: Config) -> AsyncIterator[Database]:
    config.daemon.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = open_database(
        config.database_url,
        schema=config.daemon.database_schema,
        # No transaction of flxd's waits on anything but the database; one idle that long
        # belongs to a stalled node whose lease is about to go anyway.
        idle_in_transaction_timeout=config.daemon.lease_period,
    )
    async with db:
        await db.migrate()
        yield db
