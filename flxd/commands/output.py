"""Human output (aligned tables) and machine output (JSON) for commands."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TextIO

from flxd.hub.jsonable import to_jsonable

__all__ = ["CELL_WIDTH", "ERROR_WIDTH", "print_json", "print_table", "shorten", "to_jsonable"]


def print_json(value: Any, out: TextIO) -> None:
    json.dump(to_jsonable(value), out, indent=2, ensure_ascii=False, sort_keys=True)
    out.write("\n")


CELL_WIDTH = 60
"""Cells longer than this are cut in the middle, unless a column says otherwise."""
ERROR_WIDTH = 100
"""Error cells: room for what failed and, at the end, its cause (an address, an errno)."""


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    out: TextIO,
    *,
    limits: Mapping[str, int | None] | None = None,
) -> None:
    """An aligned table. `limits` gives a column (by header) another cut-off than
    CELL_WIDTH, or None: never cut (for the last column, which nothing follows)."""
    cut = [(limits or {}).get(h, CELL_WIDTH) for h in headers]
    cells = [[_cell(v, limit) for v, limit in zip(row, cut, strict=True)] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))
    out.write(line.rstrip() + "\n")
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _cell(value: Any, limit: int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Enum):
        return str(value.value)
    return str(value) if limit is None else shorten(str(value), limit)


def shorten(text: str, width: int = CELL_WIDTH) -> str:
    """`text` cut to `width` in the middle: the start says what it is, the end (of an error,
    its cause: an address, an errno) is often what matters most."""
    if len(text) <= width:
        return text
    head = (width - 3) * 2 // 5
    return text[:head] + "..." + text[len(text) - (width - 3 - head) :]
