"""The order operations: get orders and sync orders (issue 6)."""

from __future__ import annotations

from flxd.operation import Operation
from flxd_bigcommerce.operation import OperationSpec

__all__ = ["OPERATIONS"]

OPERATIONS: dict[Operation, OperationSpec] = {}
