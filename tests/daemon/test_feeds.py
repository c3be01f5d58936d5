"""The built-in file feed and the feed runner: a supplier file or drop folder into the hub."""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import anyio
import pytest
import structlog

from flxd.builtin.feeds import FileFeed, FileFeedSettings
from flxd.config import parse_config
from flxd.daemon.feeds import FeedRunner
from flxd.errors import ConfigError
from flxd.hub.catalog import Catalog
from flxd.plugin.context import FeedServices
from flxd.plugin.hookspecs import hookimpl
from flxd.plugin.manager import load_plugins
from flxd.plugin.registry import FeedType, Registrar
from flxd.store import Database
from flxd.testing import FakeClock

clock = FakeClock()


def services(db: Database) -> FeedServices:
    return FeedServices(name="supplier", db=db, clock=clock, log=structlog.get_logger())


async def hub_state(db: Database) -> tuple[int, dict[str, tuple[Decimal | None, int | None]]]:
    """(last change sequence, sku -> (price, quantity))."""
    async with db.transaction() as tx:
        catalog = Catalog(tx, clock.now())
        listings = await catalog.listings(limit=1000)
        return await catalog.last_seq(), {
            v.sku: (v.price, v.quantity) for item in listings for v in item.variants
        }


def feed(path: Path, **settings: object) -> FileFeed:
    return FileFeed(FileFeedSettings.model_validate({"path": str(path), **settings}))


