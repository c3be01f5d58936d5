"""The order operations: get orders (import, acknowledge, purge personal data) and sync orders
(push shipments). Modules: scan (keyset paging), mapping (V2 order -> hub Order), importer,
acknowledge, retention, shipments, explain (`flxd orders explain`)."""

from __future__ import annotations

from flxd.operation import Operation
from flxd_bigcommerce.config import GetOrdersSettings, SyncOrdersSettings
from flxd_bigcommerce.operation import OperationSpec
from flxd_bigcommerce.orders.importer import run_get_orders
from flxd_bigcommerce.orders.shipments import run_sync_orders

__all__ = ["OPERATIONS"]

OPERATIONS: dict[Operation, OperationSpec] = {
    Operation.GET_ORDERS: OperationSpec(GetOrdersSettings, run_get_orders),
    Operation.SYNC_ORDERS: OperationSpec(SyncOrdersSettings, run_sync_orders),
}
