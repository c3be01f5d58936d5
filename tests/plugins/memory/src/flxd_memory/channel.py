"""The memory channel: its settings, and a Channel per connection that reaches its store over
HTTP (the server starts with the first connection that needs it)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import anyio
from pydantic import AfterValidator, Field, model_validator

from flxd.plugin import (
    AuthError,
    ChannelBase,
    CheckContext,
    CheckReport,
    ConnectionServices,
    ConnectionSettings,
    Duration,
    EnvSecret,
    FileSecret,
    Http,
    RelativePath,
    pick_secret,
)
from flxd.plugin import (
    GetOrdersSettings as CoreGetOrdersSettings,
)
from flxd_memory import server
from flxd_memory.api import MemoryApi
from flxd_memory.store import get_store

__all__ = ["GetOrdersSettings", "MemoryChannel", "MemorySettings"]

STATUSES = ("pending", "awaiting_payment", "awaiting_fulfillment", "shipped", "cancelled")


class MemorySettings(ConnectionSettings):
    store: str = "default"
    """Which store of this process (connections naming the same one share it)."""
    token_env: EnvSecret | None = None
    token_file: FileSecret | None = None
    state_file: RelativePath | None = None
    """Keep the store in this JSON file (it survives restarts)."""
    seed_products: int = Field(default=0, ge=0)
    seed_orders: int = Field(default=0, ge=0)
    page_size: int = Field(default=50, ge=1, le=250)
    page_delay: Duration = 0.0
    """How long the store takes to answer a page (a slow store)."""

    @model_validator(mode="after")
    def _token(self) -> MemorySettings:
        pick_secret("token", self.token_env, self.token_file)
        return self

    @property
    def token(self) -> str:
        return pick_secret("token", self.token_env, self.token_file).get_secret_value()


def _known_status(value: str) -> str:
    if value not in STATUSES:
        raise ValueError(f"unknown status {value!r}")
    return value


class GetOrdersSettings(CoreGetOrdersSettings):
    statuses: list[Annotated[str, AfterValidator(_known_status)]] = Field(
        default_factory=lambda: ["awaiting_fulfillment"]
    )


class MemoryChannel(ChannelBase):
    def __init__(self, settings: MemorySettings, services: ConnectionServices) -> None:
        self.settings = settings
        # The store exists from now on (a test may look at it before the first request).
        get_store(
            settings.store,
            state_file=settings.state_file,
            seed_products=settings.seed_products,
            seed_orders=settings.seed_orders,
            page_delay=settings.page_delay,
        )
        self._url: str | None = None
        self._lock = anyio.Lock()

    async def api(self, http: Http) -> MemoryApi:
        """The store's API over `http` (a run's, or the connection's in checks)."""
        async with self._lock:
            if self._url is None:
                self._url = await server.acquire()
        base = f"{self._url}/stores/{quote(self.settings.store, safe='')}"
        return MemoryApi(http, base, self.settings.token)

    async def check(self, ctx: CheckContext) -> CheckReport:
        try:
            found = await (await self.api(ctx.http)).get("")
        except AuthError as exc:
            return CheckReport(ok=False, verdict=f"credentials rejected: {exc}")
        return CheckReport(
            ok=True, verdict="connected", details={"products": str(found["products"])}
        )

    async def aclose(self) -> None:
        if self._url is not None:
            self._url = None
            await server.release()
