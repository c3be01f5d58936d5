"""A BigCommerce store as a flxd Channel."""

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
from flxd_bigcommerce import embedded, webhooks
from flxd_bigcommerce.check import check_connection
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import BigCommerceSettings
from flxd_bigcommerce.orders.explain import explain_order

__all__ = ["BigCommerceChannel"]


class BigCommerceChannel(ChannelBase):
    def __init__(self, settings: BigCommerceSettings, services: ConnectionServices) -> None:
        self.settings = settings
        self.name = services.name
        self._services = services
        self._endpoint: embedded.Endpoint | None = None
        self._oauth_token: str | None = None
        self._lock = anyio.Lock()

    async def _token(self) -> str:
        if self.settings.sandbox is not None:
            endpoint = await self._embedded()
            return endpoint.token
        token = self.settings.access_token
        if token is not None:
            return token.get_secret_value()
        if self._oauth_token is None:
            stored = await self._services.credentials.get()
            value = stored.get("access_token") if stored else None
            if not isinstance(value, str):
                raise AuthError(
                    f"connection {self.name} is not approved yet: "
                    f"run flxd connections add {self.name} and approve the app"
                )
            self._oauth_token = value
        return self._oauth_token

    async def _embedded(self) -> embedded.Endpoint:
        assert self.settings.sandbox is not None
        async with self._lock:
            if self._endpoint is None:
                self._endpoint = await embedded.acquire(
                    self.settings.sandbox, self.settings.store_hash, self.name
                )
            return self._endpoint

    async def client_for(self, http: Http) -> BigCommerceClient:
        """The API client over `http` (a run's, or the connection's for checks and upkeep):
        starts the embedded sandbox if this connection uses one, and re-reads an OAuth token
        (it may have been approved again since the last run)."""
        self._oauth_token = None
        base_url = self.settings.api_base_url
        if self.settings.sandbox is not None:
            base_url = (await self._embedded()).api_base_url
        return BigCommerceClient(
            http, store_hash=self.settings.store_hash, token=self._token, api_base_url=base_url
        )

    async def check(self, ctx: CheckContext) -> CheckReport:
        try:
            client = await self.client_for(ctx.http)
        except ChannelError as exc:
            return CheckReport(ok=False, verdict=str(exc))
        return await check_connection(client, ctx, self.settings)

    async def explain_order(self, ctx: CheckContext, order_id: str) -> OrderExplanation:
        return await explain_order(await self.client_for(ctx.http), ctx, order_id)

    async def maintain(self, ctx: CheckContext) -> Mapping[str, int]:
        """Keep this store's webhooks registered and active (when `webhooks = true`)."""
        if not self.settings.webhooks:
            return {}
        client = await self.client_for(ctx.http)
        secret = webhooks.secret_for(
            self._services.credentials.vault, self.name, self.settings.store_hash
        )
        target = webhooks.destination(self.settings, self.name, ctx.admin_url)
        return await webhooks.ensure_hooks(client, destination=target, secret=secret)

    async def aclose(self) -> None:
        if self._endpoint is not None and self.settings.sandbox is not None:
            self._endpoint = None
            await embedded.release(self.settings.sandbox, self.name)
