"""Plugin routes on the admin server (OAuth callbacks, webhook receivers) and the WebContext
their handlers get."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiohttp import web
from yarl import URL

from flxd.admin.api import run_refusal
from flxd.admin.state import AdminState
from flxd.errors import (
    AuthError,
    ChannelError,
    PermanentError,
    PluginError,
    RateLimited,
    TransientError,
)
from flxd.net.http import HttpClient, Response
from flxd.net.ratelimit import Limiter, QuotaReport
from flxd.operation import Operation
from flxd.plugin.context import WebContext
from flxd.plugin.registry import Registration, WebRoute
from flxd.runs.summary import RunKey

__all__ = ["PlainHttpPolicy", "mount_plugin_routes", "web_context_factory"]

Handler = Callable[[web.Request], Any]
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


class PlainHttpPolicy:
    """How to read responses from services that are not a store's API (an OAuth login
    service): no quota headers; errors classified by status."""

    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        return None

    def classify(self, response: Response) -> ChannelError | None:
        status = response.status
        if status < 400:
            return None
        # The path only: a query string may carry a code or a secret.
        what = f"{response.method} {URL(response.url).path} answered {status}"
        if status == 429:
            retry = response.headers.get("Retry-After", "")
            return RateLimited(what, retry_after=float(retry) if retry.isdigit() else None)
        if status in (401, 403):
            return AuthError(what)
        if status >= 500 or status == 408:
            return TransientError(what)
        return PermanentError(what + _error_code(response.body))


def _error_code(body: bytes) -> str:
    # OAuth error answers carry a short code ("invalid_grant") worth reporting; nothing else is.
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    code = data.get("error") if isinstance(data, dict) else None
    return f" ({code})" if isinstance(code, str) and len(code) <= 64 else ""


def web_context_factory(state: AdminState) -> Callable[[], WebContext]:
    """A WebContext per request, so a handler always sees the config of that moment."""
    http = HttpClient(
        session=state.session,
        limiter=Limiter(state.clock, max_concurrency=4),
        policy=PlainHttpPolicy(),
        clock=state.clock,
    )

    def request_run(connection: str, operation: Operation, trigger: str) -> bool:
        if run_refusal(state.runner, connection, operation) is not None:
            return False
        return state.runner.request(RunKey(connection, operation), trigger=trigger) is not None

    def make() -> WebContext:
        config = state.config()
        return WebContext(
            config=config,
            db=state.db,
            clock=state.clock,
            http=http,
            request_run=request_run,
            reload=state.reload,
            state_dir=config.daemon.state_dir,
        )

    return make


def mount_plugin_routes(
    app: web.Application, routes: Iterable[Registration[WebRoute]], state: AdminState
) -> set[Handler]:
    """Add every plugin route to `app`; returns the handlers of the public ones (no token)."""
    context = web_context_factory(state)
    public: set[Handler] = set()
    # aiohttp would quietly shadow a second route on a path it serves already; refuse it.
    taken = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}
    for registration in routes:
        route, plugin = registration.item, registration.plugin
        method = route.method.upper()
        where = f"plugin {plugin!r}: web route {route.name!r} ({route.method} {route.path})"
        if method not in _METHODS or not route.path.startswith("/"):
            raise PluginError(f"{where}: needs an HTTP method and a path starting with '/'")
        if (method, route.path) in taken:
            raise PluginError(f"{where}: that path is served already")
        taken.add((method, route.path))
        handler = _bind(route, context)
        try:
            app.router.add_route(method, route.path, handler)
        except (ValueError, RuntimeError) as exc:
            raise PluginError(f"{where} cannot be mounted: {exc}") from exc
        if route.public:
            public.add(handler)
    return public


def _bind(route: WebRoute, context: Callable[[], WebContext]) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await route.handler(request, context())

    return handler
