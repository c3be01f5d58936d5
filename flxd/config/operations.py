"""The settings every channel's operations share: what core itself acts on.

A channel's operation settings subclass the one for their operation (the registry checks it),
adding their store's own keys and narrowing choices, e.g. which identifiers `master_sku` may
name. Core reads only what is defined here: SKU matching (import), personal-data retention
(get_orders).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from flxd.config.models import OperationSettings
from flxd.config.types import Duration
from flxd.operation import Operation

__all__ = [
    "CORE_SETTINGS",
    "Days",
    "GetOrdersSettings",
    "ImportListingsSettings",
    "PublishListingsSettings",
    "SyncListingsSettings",
    "SyncOrdersSettings",
]


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


Days = Annotated[int | None, BeforeValidator(_blank_is_none)]
"""A number of days; blank or absent means none (no limit)."""


class ImportListingsSettings(OperationSettings):
    master_sku: str = "sku"
    """Which identifier of a channel item becomes the hub's master SKU (a channel narrows the
    choice); items without it are skipped, counted, and named in the run's errors."""
    new_listings_paused: bool = False
    """Listings created by the import start paused: no price or quantity pushed until unpaused."""
    mode: Literal["create_only", "create_and_overwrite"] = "create_only"
    """create_only: link items to hub variants with the same master SKU, create the rest.
    create_and_overwrite: also overwrite matched variants' price and quantity."""
    overwrite_product_data: bool = True
    """With create_and_overwrite: update name, description, identifiers and attributes of
    matched listings too (true), or only price and quantity (false)."""
    reconcile_interval: Duration = Field(default=86400.0, ge=60.0)
    """How often the daemon runs the reconciliation pass: it reads every linked variant's price
    and stock on the store and puts the hub's values back where they drifted (changes no
    `date_modified` shows). Counted from the last completed pass, across restarts."""
    reconcile_share: float = Field(default=0.5, gt=0.0, le=1.0)
    """The most of the connection's request quota (and places in flight) the pass may use, so
    order imports are never starved."""


class PublishListingsSettings(OperationSettings):
    override_names: bool = True
    """A product found on the store under the listing's SKU gets the hub's name (true)."""


class SyncListingsSettings(OperationSettings):
    pass


class GetOrdersSettings(OperationSettings):
    created_within_days: Days = Field(default=None, ge=1)
    """Only orders created within this many days; leave out to import orders of any age."""
    pii_retention_days: Days = Field(default=None, ge=0)
    """Erase customers' personal data this many days after import; 0 or absent keeps it. Core
    erases it at the start of every get_orders run, whatever the store answers."""


class SyncOrdersSettings(OperationSettings):
    pass


CORE_SETTINGS: dict[Operation, type[OperationSettings]] = {
    Operation.IMPORT_LISTINGS: ImportListingsSettings,
    Operation.PUBLISH_LISTINGS: PublishListingsSettings,
    Operation.SYNC_LISTINGS: SyncListingsSettings,
    Operation.GET_ORDERS: GetOrdersSettings,
    Operation.SYNC_ORDERS: SyncOrdersSettings,
}
"""What each operation's settings must extend."""
