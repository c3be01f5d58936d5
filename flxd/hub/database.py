"""Opening the hub database a config points at, with its migrations applied."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from flxd.config import Config
from flxd.hub.location import HubMissing, create_state_dir, hub_location, sqlite_path
from flxd.store import Database, open_database

__all__ = ["hub_exists", "open_existing_hub", "open_hub"]


@asynccontextmanager
async def open_hub(
    config: Config, *, create: bool = True, creating: Callable[[str], None] | None = None
) -> AsyncIterator[Database]:
    """The hub, migrated. Without `create`, HubMissing when there is none yet (and nothing is
    created); with it, `creating` is told the hub's location before a new one is made."""
    path = sqlite_path(config)
    if not create and path is not None and not path.exists():
        raise HubMissing(config)
    if create:
        create_state_dir(config)
    db = open_database(
        config.database_url,
        schema=config.daemon.database_schema,
        # No transaction of flxd's waits on anything but the database; one idle that long
        # belongs to a stalled node whose lease is about to go anyway.
        idle_in_transaction_timeout=config.daemon.lease_period,
    )
    async with db:
        if (creating is not None or not create) and not await db.has_hub():
            if not create:
                raise HubMissing(config)
            if creating is not None:
                creating(hub_location(config))
        await db.migrate()
        yield db


async def hub_exists(config: Config) -> bool:
    """Whether the config's hub is there already (looking creates nothing)."""
    try:
        async with open_hub(config, create=False):
            return True
    except HubMissing:
        return False


@asynccontextmanager
async def open_existing_hub(config: Config) -> AsyncIterator[Database | None]:
    """The hub if there is one (for commands that only read it, e.g. stored credentials), else
    None; none is created."""
    try:
        async with open_hub(config, create=False) as db:
            yield db
    except HubMissing:
        yield None
