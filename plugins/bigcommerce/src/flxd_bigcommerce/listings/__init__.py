"""The listing operations: import, publish and sync listings (issue 5)."""

from __future__ import annotations

from flxd.operation import Operation
from flxd_bigcommerce.config import (
    ImportListingsSettings,
    PublishListingsSettings,
    SyncListingsSettings,
)
from flxd_bigcommerce.listings.importer import run_import
from flxd_bigcommerce.listings.publisher import run_publish
from flxd_bigcommerce.listings.syncer import run_sync
from flxd_bigcommerce.operation import OperationSpec

__all__ = ["OPERATIONS"]

OPERATIONS: dict[Operation, OperationSpec] = {
    Operation.IMPORT_LISTINGS: OperationSpec(ImportListingsSettings, run_import),
    Operation.PUBLISH_LISTINGS: OperationSpec(PublishListingsSettings, run_publish),
    Operation.SYNC_LISTINGS: OperationSpec(SyncListingsSettings, run_sync),
}
