"""The :class:`Sandbox`: emulated WooCommerce sites behind one aiohttp application, plus direct
in-process access for tests (create stores and keys, shop, change orders, switch settings,
read counters, request logs and deliveries)."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import structlog
from aiohttp import web

from flxd_woocommerce.sandbox import seed as seeding
from flxd_woocommerce.sandbox.catalog.records import Product, Variation
from flxd_woocommerce.sandbox.catalog.render import product_json
from flxd_woocommerce.sandbox.clock import SandboxClock, SystemClock
from flxd_woocommerce.sandbox.config import STORE_NAME, CapacityConfig, SandboxConfig
from flxd_woocommerce.sandbox.ids import IdSequence
from flxd_woocommerce.sandbox.keys import ApiKey
from flxd_woocommerce.sandbox.orders.book import CartLine, OrderDraft
from flxd_woocommerce.sandbox.orders.records import Order
from flxd_woocommerce.sandbox.outbound import Outbound
from flxd_woocommerce.sandbox.persist import (
    SandboxSnapshot,
    load_snapshot,
    restore_store,
    save_snapshot,
    take_snapshot,
)
from flxd_woocommerce.sandbox.requestlog import RequestLog
from flxd_woocommerce.sandbox.store import Store
from flxd_woocommerce.sandbox.tls import SelfSigned, make_certificate
from flxd_woocommerce.sandbox.webhooks.delivery import (
    Delivery,
    DeliveryOutcome,
    WebhookDispatcher,
)
from flxd_woocommerce.sandbox.wpdates import parse_timezone

__all__ = ["SAMPLE_SHOPPER", "Sandbox"]

log = structlog.get_logger(__name__)

SAMPLE_SHOPPER: Mapping[str, str] = {
    "first_name": "Sam",
    "last_name": "Shopper",
    "address_1": "12 Main Street",
    "city": "Austin",
    "state": "TX",
    "postcode": "78701",
    "country": "US",
    "email": "sam.shopper@example.com",
    "phone": "+1 555 010 1234",
}


class Sandbox:
    """Emulated WooCommerce sites. Build one from a :class:`SandboxConfig`, then either
    ``async with sandbox.serve() as base_url`` or hand ``sandbox.app`` to aiohttp's test
    tools; either way webhooks are delivered while the application runs."""

    def __init__(self, config: SandboxConfig | None = None, *, clock: SandboxClock | None = None):
        self.config = config or SandboxConfig()
        self.clock: SandboxClock = clock or SystemClock()
        self.outbound = Outbound(
            policy=self.config.outbound_policy,
            verify_tls=self.config.outbound_verify_tls,
            cafile=self.config.outbound_cafile,
            timeout_s=self.config.webhook_timeout_s,
        )
        self.dispatcher = WebhookDispatcher(self.clock, self.outbound)
        self.stores: dict[str, Store] = {}
        self.base_url: str | None = None
        self._tls: SelfSigned | None = make_certificate() if self.config.tls else None
        self._app: web.Application | None = None
        state = self.config.state_file
        if state is not None and state.exists():
            self._restore(load_snapshot(state))
        else:
            self._populate()

    # ------------------------------------------------------------- serving

    @property
    def app(self) -> web.Application:
        """The aiohttp application: every store's site, and the control API."""
        if self._app is None:
            from flxd_woocommerce.sandbox.routes.app import build_app

            self._app = build_app(self)
        return self._app

    def origin(self) -> str:
        """``scheme://host:port`` of the running sandbox (a placeholder before it serves)."""
        if self.base_url is not None:
            return self.base_url
        return ("https" if self._tls else "http") + "://sandbox.invalid"

    @property
    def https(self) -> bool:
        return self._tls is not None

    @property
    def certificate_pem(self) -> bytes | None:
        """The self-signed certificate served over HTTPS (None over plain HTTP)."""
        return self._tls.certificate_pem if self._tls else None

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context a client can use to trust this sandbox's certificate."""
        if self._tls is None:
            raise RuntimeError("the sandbox serves plain HTTP (SandboxConfig(tls=True) for HTTPS)")
        return self._tls.client_context()

    def write_certificate(self, path: Path) -> Path:
        if self._tls is None:
            raise RuntimeError("the sandbox serves plain HTTP: no certificate")
        path.write_bytes(self._tls.certificate_pem)
        return path

    @asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve on ``host:port`` (0 picks a free port); yields ``scheme://host:port``. State
        is saved to ``state_file`` on the way out."""
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        try:
            context = self._tls.server_context() if self._tls else None
            site = web.TCPSite(runner, host, port, ssl_context=context)
            await site.start()
            bound_host, bound_port = runner.addresses[0][:2]
            shown = f"[{bound_host}]" if ":" in bound_host else bound_host
            self.base_url = f"{'https' if self._tls else 'http'}://{shown}:{bound_port}"
            log.info("sandbox.serving", base_url=self.base_url, stores=list(self.stores))
            yield self.base_url
        finally:
            with anyio.CancelScope(shield=True):
                await runner.cleanup()
            self.base_url = None
            if self.config.state_file is not None:
                self.save_state()

    def site_url(self, name: str) -> str:
        """The store's WordPress address (what a client is configured with)."""
        return self.store(name).site.home_url

    # -------------------------------------------------------------- stores

    def store(self, name: str) -> Store:
        try:
            return self.stores[name]
        except KeyError:
            raise LookupError(f"no sandbox store {name!r}") from None

    @property
    def store_names(self) -> tuple[str, ...]:
        return tuple(self.stores)

    def _new_store(self, name: str, ids: IdSequence | None = None) -> Store:
        store = Store(
            name=name,
            config=self.config,
            clock=self.clock,
            origin=self.origin,
            https=lambda: self.https,
            dispatch=self._dispatch if self.config.webhooks else None,
            ids=ids,
        )
        self.stores[name] = store
        return store

    def _dispatch(self, delivery: Delivery, on_outcome: Any, delay_s: float) -> None:
        self.dispatcher.enqueue(delivery, on_outcome, delay_s=delay_s)

    def create_store(
        self, name: str | None = None, *, seed_products: int = 0, seed_orders: int = 0
    ) -> Store:
        """A new site with one ``read_write`` key, optionally seeded."""
        if name is None:
            index = len(self.stores) + 1
            while f"shop{index}" in self.stores:
                index += 1
            name = f"shop{index}"
        if name in self.stores:
            raise ValueError(f"store {name!r} already exists")
        if not STORE_NAME.fullmatch(name):
            raise ValueError("a store name is 1-32 lowercase letters, digits or '-'")
        store = self._new_store(name)
        store.keys.create("read_write", "flxd sandbox default key")
        self.seed(name, products=seed_products, orders=seed_orders)
        return store

    def _populate(self) -> None:
        named = list(self.config.store_names)
        for index in range(self.config.store_count):
            self.create_store(
                named[index] if index < len(named) else None,
                seed_products=self.config.seed_products,
                seed_orders=self.config.seed_orders,
            )

    def configure_store(
        self,
        name: str,
        *,
        permalinks: bool | None = None,
        shipment_tracking: bool | None = None,
        behaviour: str | None = None,
        approval: str | None = None,
        timezone: str | None = None,
        home_url: str | None = None,
    ) -> Store:
        """Switch a store's settings: pretty permalinks, the Shipment Tracking extension, the
        behaviour, the merchant's approval decision, the site timezone, the site's address
        (`home_url`, for a site reached through a proxy; "" puts the sandbox's back)."""
        store = self.store(name)
        if home_url is not None:
            if home_url and not home_url.startswith(("http://", "https://")):
                raise ValueError("home_url is an http(s) address")
            store.site.home = home_url.rstrip("/") or None
        if permalinks is not None:
            store.site.permalinks = bool(permalinks)
        if shipment_tracking is not None:
            store.shipment_tracking = bool(shipment_tracking)
        if behaviour is not None:
            store.behaviour = behaviour
        if approval is not None:
            if approval not in ("approve", "deny"):
                raise ValueError("approval is 'approve' or 'deny'")
            store.approval = approval
        if timezone is not None:
            store.site.timezone = parse_timezone(timezone)
        return store

    def seed(self, name: str, *, products: int = 0, orders: int = 0) -> None:
        """Add generated products, then orders for them (reproducible per seed and store)."""
        store = self.store(name)
        now = self.clock.now()
        seeding.seed_catalog(store, products, self.config.seed, now)
        seeding.seed_orders(store, orders, self.config.seed, now)

    def reset(self) -> None:
        """Back to the configured start: stores re-created and re-seeded, keys re-issued."""
        self.stores.clear()
        self._populate()

    # ---------------------------------------------------------------- keys

    def default_key(self, name: str) -> ApiKey:
        """The store's first key (``read_write``, made with the store)."""
        keys = self.store(name).keys.keys
        if not keys:
            raise LookupError(f"store {name!r} has no API key")
        return keys[min(keys)]

    def create_key(
        self, name: str, permissions: str = "read_write", description: str = ""
    ) -> ApiKey:
        return self.store(name).keys.create(permissions, description)

    def revoke_key(self, name: str, key_id: int) -> None:
        """The key stops working at once (a key deleted in the admin)."""
        self.store(name).keys.revoke(key_id)

    # ------------------------------------------------------------- merchant

    def add_product(self, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a product as the merchant would in the admin (webhooks fire): the REST
        fields, plus ``variations`` (a list of variation bodies) for a variable product."""
        store = self.store(name)
        fields = {k: v for k, v in body.items() if k != "variations"}
        product = store.catalog.create_product(fields, self.clock.now())
        for variation in body.get("variations") or []:
            store.catalog.create_variation(product, dict(variation), self.clock.now())
        return product_json(store.catalog, store.catalog.products[product.id], store.site)

    def set_stock(self, name: str, item_id: int, quantity: int) -> Product | Variation:
        """Stock set by another system (a POS, a stock plugin, ``wc_update_product_stock``):
        no ``date_modified`` move and no webhook, as WooCommerce does (issue 40060)."""
        catalog = self.store(name).catalog
        item: Product | Variation | None = catalog.products.get(item_id) or catalog.variations.get(
            item_id
        )
        if item is None:
            raise LookupError(f"no product or variation {item_id}")
        if not item.manage_stock:
            raise ValueError(f"product {item_id} does not manage stock")
        catalog.set_stock(item, quantity)
        return item

    def place_order(
        self,
        name: str,
        lines: Sequence[CartLine] | None = None,
        *,
        status: str = "processing",
        billing: Mapping[str, str] | None = None,
        customer_id: int = 0,
        customer_note: str = "",
        created_at: datetime | None = None,
    ) -> Order:
        """Check out as a shopper (stock taken, ``order.created`` fires). Without ``lines``,
        one unit of the first purchasable product or variation is bought."""
        store = self.store(name)
        if lines is None:
            lines = seeding.first_purchasable(store)
        draft = OrderDraft(
            lines=lines,
            status=status,
            billing=billing or SAMPLE_SHOPPER,
            shipping={k: v for k, v in (billing or SAMPLE_SHOPPER).items() if k != "email"},
            customer_id=customer_id,
            customer_note=customer_note,
            created_at=created_at,
        )
        return store.orders.place(draft, self.clock.now())

    def set_order_status(self, name: str, order_id: int, status: str) -> Order:
        """A status change by the merchant or a payment gateway (``order.updated`` fires)."""
        store = self.store(name)
        return store.orders.set_status(store.orders.order(order_id), status, self.clock.now())

    def edit_order_quantities(
        self, name: str, order_id: int, quantities: Mapping[int, int]
    ) -> Order:
        """The merchant edits item quantities: the order's ``date_modified`` does not move."""
        store = self.store(name)
        return store.orders.edit_quantities(store.orders.order(order_id), quantities)

    def register_order_status(self, name: str, slug: str, label: str | None = None) -> str:
        """A custom order status, as a plugin registers one (usable by slug in the API)."""
        return self.store(name).statuses.register(slug, label)

    # -------------------------------------------------- limits, faults, logs

    def set_faults(self, name: str, profile: str | None, rate: float | None = None) -> None:
        self.store(name).faults.configure(profile, rate)

    def set_capacity(self, name: str, capacity: CapacityConfig) -> None:
        self.store(name).capacity.configure(capacity)

    def counters(self, name: str) -> dict[str, int]:
        """Requests per endpoint, e.g. ``{"GET /wc/v3/products": 3}``."""
        return dict(self.store(name).counters.by_endpoint)

    def requests(self, name: str) -> RequestLog:
        """Every REST request the store received, with schema problems (see requestlog)."""
        return self.store(name).requests

    def deliveries(self, name: str) -> list[DeliveryOutcome]:
        return list(self.store(name).deliveries.outcomes)

    async def webhooks_idle(self) -> None:
        """Return once every queued delivery was attempted (delayed ones need the clock moved)."""
        await self.dispatcher.wait_idle()

    async def send_ping(self, store: Store, hook_id: int) -> DeliveryOutcome:
        """The ping a new webhook gets; answered or not, it changes nothing."""
        prepared = store.ping(hook_id)
        assert prepared is not None
        result = await self.outbound.post(
            prepared.url, prepared.body, dict(prepared.headers), home_url=prepared.home_url
        )
        outcome = DeliveryOutcome(
            store=store.name,
            webhook_id=hook_id,
            topic="ping",
            kind="ping",
            at=self.clock.now(),
            status=result.status,
            url=prepared.url,
            headers=prepared.headers,
            body=prepared.body,
            error=result.error,
        )
        store.record_ping(outcome)
        return outcome

    # ---------------------------------------------------------------- state

    def save_state(self, path: Path | None = None) -> Path:
        """Write every store's state (``state_file`` unless ``path``)."""
        target = path or self.config.state_file
        if target is None:
            raise ValueError("no state file configured")
        save_snapshot(take_snapshot(self.stores.values(), self.config.seed), target)
        return target

    def _restore(self, snapshot: SandboxSnapshot) -> None:
        for saved in snapshot.stores:
            restore_store(self._new_store(saved.name, IdSequence(saved.ids)), saved)
