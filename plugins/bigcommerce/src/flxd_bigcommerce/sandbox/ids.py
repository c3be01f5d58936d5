"""Id allocation: one monotonic sequence per kind of record, never reusing an id."""

from __future__ import annotations

__all__ = ["IdSequence"]


class IdSequence:
    """Monotonic ids per kind (``"product"``, ``"order"``, ...), as BigCommerce allocates them."""

    __slots__ = ("_next",)

    def __init__(self, state: dict[str, int] | None = None) -> None:
        self._next: dict[str, int] = dict(state or {})

    def take(self, kind: str) -> int:
        value = self._next.get(kind, 1)
        self._next[kind] = value + 1
        return value

    def start_at(self, kind: str, first: int) -> None:
        """Make the next id of ``kind`` at least ``first`` (order ids start at 100)."""
        self._next[kind] = max(self._next.get(kind, 1), first)

    def state(self) -> dict[str, int]:
        return dict(self._next)
