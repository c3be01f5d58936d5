"""Listing-file rows that crashed `flxd listings upsert` or were reported at the wrong line
before issue 9's fuzzing found them."""

from __future__ import annotations

import json
from pathlib import Path

from flxd.hub.files.listings import parse_listing_file


def test_a_lone_surrogate_or_nul_is_a_bad_row_not_a_crash(tmp_path: Path) -> None:
    # json.loads turns "\ud800" into a lone surrogate; SQLite could not store it and the whole
    # upsert (the good rows too) died with a traceback.
    path = tmp_path / "feed.jsonl"
    rows = [
        {"sku": "\ud800", "price": "1"},
        {"sku": "OK-1", "description": "a\u0000b"},
        {"sku": "OK-2", "options": {"Size": "\udfff"}},
        {"sku": "OK-3", "price": "2"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    parsed = parse_listing_file(path)
    assert [u.sku for u in parsed.updates] == ["OK-3"]
    assert [str(p) for p in parsed.problems] == [
        "line 1: sku: contains NUL or an unpaired surrogate",
        "line 2: description: contains NUL or an unpaired surrogate",
        "line 3: options: contains NUL or an unpaired surrogate",
    ]


def test_json_lines_are_counted_at_newlines_only(tmp_path: Path) -> None:
    # A raw U+2028 inside a JSON string is valid JSON; splitlines() broke the row there.
    path = tmp_path / "feed.jsonl"
    path.write_text('{"sku": "A", "name": "one\u2028two"}\n{"sku": "B", "price": "x"}\n')
    parsed = parse_listing_file(path)
    assert [u.sku for u in parsed.updates] == ["A"]
    assert [str(p) for p in parsed.problems] == ["line 2: price: 'x' is not a number"]


def test_a_huge_quantity_is_named_as_the_quantity(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("sku,quantity\nA," + "9" * 5000 + "\n")
    [problem] = parse_listing_file(path).problems
    assert str(problem).startswith("line 2: quantity: expected a whole number")


def test_a_lone_carriage_return_in_an_unquoted_cell_is_named(tmp_path: Path) -> None:
    # csv ends a row at a lone CR: the row reads as two, and the count alone puzzled operators.
    path = tmp_path / "feed.csv"
    path.write_bytes(b"sku,price\nA\r,1.00\nB,2.00\n")
    parsed = parse_listing_file(path)
    assert "B" in [u.sku for u in parsed.updates]
    assert any(
        "carriage return" in str(p) and str(p).startswith("line 2: ") for p in parsed.problems
    )
