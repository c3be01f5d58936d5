"""The admin HTTP server: routes, the token check, request logging, and its lifecycle inside
the daemon (listening before READY, closed after the drain).

Routes: `/healthz` (no token), `/readyz`, `/metrics`, `/` (the status page), `/api/status`,
`POST /api/runs`, `POST /api/orders/{order_id}/shipments`, and whatever plugins register
(`public` ones skip the token: they carry their own check).
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import structlog
from aiohttp import web
from pydantic import SecretStr

from flxd.admin import api, monitoring, page
from flxd.admin.auth import (
    COOKIE,
    QUERY_PARAMETER,
    TOKEN_ENV,
    authorized,
    cookie_value,
    token_matches,
)
from flxd.admin.plugin_routes import mount_plugin_routes
from flxd.admin.state import STATE, AdminState, json_error
from flxd.config.models import split_listen
from flxd.errors import FlxdError
from flxd.plugin.registry import Registration, WebRoute

__all__ = ["AdminServer", "build_app"]

log = structlog.get_logger("flxd.admin")
SHUTDOWN_TIMEOUT = 2.0
"""Seconds in-flight admin requests get at shutdown (they are short; the drain is not theirs)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(
    state: AdminState, plugin_routes: Iterable[Registration[WebRoute]] = ()
) -> web.Application:
    public: set[Any] = set()
    app = web.Application(middlewares=[_contain, _require_token(public)])
    app[STATE] = state
    router = app.router
    router.add_get("/healthz", monitoring.healthz)
    public.add(monitoring.healthz)
    router.add_get("/readyz", monitoring.readyz)
    router.add_get("/metrics", monitoring.metrics)
    router.add_get("/", page.status_page)
    router.add_get("/api/status", api.status)
    router.add_post("/api/runs", api.start_run)
    router.add_post("/api/orders/{order_id}/shipments", api.record_shipment)
    public |= mount_plugin_routes(app, plugin_routes, state)
    return app


@web.middleware
async def _contain(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One debug line per request (the path only: a query string may hold the token or an OAuth
    code), and a 500 that names no internals for anything a handler did not expect."""
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers.setdefault("Cache-Control", "no-store")
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except Exception:
        log.exception("admin request failed", method=request.method, path=request.path)
        return json_error(500, "internal error; the daemon's log has the details")
    finally:
        log.debug("admin request", method=request.method, path=request.path, status=status)


def _require_token(public: set[Any]) -> Any:
    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.match_info.handler in public:
            return await handler(request)
        state = request.app[STATE]
        token = state.token()
        if token is None:
            return json_error(
                403,
                f"no admin token is configured: set {TOKEN_ENV} or [admin] token_env / "
                "token_file, then restart flxd",
            )
        if authorized(request, token):
            return await handler(request)
        given = request.query.get(QUERY_PARAMETER)
        if request.method == "GET" and given is not None and token_matches(given, token):
            raise _swap_for_cookie(request, token, state)
        response = json_error(401, "missing or wrong admin token (send Authorization: Bearer …)")
        response.headers["WWW-Authenticate"] = 'Bearer realm="flxd"'
        return response

    return check


def _swap_for_cookie(request: web.Request, token: SecretStr, state: AdminState) -> web.HTTPSeeOther:
    """`?token=` in a browser: set the cookie and send it to the same URL without the token."""
    query = request.rel_url.query.copy()
    del query[QUERY_PARAMETER]
    response = web.HTTPSeeOther(request.rel_url.with_query(query))
    public_url = state.config().admin.public_url or ""
    response.set_cookie(
        COOKIE,
        cookie_value(token),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure or public_url.startswith("https://"),
    )
    return response


class AdminServer:
    def __init__(
        self,
        state: AdminState,
        *,
        listen: str,
        plugin_routes: Iterable[Registration[WebRoute]] = (),
    ) -> None:
        self._listen = listen
        self.app = build_app(state, plugin_routes)
        self._state = state

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Listen until the block ends; yields the base URL (with the port actually bound)."""
        host, port = split_listen(self._listen)
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            try:
                await web.TCPSite(runner, host, port).start()
            except OSError as exc:
                raise FlxdError(
                    f"admin server cannot listen on {self._listen}: {exc.strerror or exc}"
                ) from None
            bound = runner.addresses[0][1] if runner.addresses else port
            url = f"http://{f'[{host}]' if ':' in host else host}:{bound}"
            self._announce(host, url)
            yield url
        finally:
            with anyio.move_on_after(SHUTDOWN_TIMEOUT + 3, shield=True):
                await runner.cleanup()

    def _announce(self, host: str, url: str) -> None:
        protected = self._state.token() is not None
        log.info("admin server listening", url=url, protected=protected)
        if not protected:
            log.warning(
                f"no admin token configured: the admin server answers /healthz only; set "
                f"{TOKEN_ENV} or [admin] token_env / token_file to use the rest"
            )
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            log.warning(
                "the admin server listens beyond this machine; put a TLS proxy in front of it, "
                "the token travels in clear text otherwise",
                url=url,
            )
