"""Rows of a CSV or JSON Lines file, each with the line it starts on: the one reader behind
listing files and shipment files.

A problem with the file itself (unreadable, not UTF-8, an unknown format or column, a column
twice, a required column missing) rejects the file whole; a problem with one row comes back as
that row's message, so the caller reports it by line and goes on with the others. Every text
cell is checked for what no database can store (NUL, unpaired surrogates), in both formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from flxd.hub.files.header import unknown_columns

__all__ = ["FileRejected", "Row", "file_kind", "read_rows", "unstorable"]

Row = tuple[int, dict[str, Any] | str]
"""(line, the row's cells by column, or why the row cannot be read)."""
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_BARE_CR = re.compile("\r(?!\n)")


class FileRejected(ValueError):
    """The file as a whole cannot be read; nothing from it is used."""


def file_kind(path: Path, format: str | None) -> str:
    """ "csv" or "jsonl": as given, else by the file's extension."""
    kind = format or ("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson") else "csv")
    if kind not in ("csv", "jsonl"):
        raise FileRejected(f"{path}: unknown format {kind!r} (csv or jsonl)")
    return kind


def _cell_count(expected: int, found: int, bare_cr: bool) -> str:
    said = f"expected {expected} cells as in the header, found {found}"
    if bare_cr:  # csv ends a row at a lone CR, which spreadsheets rarely mean
        said += " (a carriage return in an unquoted cell ends the row there: quote that cell)"
    return said


def unstorable(text: str) -> bool:
    """Whether `text` holds what no database can keep (NUL; unpaired surrogates, which JSON
    escapes can make and UTF-8 cannot encode)."""
    return _UNSTORABLE.search(text) is not None


def read_rows(
    path: Path,
    kind: str,
    *,
    columns: Sequence[str],
    required: Sequence[str] = (),
    rename: Mapping[str, str] | None = None,
) -> tuple[str, Iterator[Row]]:
    """The file's text and its rows. CSV: a header line naming `columns` (after `rename`),
    empty cells left out (not stated); JSON Lines: one object per line, null values left out,
    numbers with a fraction read as Decimal."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise FileRejected(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise FileRejected(f"{path}: not UTF-8 (byte {exc.start})") from None
    names = dict(rename or {})
    if kind == "jsonl":
        return text, _checked(_jsonl_rows(text))
    return text, _checked(_csv_rows(text, path, columns, required, names))


def _csv_rows(
    text: str,
    path: Path,
    columns: Sequence[str],
    required: Sequence[str],
    rename: Mapping[str, str],
) -> Iterator[Row]:
    if not text.strip():
        return  # nothing at all, not even a header: an empty file
    reader = csv.reader(io.StringIO(text, newline=""))
    bare_cr = _BARE_CR.search(text) is not None
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise FileRejected(f"{path}: line 1: {exc}") from None
    named = [rename.get(h, h) for h in header]
    unknown = [h for h, n in zip(header, named, strict=True) if n not in columns]
    if unknown:
        raise FileRejected(f"{path}: line 1: {unknown_columns(unknown, header, columns)}")
    for column in required:
        if column not in named:
            raise FileRejected(f"{path}: line 1: no {column} column")
    if len(set(named)) != len(named):
        raise FileRejected(f"{path}: line 1: a column appears twice")
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            yield start, f"not valid CSV: {exc}"
            continue
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(named):
            yield start, _cell_count(len(named), len(cells), bare_cr)
            continue
        # Empty cells mean "not stated": a stock file with sku,price,quantity leaves the rest.
        yield start, {n: c for n, c in zip(named, cells, strict=True) if c.strip() != ""}


def _jsonl_rows(text: str) -> Iterator[Row]:
    # Lines end at \n only: splitlines() also breaks at \u2028, \x0c, ... which JSON allows
    # inside strings, and then every later row would be reported a line off.
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw, parse_float=Decimal)
        except ValueError as exc:
            yield number, f"not valid JSON: {exc}"
            continue
        if not isinstance(value, dict):
            yield number, "expected a JSON object"
            continue
        yield number, {k: v for k, v in value.items() if v is not None}


def _checked(rows: Iterator[Row]) -> Iterator[Row]:
    for line, row in rows:
        if isinstance(row, dict):
            bad = next((k for k, v in row.items() if _holds_unstorable(k, v)), None)
            if bad is not None:
                yield line, f"{bad}: contains NUL or an unpaired surrogate"
                continue
        yield line, row


def _holds_unstorable(key: str, value: Any) -> bool:
    if unstorable(key):
        return True
    if isinstance(value, str):
        return unstorable(value)
    if isinstance(value, list):
        return any(_holds_unstorable("", v) for v in value)
    if isinstance(value, dict):
        return any(_holds_unstorable(str(k), v) for k, v in value.items())
    return False
