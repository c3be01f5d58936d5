"""What a WooCommerce site offers beyond the documents' minimum, found out once per process:
the `modified_after` filter (WooCommerce 5.8 and later) and the Shipment Tracking extension."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flxd_woocommerce.client import WooClient
from flxd_woocommerce.listings.scan import supports_modified_after

__all__ = ["TRACKING_NAMESPACE", "SiteFeatures"]

TRACKING_NAMESPACE = "wc-shipment-tracking/v3"


class SiteFeatures:
    def __init__(self) -> None:
        self._modified_after: bool | None = None
        self._tracking: bool | None = None

    async def modified_after(self, client: WooClient, now: datetime) -> bool:
        """Whether incremental imports can ask for products modified after a moment."""
        if self._modified_after is None:
            found = await supports_modified_after(client, now)
            if found is None:
                return True  # an empty store: nothing to miss; ask again next time
            self._modified_after = found
        return self._modified_after

    async def shipment_tracking(self, client: WooClient) -> bool:
        """Whether the site has the Shipment Tracking extension (its REST namespace)."""
        if self._tracking is None:
            index = await client.request("GET", "", namespace="", params={"_fields": "namespaces"})
            namespaces = index.data.get("namespaces") if isinstance(index.data, Mapping) else None
            self._tracking = isinstance(namespaces, list) and TRACKING_NAMESPACE in namespaces
        return self._tracking
