"""pytest fixtures for flxd and its plugins (registered as the `flxd` pytest plugin).

Async fixtures run under pytest-asyncio (strict mode: mark tests `@pytest.mark.asyncio`), the
usual choice of plugin authors; without pytest-asyncio installed they fall back to anyio's pytest
plugin (mark tests `@pytest.mark.anyio`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

try:
    from pytest_asyncio import fixture as async_fixture
except ImportError:  # anyio's pytest plugin runs plain async fixtures
    async_fixture = pytest.fixture  # type: ignore[assignment]

from flxd.store import Database
from flxd.store.sqlite import SqliteDatabase
from flxd.testing.clock import FakeClock
from flxd.testing.process import DaemonProcess

__all__ = ["flxd_clock", "flxd_daemons", "flxd_hub"]


@pytest.fixture
def flxd_clock() -> FakeClock:
    """A fake clock starting at 2026-01-01T00:00:00Z."""
    return FakeClock()


@async_fixture
async def flxd_hub(tmp_path: Path) -> AsyncIterator[Database]:
    """A hub database on a fresh SQLite file, migrated, opened for the test."""
    db = SqliteDatabase(tmp_path / "hub.db")
    async with db:
        await db.migrate()
        yield db


@pytest.fixture
def flxd_daemons() -> Iterator[list[DaemonProcess]]:
    """Daemons a test starts (append them): each is killed at the end if still running."""
    started: list[DaemonProcess] = []
    yield started
    for daemon in started:
        daemon.kill()
