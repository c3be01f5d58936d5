"""Reading listings from CSV or JSON Lines files (`flxd listings upsert`, the file feed).

Bad rows are reported with their line number and left out; the good rows are returned whole.
A problem with the file itself (unknown column, no `sku` column, not UTF-8) rejects the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flxd.hub.files.header import EMPTY_FILE, HEADER_ONLY
from flxd.hub.files.rows import FileRejected, file_kind, read_rows, unstorable
from flxd.hub.model import VariantUpdate

__all__ = ["COLUMNS", "FileRejected", "ParsedFile", "RowProblem", "parse_listing_file"]

COLUMNS = (
    "sku",
    "parent",
    "name",
    "description",
    "upc",
    "mpn",
    "gtin",
    "price",
    "quantity",
    "options",
    "attributes",
)
MAX_QUANTITY = 2_147_483_647
_DIGITS = re.compile(r"^\d{6,14}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class ParsedFile:
    updates: list[VariantUpdate] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0
    lines: list[int] = field(default_factory=list)
    """The line of each update, in the same order."""
    empty: str | None = None
    """Why the file had no rows at all (it is empty, or a header only); None when it had some."""


def parse_listing_file(
    path: Path, *, format: str | None = None, mapping: Mapping[str, str] | None = None
) -> ParsedFile:
    """Parse a listing file. `format` is "csv" or "jsonl" (default: by extension).
    `mapping` renames the file's columns to flxd's (e.g. {"Artikelnummer": "sku"})."""
    kind = file_kind(path, format)
    rename = dict(mapping or {})
    text, rows = read_rows(path, kind, columns=COLUMNS, required=("sku",), rename=rename)
    parsed = ParsedFile()
    for line, row in rows:
        parsed.rows += 1
        if isinstance(row, str):
            parsed.problems.append(RowProblem(line, row))
            continue
        row = {rename.get(k, k): v for k, v in row.items()}
        try:
            parsed.updates.append(_update(row))
            parsed.lines.append(line)
        except ValueError as exc:
            parsed.problems.append(RowProblem(line, str(exc)))
    if not parsed.rows:
        parsed.empty = HEADER_ONLY if kind == "csv" and text.strip() else EMPTY_FILE
    return parsed


def _shown(value: Any) -> str:
    """A value for a message, cut short."""
    quoted = repr(value)
    return quoted if len(quoted) <= 60 else quoted[:57] + "..."


def _update(row: Mapping[str, Any]) -> VariantUpdate:
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    sku = _text(row, "sku", limit=255)
    if sku is None:
        raise ValueError("sku: missing")
    return VariantUpdate(
        sku=sku,
        parent=_text(row, "parent", limit=255),
        listing_name=_text(row, "name", limit=250),
        description=_text(row, "description", limit=65535, multiline=True),
        upc=_code(row, "upc"),
        mpn=_text(row, "mpn", limit=255),
        gtin=_code(row, "gtin"),
        price=_price(row),
        quantity=_quantity(row),
        options=_pairs(row, "options"),
        attributes=_pairs(row, "attributes"),
    )


def _text(row: Mapping[str, Any], key: str, *, limit: int, multiline: bool = False) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"{key}: expected text, got {type(value).__name__}")
    text = str(value).strip()
    if not text:
        return None
    if len(text) > limit:
        raise ValueError(f"{key}: longer than {limit} characters ({len(text)})")
    if unstorable(text):
        raise ValueError(f"{key}: contains NUL or an unpaired surrogate")
    if not multiline and _CONTROL.search(text):
        raise ValueError(f"{key}: contains control characters")
    return text


def _code(row: Mapping[str, Any], key: str) -> str | None:
    text = _text(row, key, limit=14)
    if text is not None and not _DIGITS.match(text):
        raise ValueError(f"{key}: expected 6 to 14 digits, got {text!r}")
    return text


def _price(row: Mapping[str, Any]) -> Decimal | None:
    value = row.get("price")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"price: expected a number, got {type(value).__name__}")
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"price: {_shown(value)} is not a number") from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"price: must be zero or more, got {_shown(value)}")
    if price.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError(f"price: more than 4 decimal places in {_shown(value)}")
    if price >= Decimal("1e12"):
        raise ValueError(f"price: {_shown(value)} is implausibly large")
    return price


def _quantity(row: Mapping[str, Any]) -> int | None:
    value = row.get("quantity")
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("quantity: expected a whole number, got a boolean")
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,19}", text):
        raise ValueError(f"quantity: expected a whole number, got {_shown(value)}")
    quantity = int(text)
    if quantity < 0:
        raise ValueError(f"quantity: cannot be negative ({quantity})")
    if quantity > MAX_QUANTITY:
        raise ValueError(f"quantity: more than {MAX_QUANTITY}")
    return quantity


def _pairs(row: Mapping[str, Any], key: str) -> tuple[tuple[str, str], ...] | None:
    """`Size=M;Color=Red`, or JSON (an object or a list of [name, value]) in a cell or JSONL."""
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(f"{key}: looks like JSON but is not valid JSON") from None
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        items: list[Any] = list(value.items())
    elif isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = [part.split("=", 1) for part in value.split(";") if part.strip()]
    else:
        raise ValueError(f"{key}: expected name=value pairs")
    for item in items:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError(f"{key}: expected name=value, got {_shown(item)}")
        if not all(isinstance(part, str | int) and not isinstance(part, bool) for part in item):
            raise ValueError(f"{key}: expected text names and values, got {_shown(item)}")
        name, val = (str(item[0]).strip(), str(item[1]).strip())
        if not name or not val:
            raise ValueError(f"{key}: empty name or value in {_shown(item)}")
        if unstorable(name + val):
            raise ValueError(f"{key}: contains NUL or an unpaired surrogate")
        pairs.append((name, val))
    return tuple(pairs)
