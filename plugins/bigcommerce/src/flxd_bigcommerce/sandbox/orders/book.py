"""One store's orders and shipments, with the bookkeeping every change goes through:
``date_modified``, the default listing index, the JSON cache and ``store/order/*`` events, and
-- under the pessimistic ``order_listing_lag`` -- new orders that listings show late."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from flxd_bigcommerce.sandbox.behaviour import Behaviour, PessimisticSettings
from flxd_bigcommerce.sandbox.clock import SandboxClock
from flxd_bigcommerce.sandbox.dates import whole_seconds
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.events import EventSink
from flxd_bigcommerce.sandbox.ids import IdSequence
from flxd_bigcommerce.sandbox.orders.records import Order, Shipment
from flxd_bigcommerce.sandbox.orders.statuses import INCOMPLETE, STATUSES

__all__ = ["OrderBook"]


def _listed(order: Order) -> bool:
    # GET /v2/orders leaves out archived orders and, unless asked for by status_id=0,
    # incomplete ones (a sandbox choice; D:OV2 does not say -- see the package docs).
    return not order.is_deleted and order.status_id != INCOMPLETE


class OrderBook:
    def __init__(
        self,
        clock: SandboxClock,
        emit: EventSink,
        ids: IdSequence,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.clock = clock
        self.emit = emit
        self.ids = ids
        self.behaviour = behaviour or Behaviour("documented", PessimisticSettings())
        # While True (seeding, loading) new orders are listed at once.
        self.muted = False
        # Orders placed but not listed yet (replication lag): id -> monotonic time they show.
        self.unlisted: dict[int, float] = {}
        self.orders: dict[int, Order] = {}
        self.shipments: dict[int, Shipment] = {}
        self._shipments_of: dict[int, list[int]] = {}
        self._listed_ids: list[int] = []  # sorted ids of orders a plain listing returns
        self.json_cache: dict[int, Any] = {}

    def order(self, order_id: int) -> Order:
        found = self.orders.get(order_id)
        if found is None:
            raise ApiError(404, "The requested resource was not found.")
        return found

    def settle(self) -> None:
        """List the new orders whose listing lag has passed."""
        if self.unlisted:
            now = self.clock.monotonic()
            for order_id in [i for i, due in self.unlisted.items() if due <= now]:
                del self.unlisted[order_id]

    def listed_ids(self) -> list[int]:
        """Ids of orders a listing returns without filters, ascending (do not mutate)."""
        return self._listed_ids

    def shipments_of(self, order_id: int) -> list[Shipment]:
        return [self.shipments[s] for s in self._shipments_of.get(order_id, ())]

    def put(self, order: Order, *, touch: bool = True) -> Order:
        """Insert or replace an order, keeping the listing index and cache current."""
        old = self.orders.get(order.id)
        if touch:
            order = replace(order, date_modified=whole_seconds(self.clock.now()))
        if old is not None and _listed(old):
            self._listed_ids.pop(bisect.bisect_left(self._listed_ids, old.id))
        if _listed(order):
            bisect.insort(self._listed_ids, order.id)
        self.orders[order.id] = order
        self.json_cache.pop(order.id, None)
        return order

    def add(self, order: Order) -> Order:
        """A new order, as checkout creates it (its dates are the caller's). Under the
        pessimistic ``order_listing_lag`` it exists at once (get by id, webhooks) but listings
        and counts show it only once the lag has passed."""
        lag = self.behaviour.active.order_listing_lag
        if lag > 0 and not self.muted:
            self.unlisted[order.id] = self.clock.monotonic() + lag
        self.put(order, touch=False)
        self.emit("store/order/created", {"type": "order", "id": order.id})
        return order

    def change(self, order: Order) -> Order:
        """Save a modified order and announce it; a status change is announced as well."""
        old = self.order(order.id)
        saved = self.put(order)
        self.emit("store/order/updated", {"type": "order", "id": order.id})
        if old.status_id != saved.status_id:
            self.emit(
                "store/order/statusUpdated",
                {
                    "type": "order",
                    "id": order.id,
                    "status": {
                        "previous_status_id": old.status_id,
                        "new_status_id": saved.status_id,
                    },
                },
            )
        return saved

    def set_status(self, order_id: int, status_id: int) -> Order:
        if status_id not in STATUSES:
            raise ApiError(400, f"The status_id {status_id} is not a valid order status.")
        order = self.order(order_id)
        return self.change(replace(order, status_id=status_id))

    def put_shipment(self, shipment: Shipment) -> Shipment:
        if shipment.id not in self.shipments:
            self._shipments_of.setdefault(shipment.order_id, []).append(shipment.id)
        self.shipments[shipment.id] = shipment
        return shipment

    def drop_shipment(self, shipment_id: int) -> Shipment:
        shipment = self.shipments.pop(shipment_id)
        self._shipments_of[shipment.order_id].remove(shipment_id)
        return shipment

    def load(self, orders: Iterable[Order], shipments: Iterable[Shipment]) -> None:
        """Bulk-insert records from a saved state, as they were (no date bump, no events)."""
        for order in orders:
            self.put(order, touch=False)
        for shipment in shipments:
            self.put_shipment(shipment)
