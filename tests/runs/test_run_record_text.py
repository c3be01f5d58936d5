"""A run's record saves whatever text its error quotes (regression, issue 9).

Error text quotes what a store sent; a lone surrogate or NUL in it made the run's final save
fail, which took the whole runner down instead of recording one failed run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.runs.journal import Journal, RunOutcome
from flxd.store import Database

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def test_error_text_with_nul_and_a_lone_surrogate_is_saved(db: Database) -> None:
    async with db.transaction() as tx:
        journal = Journal(tx, NOW)
        run_id = await journal.start_run("shop", "import_listings", "once", "node")
        await journal.finish_run(
            run_id, RunOutcome.PARTIAL, {"skipped": 1}, "product '\ud800': name: bad\x00 value"
        )
        await HealthBook(tx, NOW).set_health(
            "shop", ConnectionHealth.NEEDS_REAUTH, reason="401 \udfff"
        )
    async with db.transaction() as tx:
        [record] = await Journal(tx, NOW).runs(connection="shop", limit=1)
    assert record.error == "product '\\ud800': name: bad\\x00 value"
