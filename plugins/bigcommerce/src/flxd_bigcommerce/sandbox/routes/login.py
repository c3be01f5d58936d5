"""The login service (what ``https://login.bigcommerce.com`` is to a real app), served under
``/login``: ``GET /login/oauth2/authorize`` approves at once and redirects to the app's callback;
``POST /login/oauth2/token`` exchanges the code (JSON or form body)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from aiohttp import web

from flxd_bigcommerce.sandbox.oauth import OAuthError
from flxd_bigcommerce.sandbox.routes.responses import json_response

if TYPE_CHECKING:
    from flxd_bigcommerce.sandbox.server import Sandbox

__all__ = ["login_routes"]


def login_routes(sandbox: Sandbox) -> list[web.RouteDef]:
    async def authorize(request: web.Request) -> web.StreamResponse:
        query = request.query
        context = query.get("context", "")
        store_hash = context.removeprefix("stores/") if context else query.get("store_hash", "")
        if not store_hash and sandbox.stores:
            store_hash = next(iter(sandbox.stores))
        try:
            approval = sandbox.login.authorize(
                client_id=query.get("client_id", ""),
                redirect_uri=query.get("redirect_uri", ""),
                store_hash=store_hash,
                known_store=store_hash in sandbox.stores,
            )
        except OAuthError as exc:
            return json_response(exc.body(), exc.status)
        params = dict(approval.params)
        if "state" in query:
            params["state"] = query["state"]
        parts = urlsplit(approval.redirect_uri)
        joined = "&".join(p for p in (parts.query, urlencode(params)) if p)
        raise web.HTTPFound(urlunsplit(parts._replace(query=joined)))

    async def token(request: web.Request) -> web.StreamResponse:
        form: dict[str, Any]
        if request.content_type == "application/json":
            try:
                loaded = json.loads(await request.read())
            except ValueError:
                loaded = None
            if not isinstance(loaded, dict):
                return json_response(
                    {"error": "invalid_request", "error_description": "body is not JSON"}, 400
                )
            form = loaded
        else:
            form = dict(await request.post())
        try:
            return json_response(sandbox.login.exchange(form))
        except OAuthError as exc:
            return json_response(exc.body(), exc.status)

    return [
        web.get("/login/oauth2/authorize", authorize),
        web.post("/login/oauth2/token", token),
    ]
