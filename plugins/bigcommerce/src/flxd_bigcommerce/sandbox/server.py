"""The :class:`Sandbox`: emulated BigCommerce stores behind one aiohttp application, plus direct
in-process access for tests (create stores and tokens, place orders as a shopper, use up quota,
read counters, reset)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import anyio
import structlog
from aiohttp import web

from flxd_bigcommerce.sandbox.auth import TokenRegistry, default_token_value
from flxd_bigcommerce.sandbox.behaviour import Behaviour, PessimisticSettings
from flxd_bigcommerce.sandbox.catalog.records import Product
from flxd_bigcommerce.sandbox.clock import SandboxClock, SystemClock
from flxd_bigcommerce.sandbox.config import FLXD_SCOPES, SandboxConfig
from flxd_bigcommerce.sandbox.delivery import Delivery, DeliveryOutcome, WebhookDispatcher
from flxd_bigcommerce.sandbox.ids import IdSequence
from flxd_bigcommerce.sandbox.oauth import LoginService
from flxd_bigcommerce.sandbox.orders.checkout import CartLine, OrderDraft, place_order
from flxd_bigcommerce.sandbox.orders.records import Address, Order
from flxd_bigcommerce.sandbox.persist import (
    FORMAT_VERSION,
    SandboxSnapshot,
    StoreSnapshot,
    load_snapshot,
    save_snapshot,
)
from flxd_bigcommerce.sandbox.routes.app import build_app
from flxd_bigcommerce.sandbox.seed import seed_catalog, seed_orders
from flxd_bigcommerce.sandbox.store import Store

__all__ = ["DEFAULT_CLIENT_ID", "SAMPLE_SHOPPER", "Sandbox"]

log = structlog.get_logger(__name__)

# The client id of each store's default API account (hooks and metafields belong to it).
DEFAULT_CLIENT_ID = "flxd-sandbox-account"
SAMPLE_SHOPPER = Address(
    first_name="Sam",
    last_name="Shopper",
    street_1="12 Main Street",
    city="Austin",
    state="Texas",
    zip="78701",
    country="United States",
    country_iso2="US",
    phone="+1 555 010 1234",
    email="sam.shopper@example.com",
)
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_HASH = re.compile(r"[a-z0-9]{1,32}")


def _store_hash(seed: int, index: int) -> str:
    """A BigCommerce-looking store hash (10 lowercase alphanumerics), stable per seed."""
    number = int.from_bytes(hashlib.sha256(f"flxd-store:{seed}:{index}".encode()).digest()[:8])
    chars = []
    for _ in range(10):
        number, rest = divmod(number, 36)
        chars.append(_ALPHABET[rest])
    return "".join(chars)


class Sandbox:
    """Emulated BigCommerce stores. Build one from a :class:`SandboxConfig`, then either
    ``async with sandbox.serve() as base_url`` or hand ``sandbox.app`` to aiohttp's test tools;
    either way webhooks are delivered while the application runs."""

    def __init__(self, config: SandboxConfig | None = None, *, clock: SandboxClock | None = None):
        self.config = config or SandboxConfig()
        self.clock: SandboxClock = clock or SystemClock()
        self.behaviour = Behaviour(self.config.behaviour, self.config.pessimism)
        self.tokens = TokenRegistry()
        self.login = LoginService(self.clock, self.tokens, self.config.oauth, self.config.seed)
        self.dispatcher = WebhookDispatcher(self.clock)
        self.stores: dict[str, Store] = {}
        self.base_url: str | None = None
        self._app: web.Application | None = None
        state = self.config.state_file
        if state is not None and state.exists():
            self._restore(load_snapshot(state))
        else:
            self._populate()

    # ------------------------------------------------------------ serving

    @property
    def app(self) -> web.Application:
        """The aiohttp application serving the API, the login service and the control API."""
        if self._app is None:
            self._app = build_app(self)
        return self._app

    @property
    def login_base_url(self) -> str:
        """What replaces ``https://login.bigcommerce.com`` (valid while serving)."""
        if self.base_url is None:
            raise RuntimeError("the sandbox is not serving; use `async with sandbox.serve()`")
        return f"{self.base_url}/login"

    @asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve on ``host:port`` (0 picks a free port); yields the API base URL. State is saved
        to ``state_file`` on the way out."""
        # A short shutdown grace: a request held by a "slow" fault must not hold up the exit.
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound_host, bound_port = runner.addresses[0][:2]
            shown = f"[{bound_host}]" if ":" in bound_host else bound_host
            self.base_url = f"http://{shown}:{bound_port}"
            log.info("sandbox.serving", base_url=self.base_url, stores=list(self.stores))
            yield self.base_url
        finally:
            with anyio.CancelScope(shield=True):
                await runner.cleanup()
            self.base_url = None
            if self.config.state_file is not None:
                self.save_state()

    # --------------------------------------------------------------- stores

    def store(self, store_hash: str) -> Store:
        try:
            return self.stores[store_hash]
        except KeyError:
            raise LookupError(f"no sandbox store {store_hash!r}") from None

    @property
    def store_hashes(self) -> tuple[str, ...]:
        return tuple(self.stores)

    def _new_store(self, store_hash: str, ids: IdSequence | None = None) -> Store:
        deliver = self.dispatcher.enqueue if self.config.webhooks else None
        store = Store(
            store_hash=store_hash,
            store_id=1_000_000 + len(self.stores) + 1,
            config=self.config,
            clock=self.clock,
            deliver=deliver,
            ids=ids,
            behaviour=self.behaviour,
        )
        self.stores[store_hash] = store
        return store

    def create_store(
        self, store_hash: str | None = None, *, seed_products: int = 0, seed_orders: int = 0
    ) -> Store:
        """A new store with its default token (all the scopes flxd needs), optionally seeded."""
        if store_hash is None:
            index = len(self.stores)
            while _store_hash(self.config.seed, index) in self.stores:
                index += 1
            store_hash = _store_hash(self.config.seed, index)
        if store_hash in self.stores:
            raise ValueError(f"store {store_hash!r} already exists")
        if not _HASH.fullmatch(store_hash):
            raise ValueError("a store hash is 1-32 lowercase letters and digits")
        store = self._new_store(store_hash)
        self.tokens.create(
            store_hash,
            FLXD_SCOPES,
            client_id=DEFAULT_CLIENT_ID,
            value=default_token_value(self.config.seed, store_hash),
        )
        self.seed(store_hash, products=seed_products, orders=seed_orders)
        return store

    def _populate(self) -> None:
        explicit = list(self.config.store_hashes)
        for index in range(self.config.store_count):
            store_hash = explicit[index] if index < len(explicit) else None
            self.create_store(
                store_hash,
                seed_products=self.config.seed_products,
                seed_orders=self.config.seed_orders,
            )

    def seed(self, store_hash: str, *, products: int = 0, orders: int = 0) -> None:
        """Add realistic products, then orders for them (deterministic per seed and hash)."""
        store = self.store(store_hash)
        seed_catalog(store, products, self.config.seed)
        seed_orders(store, orders, self.config.seed)

    def reset(self) -> None:
        """Back to the configured start: stores re-created and re-seeded, tokens re-issued,
        the configured behaviour."""
        self.behaviour.switch(self.config.behaviour, self.config.pessimism)
        self.stores.clear()
        self.tokens = TokenRegistry()
        self.login = LoginService(self.clock, self.tokens, self.config.oauth, self.config.seed)
        self._populate()

    # ------------------------------------------------------------ behaviour

    def set_behaviour(self, name: str, pessimism: PessimisticSettings | None = None) -> None:
        """Switch every store to ``documented`` or ``pessimistic`` (with these knobs, else the
        configured ones). Delays already decided run their course."""
        self.behaviour.switch(name, pessimism or self.config.pessimism)

    async def deliver_due(self) -> None:
        """Send every webhook whose delay has ended by the sandbox clock and wait until each
        was attempted (for tests: move a fake clock, then call this)."""
        self.dispatcher.release_due()
        await self.dispatcher.wait_idle()

    # --------------------------------------------------------------- tokens

    def default_token(self, store_hash: str) -> str:
        """The token of the store's default API account."""
        self.store(store_hash)
        return default_token_value(self.config.seed, store_hash)

    def create_token(
        self,
        store_hash: str,
        scopes: Iterable[str] = FLXD_SCOPES,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
    ) -> str:
        self.store(store_hash)
        return self.tokens.create(store_hash, scopes, client_id=client_id).token

    def revoke_token(self, token: str) -> None:
        """From now on the token answers 401, as a deleted API account's would."""
        if not self.tokens.revoke(token):
            raise LookupError("unknown token")

    # ------------------------------------------------------------ shopper

    def place_order(
        self,
        store_hash: str,
        lines: Sequence[CartLine] | None = None,
        *,
        status_id: int = 11,
        customer: Address = SAMPLE_SHOPPER,
        customer_id: int = 0,
        created_at: datetime | None = None,
        shipping: Address | None = None,
    ) -> Order:
        """Check out as a shopper would (stock is taken, ``store/order/created`` fires). Without
        ``lines``, one unit of the first purchasable product is bought."""
        store = self.store(store_hash)
        if lines is None:
            lines = [self._default_line(store.catalog.products.values())]
        draft = OrderDraft(
            lines=lines,
            billing=customer,
            shipping=shipping,
            customer_id=customer_id,
            status_id=status_id,
            created_at=created_at,
        )
        return place_order(store.orders, store.catalog, draft)

    @staticmethod
    def _default_line(products: Iterable[Product]) -> CartLine:
        for product in products:
            if product.availability != "disabled" and product.base_variant_id is not None:
                return CartLine(product_id=product.id)
        raise LookupError("the store has no purchasable simple product to order")

    def set_order_status(self, store_hash: str, order_id: int, status_id: int) -> Order:
        """Change an order's status as the merchant or checkout would (webhooks fire)."""
        return self.store(store_hash).orders.set_status(order_id, status_id)

    def archive_order(self, store_hash: str, order_id: int) -> Order:
        book = self.store(store_hash).orders
        return book.change(replace(book.order(order_id), is_deleted=True))

    # --------------------------------------------------- limits and faults

    def consume_quota(self, store_hash: str, units: int) -> None:
        """Use ``units`` of the store's quota, as another app sharing it would."""
        self.store(store_hash).quota.consume(units)

    def set_faults(self, store_hash: str, profile: str | None, rate: float | None = None) -> None:
        self.store(store_hash).faults.configure(profile, rate)

    def counters(self, store_hash: str) -> Mapping[str, int]:
        """Requests per endpoint, e.g. ``{"GET /v3/catalog/products": 3}``."""
        return dict(self.store(store_hash).counters.by_endpoint)

    def deliveries(self, store_hash: str) -> list[DeliveryOutcome]:
        return list(self.store(store_hash).deliveries.outcomes)

    def lost_deliveries(self, store_hash: str) -> list[Delivery]:
        """Webhook deliveries the pessimistic behaviour never sent."""
        return list(self.store(store_hash).deliveries.lost)

    # ---------------------------------------------------------------- state

    def snapshot(self) -> SandboxSnapshot:
        stores = []
        for store in self.stores.values():
            catalog = store.catalog
            stores.append(
                StoreSnapshot(
                    hash=store.hash,
                    store_id=store.store_id,
                    ids=store.ids.state(),
                    products=tuple(catalog.products.values()),
                    variants=tuple(catalog.variants.values()),
                    options=tuple(catalog.options.values()),
                    custom_fields=tuple(catalog.custom_fields.values()),
                    orders=tuple(store.orders.orders.values()),
                    shipments=tuple(store.orders.shipments.values()),
                    metafields=tuple(store.metafields.records.values()),
                    hooks=tuple(store.hooks.hooks.values()),
                    tokens=tuple(self.tokens.of_store(store.hash)),
                )
            )
        return SandboxSnapshot(version=FORMAT_VERSION, seed=self.config.seed, stores=tuple(stores))

    def save_state(self, path: Path | None = None) -> Path:
        target = path or self.config.state_file
        if target is None:
            raise ValueError("no state file configured")
        save_snapshot(self.snapshot(), target)
        return target

    def _restore(self, snapshot: SandboxSnapshot) -> None:
        for saved in snapshot.stores:
            store = self._new_store(saved.hash, IdSequence(saved.ids))
            store.store_id = saved.store_id
            store.muted = True
            store.catalog.load(saved.products, saved.variants, saved.options, saved.custom_fields)
            store.orders.load(saved.orders, saved.shipments)
            store.metafields.records.update({m.id: m for m in saved.metafields})
            store.hooks.hooks.update({h.id: h for h in saved.hooks})
            store.muted = False
            for token in saved.tokens:
                self.tokens.add(token)
