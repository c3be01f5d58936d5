"""The five operations a channel can perform, and the order `run --once` runs them in."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RUN_ORDER", "Operation"]


class Operation(StrEnum):
    IMPORT_LISTINGS = "import_listings"
    PUBLISH_LISTINGS = "publish_listings"
    SYNC_LISTINGS = "sync_listings"
    GET_ORDERS = "get_orders"
    SYNC_ORDERS = "sync_orders"


# Dependency order within one connection: imports link listings before publish creates the rest,
# publish creates products before sync pushes prices to them; orders before their shipments.
RUN_ORDER: tuple[Operation, ...] = (
    Operation.IMPORT_LISTINGS,
    Operation.PUBLISH_LISTINGS,
    Operation.SYNC_LISTINGS,
    Operation.GET_ORDERS,
    Operation.SYNC_ORDERS,
)
