"""One emulated store: its catalog, orders, metafields, webhooks, quota, faults and counters,
and the glue that turns domain events into webhook deliveries (late, twice or never, under the
pessimistic behaviour)."""

from __future__ import annotations

from typing import Any

from flxd_bigcommerce.sandbox.behaviour import Behaviour, StoreDraws
from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.records import Product, Variant
from flxd_bigcommerce.sandbox.clock import SandboxClock
from flxd_bigcommerce.sandbox.config import SandboxConfig
from flxd_bigcommerce.sandbox.counters import RequestCounters
from flxd_bigcommerce.sandbox.delivery import Deliver, Delivery, DeliveryLog
from flxd_bigcommerce.sandbox.faults import FaultInjector
from flxd_bigcommerce.sandbox.ids import IdSequence
from flxd_bigcommerce.sandbox.metafields import Metafields
from flxd_bigcommerce.sandbox.orders.book import OrderBook
from flxd_bigcommerce.sandbox.orders.records import Order, Shipment
from flxd_bigcommerce.sandbox.ratelimit import StoreQuota
from flxd_bigcommerce.sandbox.webhooks import Hook, HookRegistry, webhook_payload

__all__ = ["Store"]

FIRST_ORDER_ID = 100  # BigCommerce numbers a store's orders from 100


class Store:
    """State of one store hash. Tests may read everything here; writes should go through the
    API or :class:`~flxd_bigcommerce.sandbox.Sandbox` so events and indexes stay right."""

    def __init__(
        self,
        *,
        store_hash: str,
        store_id: int,
        config: SandboxConfig,
        clock: SandboxClock,
        deliver: Deliver | None,
        ids: IdSequence | None = None,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.hash = store_hash
        self.store_id = store_id
        self.name = f"Sandbox Store {store_hash}"
        self.clock = clock
        self.behaviour = behaviour or Behaviour(config.behaviour, config.pessimism)
        self.draws = StoreDraws(config.seed, store_hash)
        self.ids = ids or IdSequence()
        self.ids.start_at("order", FIRST_ORDER_ID)
        self.catalog = Catalog(clock, self.emit, self.ids, self.behaviour)
        self.orders = OrderBook(clock, self.emit, self.ids, self.behaviour)
        self.metafields = Metafields(clock, self.ids)
        self.hooks = HookRegistry(store_hash, clock, self.ids)
        self.quota = StoreQuota(config.quota, config.window_ms, clock, config.concurrency)
        self.faults = FaultInjector(config.faults, config.fault_rate, config.seed, store_hash)
        self.counters = RequestCounters()
        self.deliveries = DeliveryLog()
        self._deliver = deliver
        self._muted = False

    @property
    def muted(self) -> bool:
        """While True (seeding, loading) changes raise no webhooks and show at once."""
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = self.catalog.muted = self.orders.muted = value

    def settle(self) -> None:
        """Let what the clock says is due show: lagging stock and prices, unlisted orders."""
        self.catalog.settle()
        self.orders.settle()

    def emit(self, scope: str, data: dict[str, Any]) -> None:
        if self._muted or self._deliver is None:
            return
        for hook in list(self.hooks.matching(scope)):
            payload = webhook_payload(
                scope, data, store_hash=self.hash, store_id=self.store_id, at=self.clock.now()
            )
            delivery = Delivery(
                store_hash=self.hash,
                hook_id=hook.id,
                destination=hook.destination,
                headers=dict(hook.headers or {}),
                payload=payload,
            )
            delays = self.draws.webhook_delays(self.behaviour.active)
            if not delays:
                self.deliveries.lost.append(delivery)
            for delay in delays:
                self._deliver(delivery, self.deliveries, delay)

    # ------------------------------------------------------ query helpers

    @property
    def products(self) -> dict[int, Product]:
        return self.catalog.products

    @property
    def variants(self) -> dict[int, Variant]:
        return self.catalog.variants

    @property
    def order_records(self) -> dict[int, Order]:
        return self.orders.orders

    @property
    def shipments(self) -> dict[int, Shipment]:
        return self.orders.shipments

    @property
    def hook_records(self) -> dict[int, Hook]:
        return self.hooks.hooks

    def product_by_sku(self, sku: str) -> Product | None:
        """The product whose product-level SKU is ``sku`` (any case)."""
        for product_id, variant_id in self.catalog.owner_of_sku(sku):
            if variant_id is None:
                return self.catalog.products[product_id]
        return None

    def variant_by_sku(self, sku: str) -> Variant | None:
        for _, variant_id in self.catalog.owner_of_sku(sku):
            if variant_id is not None:
                return self.catalog.variants[variant_id]
        return None

    def variants_of(self, product_id: int) -> list[Variant]:
        return list(self.catalog.variants_of(product_id))

    def shipments_of(self, order_id: int) -> list[Shipment]:
        return self.orders.shipments_of(order_id)
