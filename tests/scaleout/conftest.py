"""Several flxd nodes on one PostgreSQL database: a schema per test, and a pool per node.

PostgreSQL is `FLXD_TEST_POSTGRES_DSN` (default: the CI server on 127.0.0.1:5432); without one
these tests skip with the reason, except under `CI=true`, where they fail. What a test hands to
`scaleout_report` is shown in a `scaleout counts` section of pytest's summary, pass or fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from flxd.store.postgres import PostgresDatabase

DSN = os.environ.get("FLXD_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")

OpenNode = Callable[[], Awaitable[PostgresDatabase]]
_REPORTED: list[tuple[str, str]] = []


@pytest.fixture
def scaleout_report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """`scaleout_report("moved_after_kill_s=1.9 ...")`: shown at the end of the session."""

    def add(line: str) -> None:
        print(line)
        _REPORTED.append((request.node.name, line))

    return add


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _REPORTED:
        terminalreporter.section("scaleout counts")
        for name, line in _REPORTED:
            terminalreporter.write_line(f"{name}: {line}")


async def require_postgres() -> None:
    """Skip (fail under CI=true) when no PostgreSQL answers at DSN."""
    try:
        conn = await asyncpg.connect(DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        problem = f"PostgreSQL at {DSN} is not reachable ({exc}); set FLXD_TEST_POSTGRES_DSN"
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    await conn.close()


async def drop_schema(schema: str) -> None:
    conn = await asyncpg.connect(DSN)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest_asyncio.fixture
async def schema() -> AsyncIterator[str]:
    """A fresh, migrated schema, dropped afterwards."""
    await require_postgres()
    name = f"t_{uuid.uuid4().hex[:12]}"
    db = PostgresDatabase(DSN, schema=name, max_size=2)
    try:
        async with db:
            await db.migrate()
        yield name
    finally:
        await drop_schema(name)


@pytest_asyncio.fixture
async def open_node(schema: str) -> AsyncIterator[OpenNode]:
    """`await open_node()`: another node's own pool on the test's schema."""
    opened: list[PostgresDatabase] = []

    async def open_one() -> PostgresDatabase:
        db = PostgresDatabase(DSN, schema=schema, max_size=4)
        await db.open()
        opened.append(db)
        return db

    yield open_one
    for db in opened:
        await db.close()
