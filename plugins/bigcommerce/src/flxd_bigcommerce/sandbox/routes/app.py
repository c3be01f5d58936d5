"""Assembles the aiohttp application: every store endpoint behind the gateway, the login
service and the control API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from flxd_bigcommerce.sandbox.routes import (
    hooks,
    inventory,
    metafields,
    orders,
    product_parts,
    products,
    shipments,
    store_info,
    variants,
)
from flxd_bigcommerce.sandbox.routes.context import Endpoint, gateway
from flxd_bigcommerce.sandbox.routes.control import control_routes
from flxd_bigcommerce.sandbox.routes.login import login_routes

if TYPE_CHECKING:
    from flxd_bigcommerce.sandbox.server import Sandbox

__all__ = ["ENDPOINTS", "build_app"]

_Lifespan = Callable[[web.Application], AsyncIterator[None]]

ENDPOINTS: tuple[Endpoint, ...] = (
    *products.ENDPOINTS,
    *variants.ENDPOINTS,
    *product_parts.ENDPOINTS,
    *inventory.ENDPOINTS,
    *orders.ENDPOINTS,
    *shipments.ENDPOINTS,
    *metafields.ENDPOINTS,
    *hooks.ENDPOINTS,
    *store_info.ENDPOINTS,
)


def build_app(sandbox: Sandbox) -> web.Application:
    # Large enough for a 2,000-item inventory adjustment or a full batch with descriptions.
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.cleanup_ctx.append(_webhook_delivery(sandbox))
    app.add_routes(
        web.route(e.method, "/stores/{store_hash}" + e.path, gateway(sandbox, e)) for e in ENDPOINTS
    )
    app.add_routes(login_routes(sandbox))
    app.add_routes(control_routes(sandbox))
    return app


def _webhook_delivery(sandbox: Sandbox) -> _Lifespan:
    async def run(app: web.Application) -> AsyncIterator[None]:
        # aiohttp's documented way to run a background task for the application's lifetime
        # (cleanup_ctx); it works the same under serve() and under aiohttp's test client.
        task = asyncio.get_running_loop().create_task(sandbox.dispatcher.run())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return run
