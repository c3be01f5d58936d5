"""sync_listings as core runs it: an item the store keeps failing is sent again, but not for
ever."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from flxd_memory.store import MemoryStore, stores

from flxd.config import Config, parse_config
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.hub.catalog import Catalog
from flxd.hub.database import open_hub
from flxd.hub.model import VariantUpdate
from flxd.operation import Operation
from flxd.plugin.flows.sync_listings import MAX_AGAIN
from flxd.plugin.manager import load_plugins
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunSummary
from flxd.testing import FakeClock

HOST = load_plugins()


@pytest.fixture
def store() -> Iterator[tuple[str, MemoryStore]]:
    name = f"sync-{uuid.uuid4().hex[:8]}"
    stores[name] = MemoryStore()
    stores[name].seed(products=3, orders=0)
    yield name, stores[name]
    stores.pop(name, None)


def config(tmp_path: Path, store: str) -> Config:
    text = (
        f"[daemon]\nstate_dir = '{tmp_path / 'state'}'\n[connections.shop]\nchannel = 'memory'\n"
        f"store = '{store}'\ntoken_env = 'T'\n"
        "[connections.shop.import_listings]\nenabled = true\n"
        "[connections.shop.sync_listings]\nenabled = true\n"
    )
    return parse_config(
        text, registries=HOST, base_dir=tmp_path, environ={"T": "memory-token"}, path=None
    )


async def run(cfg: Config, clock: FakeClock, operation: Operation) -> RunSummary:
    [summary] = await Daemon(cfg, HOST, clock=clock).run_once(Selection("shop", operation))
    return summary


@pytest.mark.asyncio
async def test_an_item_the_store_keeps_failing_is_refused_after_max_again_runs(
    tmp_path: Path, store: tuple[str, MemoryStore]
) -> None:
    name, memory = store
    cfg, clock = config(tmp_path, name), FakeClock()
    assert (await run(cfg, clock, Operation.IMPORT_LISTINGS)).outcome is RunOutcome.OK
    failing, fine = sorted(v.sku for p in memory.products.values() for v in p.variants)[:2]
    memory.failing_skus.add(failing.lower())
    async with open_hub(cfg) as db, db.transaction() as tx:
        await Catalog(tx, clock.now()).upsert(
            [
                VariantUpdate(sku=failing, price=Decimal("7.77")),
                VariantUpdate(sku=fine, price=Decimal("8.88")),
            ]
        )

    outcomes = [await run(cfg, clock, Operation.SYNC_LISTINGS) for _ in range(MAX_AGAIN)]

    # Sent again by each run while the store failed it, the others taken at once...
    assert [s.counts.get("retry_later", 0) for s in outcomes] == [1] * (MAX_AGAIN - 1) + [0]
    assert [s.outcome for s in outcomes[:-1]] == [RunOutcome.OK] * (MAX_AGAIN - 1)
    # ...then refused with the reason: the run is partial, the link says why.
    assert outcomes[-1].outcome is RunOutcome.PARTIAL
    assert (
        outcomes[-1].error is not None and f"failed {MAX_AGAIN} runs in a row" in outcomes[-1].error
    )
    again = await run(cfg, clock, Operation.SYNC_LISTINGS)
    assert again.outcome is RunOutcome.OK and again.counts.get("retry_later", 0) == 0
    async with open_hub(cfg) as db, db.transaction() as tx:
        links = await tx.fetch("SELECT error, pushed_price FROM links WHERE error IS NOT NULL")
    assert len(links) == 1 and "could not save the variant" in links[0]["error"]
