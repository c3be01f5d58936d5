"""Nodes started at the same moment on a fresh database: one migrates, the others wait."""

from __future__ import annotations

import uuid

import anyio
import pytest

from flxd.store.base import load_migrations
from flxd.store.postgres import PostgresDatabase
from tests.scaleout.conftest import DSN, drop_schema, require_postgres

pytestmark = pytest.mark.asyncio


async def test_three_nodes_migrating_at_once_all_start() -> None:
    await require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    applied: list[list[int]] = []

    async def start() -> None:
        async with PostgresDatabase(DSN, schema=schema, max_size=2) as db:
            applied.append(await db.migrate())

    try:
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(start)
    finally:
        await drop_schema(schema)
    everything = [m.version for m in load_migrations()]
    assert sorted(applied) == [[], [], everything]  # one did the work, the others found it done
