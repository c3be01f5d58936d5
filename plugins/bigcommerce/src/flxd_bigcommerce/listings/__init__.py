"""The listing operations: import, publish and sync listings (issue 5)."""

from __future__ import annotations

from flxd.operation import Operation
from flxd_bigcommerce.operation import OperationSpec

__all__ = ["OPERATIONS"]

OPERATIONS: dict[Operation, OperationSpec] = {}
