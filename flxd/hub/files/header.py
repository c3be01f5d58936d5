"""What is wrong with a file's header line, said so that the fix is obvious."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

__all__ = ["EMPTY_FILE", "HEADER_ONLY", "unknown_columns"]

EMPTY_FILE = "the file is empty"
HEADER_ONLY = "the file has a header line and no rows"
_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def unknown_columns(unknown: Sequence[str], header: Sequence[str], known: Sequence[str]) -> str:
    """`unknown column(s) …` with a did-you-mean for each near miss, and a word about the
    delimiter when the whole header looks like columns separated by something else."""
    listed = f"(known: {', '.join(known)})"
    if len(header) == 1:
        for delimiter, name in _DELIMITERS.items():
            parts = [p.strip() for p in header[0].split(delimiter)]
            if len(parts) > 1 and any(p in known for p in parts):
                return (
                    f"unknown column(s) {', '.join(unknown)} {listed}: the columns seem to be "
                    f"separated by {name}; flxd reads CSV with commas (save the file as "
                    "comma-separated)"
                )
    named = []
    for column in unknown:
        close = difflib.get_close_matches(column, list(known), n=1, cutoff=0.7)
        named.append(f"{column} (did you mean {close[0]!r}?)" if close else column)
    return f"unknown column(s) {', '.join(named)} {listed}"