@pytest.mark.asyncio
async def test_a_file_is_upserted_when_it_changes_and_unchanged_rows_log_nothing(
    flxd_hub: Database, tmp_path: Path
) -> None:
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,price,quantity\nA,1.50,3\nB,2.00,4\n")
    source = feed(stock)
    counts = await source.run(services(flxd_hub))
    assert counts == {
        "files": 1,
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    seq, values = await hub_state(flxd_hub)
    assert values == {"A": (Decimal("1.50"), 3), "B": (Decimal("2.00"), 4)}

    assert await source.run(services(flxd_hub)) == {}  # not read again: the file is the same
    stock.write_text("sku,price,quantity\nA,1.5,3\nB,2.00,5\n")  # A the same, B's stock changed
    os.utime(stock, ns=(1, 1))  # a new modification time, whatever the file system's resolution
    counts = await source.run(services(flxd_hub))
    assert (counts["updated"], counts["unchanged"]) == (1, 1)
    after, values = await hub_state(flxd_hub)
    assert after == seq + 1 and values["B"] == (Decimal("2.00"), 5)
    assert stock.exists()  # a single file stays where the supplier puts it


@pytest.mark.asyncio
async def test_a_drop_folder_is_read_in_order_and_files_are_moved_aside(
    flxd_hub: Database, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "1-first.csv").write_text("Artikel,Preis,Bestand\nA,1.00,1\nB,abc,2\nC,3.00,3\n")
    (drop / "2-second.jsonl").write_text('{"Artikel": "A", "Bestand": 7}\nnot json\n')
    (drop / "3-broken.csv").write_text("Artikel,Colour\nX,red\n")
    (drop / "4-uploading.csv.part").write_text("Artikel\nZ\n")
    (drop / ".hidden.csv").write_text("Artikel\nZ\n")
    source = feed(drop, mapping={"Artikel": "sku", "Preis": "price", "Bestand": "quantity"})
    counts = await source.run(services(flxd_hub))
    assert counts == {
        "files": 2,
        "rows": 5,
        "created": 2,
        "updated": 1,
        "unchanged": 0,
        "rejected": 2,
        "files_rejected": 1,
    }
    _, values = await hub_state(flxd_hub)
    # Bad rows are left out by line; the good ones land; the later file wins for A.
    assert values == {"A": (Decimal("1.00"), 7), "C": (Decimal("3.00"), 3)}
    assert sorted(p.name for p in drop.iterdir()) == [
        ".hidden.csv",
        "4-uploading.csv.part",
        "processed",
    ]
    moved = sorted(p.name for p in (drop / "processed").iterdir())
    stamp = "20260101T000000Z"
    assert moved == [
        f"{stamp}-1-first.csv",
        f"{stamp}-1-first.csv.errors.txt",
        f"{stamp}-2-second.jsonl",
        f"{stamp}-2-second.jsonl.errors.txt",
        f"{stamp}-3-broken.csv",
        f"{stamp}-3-broken.csv.errors.txt",
    ]
    report = (drop / "processed" / f"{stamp}-1-first.csv.errors.txt").read_text()
    assert report == "1-first.csv: line 3: price: 'abc' is not a number\n"
    broken = (drop / "processed" / f"{stamp}-3-broken.csv.errors.txt").read_text()
    assert "unknown column(s) Colour" in broken and "nothing was written" in broken
    assert await source.run(services(flxd_hub)) == {}


def test_feed_tables_are_validated_with_their_key_paths(tmp_path: Path) -> None:
    text = (
        '[feeds.supplier]\ntype = "file"\npath = "stock.csv"\ninterval = "10m"\n'
        'mapping = { Artikel = "sku", Farbe = "colour" }\nintervall = 5\n'
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text, registries=load_plugins(), base_dir=tmp_path)
    assert {str(p) for p in caught.value.problems} == {
        "feeds.supplier.mapping: maps to unknown column(s) colour (known: sku, parent, name, "
        "description, upc, mpn, gtin, price, quantity, options, attributes)",
        "feeds.supplier.intervall: unknown key (did you mean 'interval'?)",
    }
    good = parse_config(
        text.replace(', Farbe = "colour"', "").replace("intervall = 5\n", ""),
        registries=load_plugins(),
        base_dir=tmp_path,
    )
    settings = good.feeds["supplier"].settings
    assert isinstance(settings, FileFeedSettings)
    assert (settings.path, settings.interval) == (tmp_path / "stock.csv", 600.0)


class Broken:
    async def run(self, services: FeedServices) -> Mapping[str, int]:
        raise RuntimeError("the supplier's server is down")


class BrokenPlugin:
    @hookimpl
    def flxd_register_feeds(self, register: Registrar[FeedType]) -> None:
        register(
            FeedType(
                name="broken", description="", settings=FileFeedSettings, create=lambda s: Broken()
            )
        )


@pytest.mark.asyncio
async def test_a_failing_feed_does_not_stop_the_others(flxd_hub: Database, tmp_path: Path) -> None:
    (tmp_path / "stock.csv").write_text("sku,quantity\nA,1\n")
    host = load_plugins(extra=[BrokenPlugin()])
    config = parse_config(
        '[feeds.a_broken]\ntype = "broken"\npath = "x"\n\n[feeds.b_file]\ntype = "file"\n'
        'path = "stock.csv"\n',
        registries=host,
        base_dir=tmp_path,
    )
    results = await FeedRunner(config, host, flxd_hub, clock).run_all()
    assert [(r.name, r.error) for r in results] == [
        ("a_broken", "RuntimeError: the supplier's server is down"),
        ("b_file", None),
    ]
    assert results[1].counts["created"] == 1


@pytest.mark.asyncio
async def test_feeds_run_on_their_interval_and_follow_a_reload(
    flxd_hub: Database, tmp_path: Path
) -> None:
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,quantity\nA,1\n")
    host = load_plugins()
    text = '[feeds.f]\ntype = "file"\npath = "stock.csv"\ninterval = "1m"\n'
    config = parse_config(text, registries=host, base_dir=tmp_path)
    fake = FakeClock()
    runner = FeedRunner(config, host, flxd_hub, fake)
    async with anyio.create_task_group() as tg:
        tg.start_soon(runner.serve)
        await fake.wait_for_sleepers(1)
        assert (await hub_state(flxd_hub))[1] == {"A": (None, 1)}
        stock.write_text("sku,quantity\nA,2\n")
        os.utime(stock, ns=(1, 1))
        await fake.advance(59)
        assert (await hub_state(flxd_hub))[1] == {"A": (None, 1)}  # not yet
        await fake.advance(1)
        await fake.wait_for_sleepers(1)
        assert (await hub_state(flxd_hub))[1] == {"A": (None, 2)}
        # A reload with another file: the loop restarts with it at once.
        (tmp_path / "other.csv").write_text("sku,quantity\nB,5\n")
        runner.replace(
            parse_config(text.replace("stock.csv", "other.csv"), registries=host, base_dir=tmp_path)
        )
        # The fake clock still counts the cancelled loop's sleep: the new loop's is the second.
        await fake.wait_for_sleepers(2)
        assert (await hub_state(flxd_hub))[1] == {"A": (None, 2), "B": (None, 5)}
        tg.cancel_scope.cancel()
