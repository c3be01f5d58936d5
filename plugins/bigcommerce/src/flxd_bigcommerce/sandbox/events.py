"""What domain code tells the world: ``(scope, data)`` pairs in BigCommerce's webhook vocabulary,
e.g. ``("store/product/updated", {"type": "product", "id": 12})``. The store turns them into
webhook deliveries for the hooks that match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["EventSink"]

EventSink = Callable[[str, dict[str, Any]], None]
