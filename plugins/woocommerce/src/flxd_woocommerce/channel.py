"""A WooCommerce site as a flxd Channel."""

from __future__ import annotations

from collections.abc import Mapping

import anyio

from flxd.plugin import (
    AuthError,
    ChannelBase,
    ChannelError,
    CheckContext,
    CheckReport,
    ConnectionServices,
    Http,
    OrderExplanation,
)
from flxd_woocommerce import embedded, webhooks
from flxd_woocommerce.check import check_connection
from flxd_woocommerce.client import Keys, WooClient
from flxd_woocommerce.config import WooCommerceSettings
from flxd_woocommerce.features import SiteFeatures
from flxd_woocommerce.orders.explain import explain_order

__all__ = ["WooCommerceChannel"]


class WooCommerceChannel(ChannelBase):
    def __init__(self, settings: WooCommerceSettings, services: ConnectionServices) -> None:
        self.settings = settings
        self.name = services.name
        self._services = services
        self._endpoint: embedded.Endpoint | None = None
        self._approved: Keys | None = None
        self._lock = anyio.Lock()
        self.features = SiteFeatures()
        """What the site offers, found out once per process."""

    async def _embedded(self) -> embedded.Endpoint:
        assert self.settings.sandbox is not None
        async with self._lock:
            if self._endpoint is None:
                self._endpoint = await embedded.acquire(self.settings.sandbox, self.name)
            return self._endpoint

    async def _keys(self) -> Keys:
        if self.settings.sandbox is not None:
            endpoint = await self._embedded()
            return endpoint.consumer_key, endpoint.consumer_secret
        configured = self.settings.keys
        if configured is not None:
            return configured[0].get_secret_value(), configured[1].get_secret_value()
        if self._approved is None:
            stored = await self._services.credentials.get()
            key = stored.get("consumer_key") if stored else None
            secret = stored.get("consumer_secret") if stored else None
            if not isinstance(key, str) or not isinstance(secret, str):
                raise AuthError(
                    f"connection {self.name} is not approved yet: run flxd connections add "
                    f"{self.name} and approve flxd on the store"
                )
            self._approved = key, secret
        return self._approved

    async def client_for(self, http: Http) -> WooClient:
        """The API client over `http` (a run's, or the connection's for checks and upkeep):
        starts the embedded sandbox if this connection uses one, and re-reads approved keys
        (the merchant may have approved flxd again since the last run)."""
        self._approved = None
        url = self.settings.url
        if self.settings.sandbox is not None:
            url = (await self._embedded()).site_url
        assert url is not None  # the settings model requires one without a sandbox
        return WooClient(
            http,
            site_url=url,
            scheme=self.settings.scheme(url),
            keys=self._keys,
            now=self._services.clock.now,
        )

    async def check(self, ctx: CheckContext) -> CheckReport:
        try:
            client = await self.client_for(ctx.http)
        except ChannelError as exc:
            return CheckReport(ok=False, verdict=str(exc))
        return await check_connection(client, ctx)

    async def explain_order(self, ctx: CheckContext, order_id: str) -> OrderExplanation:
        return await explain_order(await self.client_for(ctx.http), ctx, order_id)

    async def maintain(self, ctx: CheckContext) -> Mapping[str, int]:
        """Keep this site's webhooks registered and active (when `webhooks = true`)."""
        if not self.settings.webhooks:
            return {}
        client = await self.client_for(ctx.http)
        secret = webhooks.secret_for(
            self._services.credentials.vault,
            self.name,
            webhooks.site_key(self.settings, self.name),
        )
        target = webhooks.destination(self.settings, self.name, ctx.admin_url)
        return await webhooks.ensure_hooks(client, destination=target, secret=secret)

    async def aclose(self) -> None:
        if self._endpoint is not None and self.settings.sandbox is not None:
            self._endpoint = None
            await embedded.release(self.settings.sandbox, self.name)
