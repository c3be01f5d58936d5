"""Hub upsert throughput: 100,000 variants (parents of 1-5 variants) into a fresh SQLite hub,
then the same 100,000 again with every price changed.

Run: python bench/store.py [--variants N]
Last line: variants_per_s=N update_per_s=N peak_rss_mb=N
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import anyio

from flxd.clock import SystemClock
from flxd.hub.catalog import Catalog
from flxd.hub.model import VariantUpdate
from flxd.store.sqlite import SqliteDatabase

TRANSACTION = 10_000  # variants per transaction, as a feed import commits them


def variants(count: int, *, seed: int, price_shift: int = 0) -> Iterator[VariantUpdate]:
    rng = random.Random(seed)
    made = parent = 0
    while made < count:
        size = rng.randint(1, 5)
        for n in range(min(size, count - made)):
            yield VariantUpdate(
                sku=f"P{parent:06d}-{n}",
                parent=f"P{parent:06d}",
                listing_name=f"Product {parent}",
                upc=f"{rng.randrange(10**11, 10**12)}",
                price=Decimal(rng.randrange(100, 100_000) + price_shift) / 100,
                quantity=rng.randrange(0, 500),
                options=(("Size", "SMLX"[n % 4]),),
                attributes=(("Material", "cotton"), ("Care", "wash at 30")),
            )
            made += 1
        parent += 1


async def upsert_all(db: SqliteDatabase, count: int, price_shift: int) -> float:
    stream = variants(count, seed=1, price_shift=price_shift)
    started = time.perf_counter()
    done = 0
    while done < count:
        batch = [u for _, u in zip(range(TRANSACTION), stream, strict=False)]
        async with db.transaction() as tx:
            await Catalog(tx, SystemClock().now()).upsert(batch)
        done += len(batch)
    return time.perf_counter() - started


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = SqliteDatabase(Path(tmp) / "hub.db")
        async with db:
            await db.migrate()
            created = await upsert_all(db, count, price_shift=0)
            updated = await upsert_all(db, count, price_shift=1)
            async with db.transaction() as tx:
                catalog = Catalog(tx, SystemClock().now())
                listings, stored = await catalog.count()
                changes = await catalog.last_seq()
    assert stored == count and changes == 2 * count, (stored, changes)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"created {count} variants in {listings} listings: {created:.2f} s")
    print(f"updated {count} prices: {updated:.2f} s; change log entries: {changes}")
    print(
        f"variants_per_s={count / created:.0f} update_per_s={count / updated:.0f} "
        f"peak_rss_mb={peak_mb:.0f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=100_000)
    anyio.run(main, parser.parse_args().variants)
