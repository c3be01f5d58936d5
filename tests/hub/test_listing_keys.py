"""A row that names a listing by its key, where a variant's SKU belongs, is refused."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from flxd.hub.catalog import Catalog
from flxd.hub.files.listings import parse_listing_file
from flxd.hub.listing_keys import upsert_file
from flxd.store import Database
from flxd.testing import FakeClock

pytestmark = pytest.mark.asyncio
clock = FakeClock()


async def land(db: Database, path: Path, text: str) -> tuple[int, list[str]]:
    path.write_text(text)  # noqa: ASYNC240 (a small file, in a test)
    parsed = parse_listing_file(path)
    async with db.transaction() as tx:
        result = await upsert_file(tx, clock.now(), parsed)
    return result.created + result.updated, [str(p) for p in parsed.problems]


async def test_a_multi_variant_listings_key_is_not_a_new_variant(
    db: Database, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    tee = "sku,parent,name,price,options\nTEE-S,TEE,Tee,19.90,Size=S\nTEE-M,TEE,Tee,19.90,Size=M\n"
    assert await land(db, feed, tee) == (2, [])

    landed, problems = await land(db, feed, "sku,price\nTEE-M,17.90\nTEE,26.8\n")
    assert landed == 1
    assert problems == [
        "line 3: sku: TEE is the key of listing TEE (variants TEE-S, TEE-M), not a variant's "
        "SKU: a row changes the variant its SKU names; a new variant needs its own SKU, with "
        "parent TEE and its options"
    ]
    _, again = await land(db, feed, "sku,parent,price\nTEE,TEE,1\n")  # named as its own parent
    assert len(again) == 1
    async with db.transaction() as tx:
        listing = await Catalog(tx, clock.now()).listing("TEE")
    assert listing is not None
    assert [(v.sku, v.price) for v in listing.variants] == [
        ("TEE-S", Decimal("19.90")),
        ("TEE-M", Decimal("17.90")),
    ]


async def test_a_parent_row_in_the_same_file_is_refused_and_its_variants_land(
    db: Database, tmp_path: Path
) -> None:
    rows = "sku,parent,name,options\nCAP,,Cap,\nCAP-S,CAP,Cap,Size=S\nCAP-M,CAP,Cap,Size=M\n"
    landed, problems = await land(db, tmp_path / "caps.csv", rows)
    assert landed == 2 and [p.split(":")[0] for p in problems] == ["line 2"]
    assert "CAP is the key of listing CAP (variants CAP-S, CAP-M)" in problems[0]


async def test_a_simple_listing_is_updated_by_its_own_sku(db: Database, tmp_path: Path) -> None:
    feed = tmp_path / "mug.csv"
    assert await land(db, feed, "sku,price\nMUG,7\n") == (1, [])
    assert await land(db, feed, "sku,price\nMUG,8\n") == (1, [])
