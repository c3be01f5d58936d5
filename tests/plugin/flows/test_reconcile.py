"""The reconciliation pass as core runs it: its requests a background share of the quota, its
completion remembered, nothing written in a dry run."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from flxd_memory.store import MemoryStore, stores

from flxd.config import Config, parse_config
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.hub.cursors import Cursors
from flxd.hub.database import open_hub
from flxd.net.ratelimit import Limiter
from flxd.operation import Operation
from flxd.plugin.flows.reconcile import RECONCILE_PART, last_reconciled
from flxd.plugin.manager import load_plugins
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunSummary
from flxd.testing import FakeClock

pytestmark = pytest.mark.asyncio
HOST = load_plugins()
IMPORT = Operation.IMPORT_LISTINGS


@pytest.fixture
def store() -> Iterator[tuple[str, MemoryStore]]:
    name = f"reconcile-{uuid.uuid4().hex[:8]}"
    stores[name] = MemoryStore()
    stores[name].seed(products=4, orders=0)
    yield name, stores[name]
    stores.pop(name, None)


def config(tmp_path: Path, store: str) -> Config:
    text = (
        f"[daemon]\nstate_dir = '{tmp_path / 'state'}'\n[connections.shop]\nchannel = 'memory'\n"
        f"store = '{store}'\ntoken_env = 'T'\npage_size = 2\n"
        "[connections.shop.import_listings]\nenabled = true\nreconcile_share = 0.25\n"
        "[connections.shop.sync_listings]\nenabled = true\n"
    )
    return parse_config(
        text, registries=HOST, base_dir=tmp_path, environ={"T": "memory-token"}, path=None
    )


async def run(cfg: Config, clock: FakeClock, *, reconcile: bool, **kw: Any) -> RunSummary:
    daemon = Daemon(cfg, HOST, clock=clock)
    [summary] = await daemon.run_once(Selection("shop", IMPORT, reconcile=reconcile), **kw)
    assert summary.outcome is RunOutcome.OK, summary.error
    return summary


@asynccontextmanager
async def shares(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[float | None]]:
    """The `share` every request through a limiter asked for."""
    seen: list[float | None] = []
    slot = Limiter.slot

    def spy(self: Limiter, *, share: float | None = None) -> Any:
        seen.append(share)
        return slot(self, share=share)

    monkeypatch.setattr(Limiter, "slot", spy)
    yield seen


async def test_the_pass_asks_for_its_share_and_the_import_does_not(
    tmp_path: Path, store: tuple[str, MemoryStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, clock = config(tmp_path, store[0]), FakeClock()
    variants = sum(len(p.variants) for p in store[1].products.values())
    async with shares(monkeypatch) as seen:
        await run(cfg, clock, reconcile=False)
        assert seen and set(seen) == {None}
        seen.clear()
        found = await run(cfg, clock, reconcile=True)
        assert len(seen) == 2 and set(seen) == {0.25}  # 4 products, 2 a page
    assert found.counts == {"reconcile_checked": variants, "reconcile_drifted": 0}
    async with open_hub(cfg) as db, db.transaction() as tx:
        cursors = await Cursors(tx, clock.now()).of("shop", IMPORT.value)
    assert last_reconciled(cursors[RECONCILE_PART]) == clock.now()


async def test_a_dry_run_counts_drift_and_changes_nothing(
    tmp_path: Path, store: tuple[str, MemoryStore]
) -> None:
    name, remote = store
    cfg, clock = config(tmp_path, name), FakeClock()
    await run(cfg, clock, reconcile=False)
    variant = next(iter(remote.products.values())).variants[0]
    variant.quantity = (variant.quantity or 0) + 3  # behind flxd's back
    planned = await run(cfg, clock, reconcile=True, dry_run=True)
    assert planned.counts["reconcile_drifted"] == 1
    async with open_hub(cfg) as db, db.transaction() as tx:
        cursors = await Cursors(tx, clock.now()).of("shop", IMPORT.value)
    assert RECONCILE_PART not in cursors
    assert (await run(cfg, clock, reconcile=True)).counts["reconcile_drifted"] == 1
