from __future__ import annotations

import pytest

from flxd.store import Database
from flxd.store.base import load_migrations

pytestmark = pytest.mark.asyncio

TABLES = {
    "listings",
    "variants",
    "change_log",
    "counters",
    "links",
    "orders",
    "order_lines",
    "order_addresses",
    "shipments",
    "shipment_lines",
    "cursors",
    "runs",
    "outbox",
    "sink_offsets",
    "connection_state",
    "schema_migrations",
    "credentials",
    "pending_auth",
    "leases",
    "nodes",
}


async def test_migrations_from_empty_create_every_table_once(db: Database) -> None:
    assert await db.migrate() == []  # the fixture already migrated; a second pass is a no-op
    async with db.transaction() as tx:
        if tx.dialect == "sqlite":
            rows = await tx.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            rows = await tx.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema()"
            )
        names = {r[0] for r in rows}
        versions = [r[0] for r in await tx.fetch("SELECT version FROM schema_migrations")]
    assert names >= TABLES
    assert versions == [m.version for m in load_migrations()]
    assert await db.integrity_check() == []


async def test_counters_only_grow(db: Database) -> None:
    async with db.transaction() as tx:
        first = await tx.next_values("change_seq", 3)
        second = await tx.next_values("change_seq", 1)
    assert (first, second) == (1, 4)
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.next_values("change_seq", 10)
            raise RuntimeError("rolled back")
    async with db.transaction() as tx:
        assert await tx.next_values("change_seq", 1) == 5


async def test_a_transaction_cancelled_at_its_start_leaves_the_database_usable(
    db: Database,
) -> None:
    import anyio

    for _ in range(20):
        with anyio.CancelScope() as scope:
            scope.cancel()
            async with db.transaction() as tx:
                await tx.execute("UPDATE counters SET value = value WHERE name = 'change_seq'")
    async with db.transaction() as tx:
        assert await tx.fetchval("SELECT count(*) FROM counters") == 2
