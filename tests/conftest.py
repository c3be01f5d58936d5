"""The store suite runs against both backends, so neither drifts from the other."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from flxd.store import Database
from flxd.store.postgres import PostgresDatabase
from flxd.store.sqlite import SqliteDatabase

DSN = os.environ.get("FLXD_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


async def _postgres_available() -> str | None:
    try:
        conn = await asyncpg.connect(DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {DSN} is not reachable ({exc}); set FLXD_TEST_POSTGRES_DSN"
    await conn.close()
    return None


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database: Database = SqliteDatabase(tmp_path / "hub.db")
        async with database:
            await database.migrate()
            yield database
        return
    problem = await _postgres_available()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    database = PostgresDatabase(DSN, schema=schema, max_size=4)
    try:
        async with database:
            await database.migrate()
            yield database
    finally:
        conn = await asyncpg.connect(DSN)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()
