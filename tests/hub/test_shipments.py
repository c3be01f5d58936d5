"""`flxd orders ship`: recording shipments from the command line and from shipment files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import anyio
import pytest
import structlog

from flxd.cli import main
from flxd.hub.files.shipments import ShipmentFileRejected, parse_shipment_file
from flxd.hub.model import Order, OrderLine, Shipment
from flxd.hub.orders import OrderBook
from flxd.hub.shipments import ShipmentRequest
from flxd.store.sqlite import SqliteDatabase

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def hub_order(channel_id: str, status: tuple[str, str] = ("11", "Awaiting Fulfillment")) -> Order:
    return Order(
        connection="shop",
        channel_order_id=channel_id,
        status_code=status[0],
        status_name=status[1],
        created_at=NOW,
        modified_at=NOW,
        grand_total=Decimal("30.00"),
        lines=(
            OrderLine(channel_line_id="1", sku="MUG", name="Mug", quantity=2),
            OrderLine(channel_line_id="2", sku="TEE", name="Tee", quantity=1),
        ),
    )


@pytest.fixture(autouse=True)
def _logging_back_to_default() -> Iterator[None]:
    # The command logs to the stderr pytest captures; later tests must not write to it.
    yield
    structlog.reset_defaults()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "flxd.toml"
    path.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n')

    async def seed() -> None:
        async with SqliteDatabase(tmp_path / "state" / "flxd.db") as db:
            await db.migrate()
            async with db.transaction() as tx:
                book = OrderBook(tx, NOW)
                for channel_id in ("1001", "1002"):
                    await book.store(hub_order(channel_id))
                await book.store(hub_order("1003", ("7", "Awaiting Payment")))  # hub order 3

    anyio.run(seed)
    return path


def shipments(config: Path) -> list[Shipment]:
    async def read() -> list[Shipment]:
        database = SqliteDatabase(config.parent / "state" / "flxd.db")
        async with database as db, db.transaction() as tx:
            book = OrderBook(tx, NOW)
            return [*await book.shipments_of(1), *await book.shipments_of(2)]

    return anyio.run(read)


def ship(config: Path, *args: str) -> int:
    return main(["--config", str(config), "orders", "ship", *args])


def test_ship_items_of_an_order_once(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["1", "--tracking", "1Z9", "--carrier", "ups", "--method", "Ground", "--item", "MUG=1"]
    assert ship(config, *args) == 0
    assert capsys.readouterr().out == (
        "recorded shipment 1 of order 1 (shop #1001): MUGx1; the next sync_orders run of shop "
        "pushes it\n"
    )
    assert ship(config, *args) == 0
    assert "already has shipment 1 with tracking 1Z9: nothing recorded" in capsys.readouterr().out
    [only] = shipments(config)
    assert (only.carrier, only.tracking_number, only.method) == ("ups", "1Z9", "Ground")


def test_ship_by_connection_and_channel_id_ships_everything_left(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ship(config, "shop", "1002", "--tracking", "T2", "--json") == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["created"] is True
    assert [(line["sku"], line["quantity"]) for line in answer["shipment"]["lines"]] == [
        ("MUG", 2),
        ("TEE", 1),
    ]


def test_ship_refuses_more_than_is_unshipped(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ship(config, "1", "--item", "MUG=3") == 1
    assert capsys.readouterr().err == "flxd: order 1: MUG: 3 requested, only 2 unshipped\n"
    assert ship(config, "shop", "9999") == 1
    assert "no shop #9999 in the hub" in capsys.readouterr().err
    assert ship(config, "1", "--item", "MUG=x") == 2
    assert shipments(config) == []


def test_ship_says_when_a_sku_is_not_on_the_order_or_shipped_already(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ship(config, "1", "--item", "NOPE=1") == 1
    assert capsys.readouterr().err == (
        "flxd: order 1: NOPE is not on the order (its lines: MUGx2, TEEx1)\n"
    )
    assert ship(config, "1", "--tracking", "T1", "--item", "MUG=2") == 0
    capsys.readouterr()
    assert ship(config, "1", "--tracking", "T2", "--item", "mug=1") == 1
    assert capsys.readouterr().err == (
        "flxd: order 1: mug: 1 requested, but all 2 ordered are shipped already\n"
    )


def test_an_order_awaiting_payment_is_shipped_only_when_asked_to(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ship(config, "shop", "1003", "--tracking", "T3") == 1
    assert capsys.readouterr().err == (
        "flxd: shop #1003: shop #1003 is Awaiting Payment: not paid, as far as the hub knows "
        "(its status when last imported), so nothing was recorded; if it is paid, ship it "
        'anyway (flxd orders ship --unpaid; in the API, "unpaid": true)\n'
    )
    assert ship(config, "shop", "1003", "--tracking", "T3", "--unpaid") == 0
    assert "recorded shipment 1 of order 3 (shop #1003)" in capsys.readouterr().out


def test_ship_a_file_reports_bad_lines_and_records_the_rest(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = config.parent / "shipments.csv"
    feed.write_text(
        "order,connection,order_id,tracking,carrier,sku,quantity\n"
        "1,,,1Z1,ups,MUG,1\n"
        "1,,,1Z1,ups,TEE,1\n"
        ",shop,1002,1Z2,fedex,,\n"
        "1,,,1Z3,ups,MUG,5\n"
        ",,,1Z4,ups,MUG,1\n"
    )
    assert ship(config, "--file", str(feed)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{feed}: line 5: order 1: MUG: 5 requested, only 1 unshipped",
        f"{feed}: line 6: give either order (a hub order id) or connection and order_id",
        f"{feed}: 5 row(s): 2 shipment(s) recorded, 0 already recorded, 2 rejected",
    ]
    recorded = shipments(config)
    assert [(s.tracking_number, [(x.sku, x.quantity) for x in s.lines]) for s in recorded] == [
        ("1Z1", [("MUG", 1), ("TEE", 1)]),
        ("1Z2", [("MUG", 2), ("TEE", 1)]),
    ]
    assert ship(config, "--file", str(feed)) == 1  # fed again: nothing twice
    assert f"{feed}: 5 row(s): 0 shipment(s) recorded, 2 already recorded" in (
        capsys.readouterr().out
    )
    assert len(shipments(config)) == 2


def test_shipment_files_in_json_lines(tmp_path: Path) -> None:
    feed = tmp_path / "s.jsonl"
    feed.write_text(
        '{"order": "1", "tracking_number": "A", "items": [{"sku": "MUG", "quantity": 2}]}\n'
        '{"connection": "shop", "order_id": "1002", "items": {"TEE": 1}, "carrier": "dhl"}\n'
        '{"order": "1", "items": "MUG=1;TEE"}\n'
        "[1]\n"
        '{"order": "1", "colour": "red"}\n'
    )
    parsed = parse_shipment_file(feed)
    assert [r for _, r in parsed.requests] == [
        ShipmentRequest(order="1", tracking_number="A", items=(("MUG", 2),)),
        ShipmentRequest(order="1002", connection="shop", carrier="dhl", items=(("TEE", 1),)),
        ShipmentRequest(order="1", items=(("MUG", 1), ("TEE", 1))),
    ]
    assert parsed.problems == [(4, "expected a JSON object"), (5, "unknown field(s) colour")]


def test_a_shipment_file_with_an_unknown_column_is_rejected_whole(tmp_path: Path) -> None:
    feed = tmp_path / "s.csv"
    feed.write_text("order,trackingnumber\n1,X\n")
    with pytest.raises(ShipmentFileRejected, match="unknown column"):
        parse_shipment_file(feed)
