"""Per-store id sequences, shaped like WordPress's tables: products, variations and orders share
the posts sequence (an order id is never a product id); notes are comments; meta rows, order
items, webhooks and API keys have their own."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["IdSequence"]

_FIRST: Mapping[str, int] = {
    "post": 10,
    "comment": 1,
    "meta": 100,
    "item": 1,
    "webhook": 1,
    "key": 1,
}


class IdSequence:
    def __init__(self, state: Mapping[str, int] | None = None) -> None:
        self._last: dict[str, int] = dict(state or {})

    def next(self, kind: str) -> int:
        value = self._last.get(kind, _FIRST.get(kind, 1) - 1) + 1
        self._last[kind] = value
        return value

    def state(self) -> dict[str, int]:
        return dict(self._last)
