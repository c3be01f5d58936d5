"""An order waiting for its acknowledgement, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flxd.plugin import AckState

__all__ = ["AckCandidate", "Outcome"]


@dataclass(frozen=True, slots=True)
class AckCandidate:
    order_id: int
    """The hub's id."""
    channel_order_id: int
    status: int
    """The status the order was imported in."""
    modified: datetime | None = None
    """BigCommerce's date_modified when it was read (None: read it again)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    state: AckState
    note: str
    status: int | None = None
    """The order's status on BigCommerce now, when known."""
    status_name: str | None = None
    conflict: bool = False
