"""`… IN (?, ?, …)` over lists of any length: split into chunks the drivers accept (SQLite
binds at most 32,766 parameters, asyncpg 32,767), each chunk its own statement."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from flxd.store.base import Row, Tx

__all__ = ["CHUNK", "chunked", "execute_in", "fetch_in"]

CHUNK = 500
T = TypeVar("T")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


async def fetch_in(tx: Tx, sql: str, values: Sequence[Any], *prefix: Any) -> list[Row]:
    """`sql` ends with `IN`; its `?` before the list take `prefix`. Rows of every chunk."""
    found: list[Row] = []
    for chunk in chunked(values):
        found.extend(await tx.fetch(f"{sql} ({_marks(chunk)})", *prefix, *chunk))
    return found


async def execute_in(tx: Tx, sql: str, values: Sequence[Any], *prefix: Any) -> None:
    """`sql` ends with `IN`; its `?` before the list take `prefix`."""
    for chunk in chunked(values):
        await tx.execute(f"{sql} ({_marks(chunk)})", *prefix, *chunk)


def _marks(chunk: Sequence[Any]) -> str:
    return ", ".join("?" * len(chunk))
