"""Assembles the aiohttp application: the REST API of every store under its site URL
(``/stores/{name}/wp-json/...`` or ``/stores/{name}/?rest_route=...``), the approval flow, and
the control API; webhook deliveries run for the application's lifetime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from flxd_woocommerce.sandbox.approval import ApprovalError, run_approval
from flxd_woocommerce.sandbox.php import parse_query
from flxd_woocommerce.sandbox.routes import notes, orders, products, tracking, variations, webhooks
from flxd_woocommerce.sandbox.routes.control import control_routes
from flxd_woocommerce.sandbox.routes.endpoint import Endpoint
from flxd_woocommerce.sandbox.routes.gateway import serve_rest
from flxd_woocommerce.sandbox.routes.responses import html_page, not_found_page, wp_die_page
from flxd_woocommerce.sandbox.store import Store

if TYPE_CHECKING:
    from flxd_woocommerce.sandbox.server import Sandbox

__all__ = ["ENDPOINTS", "build_app"]

_Lifespan = Callable[[web.Application], AsyncIterator[None]]
_Route = Callable[[web.Request], "asyncio.Future[web.StreamResponse]"]

ENDPOINTS: tuple[Endpoint, ...] = (
    *products.ENDPOINTS,
    *variations.ENDPOINTS,
    *orders.ENDPOINTS,
    *notes.ENDPOINTS,
    *webhooks.ENDPOINTS,
    *tracking.ENDPOINTS,
)


def _rest_route(raw: str) -> str:
    route = "/" + raw.strip("/")
    return route if route != "" else "/"


def build_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.cleanup_ctx.append(_webhook_delivery(sandbox))

    def store_of(request: web.Request) -> Store | None:
        return sandbox.stores.get(request.match_info["store"])

    async def wp_json(request: web.Request) -> web.StreamResponse:
        store = store_of(request)
        if store is None or not store.site.permalinks:
            return not_found_page()
        return await serve_rest(
            sandbox, store, request, _rest_route(request.match_info["tail"]), ENDPOINTS
        )

    async def home(request: web.Request) -> web.StreamResponse:
        store = store_of(request)
        if store is None:
            return not_found_page()
        query = parse_query(request.query_string)
        route = query.get("rest_route")
        if isinstance(route, str):
            return await serve_rest(sandbox, store, request, _rest_route(route), ENDPOINTS)
        version, auth_route = query.get("wc-auth-version"), query.get("wc-auth-route")
        if version and isinstance(auth_route, str):
            return await _approval(store, request, auth_route)
        return html_page(f"Sandbox Shop {store.name}", "<h1>Shop</h1>")

    async def wc_auth(request: web.Request) -> web.StreamResponse:
        store = store_of(request)
        if store is None or not store.site.permalinks:
            return not_found_page()
        return await _approval(store, request, request.match_info["route"])

    async def _approval(store: Store, request: web.Request, route: str) -> web.StreamResponse:
        params = parse_query(request.query_string)
        if request.content_type == "application/x-www-form-urlencoded":
            params.update(parse_query((await request.read()).decode("latin-1")))
        if route.strip("/").lower() not in ("authorize", "login"):
            return wp_die_page(
                "Error: You do not have permission to access this page.", "Access denied", 401
            )
        try:
            approval = await run_approval(store, sandbox.outbound, params, sandbox.clock.now())
        except ApprovalError as error:
            return wp_die_page(f"Error: {error}.", "Access denied", 401)
        assert approval.redirect is not None
        raise web.HTTPFound(approval.redirect)

    store = "/stores/{store}"
    app.add_routes(
        [
            web.route("*", store + "/wp-json{tail:(/.*)?}", wp_json),
            web.route("*", store, home),
            web.route("*", store + "/", home),
            web.route("*", store + "/index.php", home),
            web.route("*", store + "/wc-auth/v1/{route:.*}", wc_auth),
        ]
    )
    app.add_routes(control_routes(sandbox))
    return app


def _webhook_delivery(sandbox: Sandbox) -> _Lifespan:
    async def run(app: web.Application) -> AsyncIterator[None]:
        # aiohttp's way to run a background task for the application's lifetime (cleanup_ctx);
        # it works the same under serve() and under aiohttp's test client.
        task = asyncio.get_running_loop().create_task(sandbox.dispatcher.run())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return run
