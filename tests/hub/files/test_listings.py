"""Listing files: bad rows reported by line and skipped, good rows land whole."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from flxd.hub.files.listings import FileRejected, parse_listing_file

CSV = """sku,parent,name,price,quantity,options,upc
TEE-S,TEE,Tee,19.90,5,Size=S,012345678905
TEE-M,TEE,Tee,abc,5,Size=M,
TEE-L,TEE,Tee,19.90,-2,Size=L,
"MUG-1",,"Mug, large",7.5,10,,
BAD-UPC,,,1,1,,12AB
,,,1,1,,
"MULTI
LINE",,,1,1,,
"""


def test_csv_rows_are_parsed_and_bad_ones_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(CSV)
    parsed = parse_listing_file(path)
    assert [u.sku for u in parsed.updates] == ["TEE-S", "MUG-1"]
    tee = parsed.updates[0]
    assert (tee.parent, tee.listing_name, tee.price, tee.quantity, tee.options, tee.upc) == (
        "TEE",
        "Tee",
        Decimal("19.90"),
        5,
        (("Size", "S"),),
        "012345678905",
    )
    assert parsed.updates[1].listing_name == "Mug, large"
    assert parsed.updates[1].upc is None  # an empty cell means "not stated"
    assert [str(p) for p in parsed.problems] == [
        "line 3: price: 'abc' is not a number",
        "line 4: quantity: cannot be negative (-2)",
        "line 6: upc: expected 6 to 14 digits, got '12AB'",
        "line 7: sku: missing",
        "line 8: sku: contains control characters",
    ]


def test_jsonl_rows(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        {"sku": "A", "price": 10.10, "quantity": 3, "attributes": {"Material": "Oak"}},
        {"sku": "B", "price": "1e400"},
        "not an object",
        {"sku": "C", "colour": "red"},
        {"sku": "D", "quantity": True},
        {"sku": "E", "options": [["Size", "M"], ["Colour", "Red"]], "price": None},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken\n")
    parsed = parse_listing_file(path)
    assert [u.sku for u in parsed.updates] == ["A", "E"]
    assert parsed.updates[0].price == Decimal("10.10")  # parsed exactly, never via float
    assert parsed.updates[0].attributes == (("Material", "Oak"),)
    assert parsed.updates[1].options == (("Size", "M"), ("Colour", "Red"))
    assert [p.line for p in parsed.problems] == [2, 3, 4, 5, 7]
    assert "unknown column(s) colour" in str(parsed.problems[2])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sku,colour\nA,red\n", "line 1: unknown column(s) colour"),
        ("name,price\nTee,1\n", "line 1: no sku column"),
        ("sku,sku\nA,B\n", "line 1: a column appears twice"),
    ],
)
def test_a_bad_header_rejects_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(content)
    with pytest.raises(FileRejected, match=re.escape(message)):
        parse_listing_file(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "sku,prise,quantity\nA,1,2\n",
            "line 1: unknown column(s) prise (did you mean 'price'?) (known: sku, parent,",
        ),
        (
            "sku;price\nA;1\n",
            "line 1: unknown column(s) sku;price (known: sku, parent, name, description, upc, "
            "mpn, gtin, price, quantity, options, attributes): the columns seem to be separated "
            "by semicolons; flxd reads CSV with commas (save the file as comma-separated)",
        ),
        ("sku\tprice\nA\t1\n", "the columns seem to be separated by tabs"),
    ],
)
def test_a_bad_header_says_what_was_probably_meant(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(content)
    with pytest.raises(FileRejected, match=re.escape(message)):
        parse_listing_file(path)


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("a.csv", "", "the file is empty"),
        ("b.csv", "\n\n", "the file is empty"),
        ("c.csv", "sku,price\n", "the file has a header line and no rows"),
        ("d.csv", "sku,price\n,\n\n", "the file has a header line and no rows"),
        ("e.jsonl", "\n", "the file is empty"),
    ],
)
def test_a_file_without_rows_says_why(tmp_path: Path, name: str, content: str, why: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    parsed = parse_listing_file(path)
    assert (parsed.rows, parsed.empty) == (0, why)
    path.write_text("sku,price\nA,1\n" if name.endswith(".csv") else '{"sku": "A"}\n')
    assert parse_listing_file(path).empty is None


def test_not_utf8_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes("sku,name\nA,Gr\xfcn\n".encode("latin-1"))
    with pytest.raises(FileRejected, match="not UTF-8"):
        parse_listing_file(path)


def test_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "lieferant.csv"
    path.write_text("Artikelnummer,Bestand\nX-1,4\n")
    parsed = parse_listing_file(path, mapping={"Artikelnummer": "sku", "Bestand": "quantity"})
    assert [(u.sku, u.quantity) for u in parsed.updates] == [("X-1", 4)]


def flxd(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )


def test_cli_upsert_lands_good_rows_and_reports_bad_ones(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text("[daemon]\nstate_dir = 'state'\n")
    feed = tmp_path / "feed.csv"
    feed.write_text(CSV)
    result = flxd(config, "listings", "upsert", str(feed))
    assert result.returncode == 1  # some rows were rejected
    assert f"{feed}: line 3: price: 'abc' is not a number" in result.stdout
    assert "7 row(s): 2 created, 0 updated, 0 unchanged, 5 rejected" in result.stdout
    shown = json.loads(flxd(config, "listings", "show", "tee-s", "--json").stdout)
    assert shown["key"] == "TEE" and shown["variants"][0]["price"] == "19.90"

    feed.write_text("sku,quantity\nTEE-S,9\nMUG-1,10\n")
    result = flxd(config, "listings", "upsert", str(feed))
    assert result.returncode == 0
    assert "2 row(s): 0 created, 1 updated, 1 unchanged, 0 rejected" in result.stdout

    assert (
        flxd(config, "listings", "pause", "TEE-S").stdout == "pause: 1 listing(s) changed (TEE)\n"
    )
    listed = json.loads(flxd(config, "listings", "list", "--json").stdout)
    assert [(x["key"], x["status"]) for x in listed] == [("TEE", "paused"), ("MUG-1", "active")]

    exported = flxd(config, "listings", "export", "--format", "csv").stdout.splitlines()
    assert (
        exported[0] == "sku,parent,name,description,upc,mpn,gtin,price,quantity,options,attributes"
    )
    assert 'TEE-S,TEE,Tee,,012345678905,,,19.90,9,"{""Size"": ""S""}",' in exported

    feed.write_text("sku,colour\nA,red\n")
    result = flxd(config, "listings", "upsert", str(feed))
    assert result.returncode == 2
    assert "unknown column(s) colour" in result.stderr and "nothing was written" in result.stderr
