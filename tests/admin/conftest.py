"""Fixtures for the admin server's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.admin.harness import AdminHarness, admin_server


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[AdminHarness]:
    """The admin server with the token `harness.TOKEN`, a memory connection `mem`, no runs yet."""
    async with admin_server(tmp_path) as harness:
        yield harness
