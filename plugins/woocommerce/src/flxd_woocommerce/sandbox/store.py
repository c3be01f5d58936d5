"""One emulated WooCommerce site: its keys, catalog, orders, webhooks, extension switches,
server capacity, faults, counters and request log, and the glue that turns domain events into
webhook deliveries."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flxd_woocommerce.sandbox.capacity import ServerCapacity
from flxd_woocommerce.sandbox.catalog.catalog import Catalog
from flxd_woocommerce.sandbox.catalog.render import product_json, variation_as_product_json
from flxd_woocommerce.sandbox.clock import SandboxClock
from flxd_woocommerce.sandbox.config import Behaviour, SandboxConfig
from flxd_woocommerce.sandbox.counters import RequestCounters
from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.faults import FaultInjector
from flxd_woocommerce.sandbox.ids import IdSequence
from flxd_woocommerce.sandbox.keys import KeyRing
from flxd_woocommerce.sandbox.orders.book import OrderBook
from flxd_woocommerce.sandbox.orders.render import order_json
from flxd_woocommerce.sandbox.orders.statuses import OrderStatuses
from flxd_woocommerce.sandbox.php import php_json
from flxd_woocommerce.sandbox.requestlog import RequestLog
from flxd_woocommerce.sandbox.site import Site
from flxd_woocommerce.sandbox.webhooks.delivery import (
    Delivery,
    DeliveryLog,
    DeliveryOutcome,
    Prepared,
    signature_of,
)
from flxd_woocommerce.sandbox.webhooks.registry import WebhookRegistry
from flxd_woocommerce.sandbox.wpdates import parse_timezone

if TYPE_CHECKING:
    from flxd_woocommerce.sandbox.approval import Approval

__all__ = ["Dispatch", "Store"]

Dispatch = Callable[[Delivery, Callable[[DeliveryOutcome], None], float], None]


FAILING_LISTS = frozenset({"/wc/v3/products", "/wc/v3/orders"})


class Store:
    """State of one site. Tests may read everything here; writes should go through the API or
    :class:`~flxd_woocommerce.sandbox.Sandbox` so events, dates and indexes stay right."""

    def __init__(
        self,
        *,
        name: str,
        config: SandboxConfig,
        clock: SandboxClock,
        origin: Callable[[], str],
        https: Callable[[], bool],
        dispatch: Dispatch | None,
        ids: IdSequence | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.clock = clock
        self.https = https
        self.ids = ids or IdSequence()
        self.site = Site(
            name=name,
            origin=origin,
            timezone=parse_timezone(config.site_timezone),
            permalinks=config.permalinks,
        )
        self.keys = KeyRing(self.ids, config.seed, name)
        self.statuses = OrderStatuses()
        self.catalog = Catalog(self.ids, self.emit, pessimistic=config.pessimistic)
        self.orders = OrderBook(
            self.ids, self.catalog, self.statuses, self.emit, wc_version=config.wc_version
        )
        self.hooks = WebhookRegistry(self.ids)
        self.shipment_tracking = config.shipment_tracking
        self.approval: str = config.approval
        self.approvals: list[Approval] = []
        """Runs of the app approval flow, oldest first."""
        self.capacity = ServerCapacity(config.capacity)
        self.faults = FaultInjector(config.faults, config.fault_rate, config.seed, name)
        self.counters = RequestCounters()
        self.requests = RequestLog()
        self.deliveries = DeliveryLog()
        self._dispatch = dispatch
        self._chaos = random.Random(f"{config.seed}:{name}:pessimism")
        self._behaviour: Behaviour = config.behaviour
        self.muted = False
        """While True (seeding, loading) changes raise no webhooks."""
        self.page_cap: int | None = None
        """Tests' control: lists serve at most this many items a page, in either behaviour
        (the pagination headers count with what was served), as a site filtering per_page does."""
        self.pages_before_failure: int | None = None
        """Tests' control: serve this many more pages of the products or orders list, then
        refuse the next one once (a 400, which no client retries), as if the run crashed
        between pages."""
        self.refused_ids: set[int] = set()
        """Tests' control: batch updates of these product or variation ids are refused item by
        item (a 400 inside the batch answer), the batch's other items are taken."""

    # ------------------------------------------------------------ behaviour

    @property
    def behaviour(self) -> Behaviour:
        return self._behaviour

    @behaviour.setter
    def behaviour(self, value: str) -> None:
        if value == "documented":
            self._behaviour = "documented"
        elif value == "pessimistic":
            self._behaviour = "pessimistic"
        else:
            raise ValueError("behaviour is 'documented' or 'pessimistic'")
        self.catalog.pessimistic = self._behaviour == "pessimistic"

    @property
    def pessimistic(self) -> bool:
        return self._behaviour == "pessimistic"

    def effective_per_page(self, asked: int) -> int:
        caps = [self.page_cap, self.config.pessimism.per_page_cap if self.pessimistic else None]
        return min([asked, *(cap for cap in caps if cap is not None)])

    def serve_page(self, collection: str) -> None:
        """A list page is about to be served: raise the failure `pages_before_failure` asks."""
        if self.pages_before_failure is None or collection not in FAILING_LISTS:
            return
        self.pages_before_failure -= 1
        if self.pages_before_failure < 0:
            self.pages_before_failure = None
            raise WpError(400, "rest_invalid_param", "Failing between pages (tests' control).")

    @property
    def order_lag_s(self) -> float:
        return self.config.pessimism.order_lag_s if self.pessimistic else 0.0

    def batch_item_fails(self) -> bool:
        """A pessimistic batch item that fails on its own (decided per item, reproducibly)."""
        rate = self.config.pessimism.batch_error_rate
        return self.pessimistic and self._chaos.random() < rate

    # -------------------------------------------------------------- webhooks

    def payload(self, resource: str, event: str, object_id: int) -> Any:
        """What a delivery carries: the resource as ``GET /wc/v3/{resource}s/{id}`` shows it
        now, ``{"id": ...}`` for a deletion, the REST error when it no longer exists."""
        if event == "deleted":
            return {"id": object_id}
        if resource == "order" and object_id in self.orders.orders:
            return order_json(self.orders.orders[object_id], self.site)
        if resource == "product":
            if object_id in self.catalog.products:
                return product_json(self.catalog, self.catalog.products[object_id], self.site)
            variation = self.catalog.variations.get(object_id)
            if variation is not None:
                parent = self.catalog.products[variation.product_id]
                return variation_as_product_json(variation, parent, self.site)
        post_type = "shop_order" if resource == "order" else resource
        return {
            "code": f"woocommerce_rest_{post_type}_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 404},
        }

    def emit(self, resource: str, event: str, object_id: int) -> None:
        if self.muted or self._dispatch is None:
            return
        topic = f"{resource}.{event}"
        for hook in self.hooks.matching(topic):
            self._schedule(hook.id, topic, object_id)

    def _prepare(self, hook_id: int, topic: str, object_id: int) -> Prepared | None:
        hook = self.hooks.hooks.get(hook_id)
        if hook is None:
            return None
        body = php_json(self.payload(hook.resource, hook.event, object_id))
        now = self.clock.now()
        delivery_id = hashlib.md5(f"{hook.id}{int(now.timestamp())}".encode()).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": self.user_agent,
            "X-WC-Webhook-Source": f"{self.site.home_url}/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": hook.resource,
            "X-WC-Webhook-Event": hook.event,
            "X-WC-Webhook-Signature": signature_of(body, hook.secret),
            "X-WC-Webhook-ID": str(hook.id),
            "X-WC-Webhook-Delivery-ID": delivery_id,
        }
        return Prepared(
            url=hook.delivery_url, home_url=self.site.home_url, body=body, headers=headers
        )

    def _schedule(self, hook_id: int, topic: str, object_id: int) -> None:
        assert self._dispatch is not None
        delivery = Delivery(
            store=self.name,
            webhook_id=hook_id,
            topic=topic,
            kind="event",
            render=lambda: self._prepare(hook_id, topic, object_id),
        )
        if not self.pessimistic:
            self._dispatch(delivery, self._record, 0.0)
            return
        chaos = self.config.pessimism
        if self._chaos.random() < chaos.webhook_loss_rate:
            self._record(
                DeliveryOutcome(
                    store=self.name,
                    webhook_id=hook_id,
                    topic=topic,
                    kind="event",
                    at=self.clock.now(),
                    status=None,
                    error="lost: never sent",
                    lost=True,
                )
            )
            return
        copies = 2 if self._chaos.random() < chaos.webhook_duplicate_rate else 1
        for copy_number in range(copies):
            delay = self._chaos.uniform(0.0, chaos.webhook_max_delay_s)
            sent = delivery if copy_number == 0 else _duplicate(delivery)
            self._dispatch(sent, self._record, delay)

    def ping(self, hook_id: int) -> Prepared | None:
        """The ``webhook_id=N`` form POST WooCommerce sends when a webhook is created."""
        hook = self.hooks.hooks.get(hook_id)
        if hook is None:
            return None
        return Prepared(
            url=hook.delivery_url,
            home_url=self.site.home_url,
            body=f"webhook_id={hook.id}".encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": self.user_agent,
            },
        )

    def _record(self, outcome: DeliveryOutcome) -> None:
        self.deliveries.outcomes.append(outcome)
        if outcome.kind == "event" and not outcome.lost:
            self.hooks.record_outcome(outcome.webhook_id, outcome.ok)

    def record_ping(self, outcome: DeliveryOutcome) -> None:
        self.deliveries.outcomes.append(outcome)

    @property
    def user_agent(self) -> str:
        return f"WooCommerce/{self.config.wc_version} Hookshot (WordPress/{self.config.wp_version})"


def _duplicate(delivery: Delivery) -> Delivery:
    return Delivery(
        store=delivery.store,
        webhook_id=delivery.webhook_id,
        topic=delivery.topic,
        kind=delivery.kind,
        render=delivery.render,
        duplicate=True,
    )
