"""Webhook subscription endpoints (D:HOOKS ``/hooks``). Hooks need no OAuth scope; each API
client sees only the hooks it created."""

from __future__ import annotations

from aiohttp import web

from flxd_bigcommerce.sandbox.pagination import parse_page, v3_collection_meta
from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.responses import v3_data
from flxd_bigcommerce.sandbox.webhooks import hook_json

__all__ = ["ENDPOINTS"]


async def list_hooks(call: Call) -> web.Response:
    page = parse_page(call.query)
    found = list(call.store.hooks.owned_by(call.token.client_id))
    if "is_active" in call.query:
        active = call.query["is_active"].lower() in ("true", "1")
        found = [h for h in found if h.is_active == active]
    for name in ("scope", "destination"):
        if name in call.query:
            found = [h for h in found if getattr(h, name) == call.query[name]]
    chosen = page.slice(found)
    return v3_data(
        [hook_json(h) for h in chosen],
        meta=v3_collection_meta(len(found), page, len(chosen), call.query),
    )


async def create_hook(call: Call) -> web.Response:
    hook = call.store.hooks.create(call.token.client_id, await call.json())
    return v3_data(hook_json(hook))


async def get_hook(call: Call) -> web.Response:
    hook = call.store.hooks.get(call.path_int("webhook_id"), call.token.client_id)
    return v3_data(hook_json(hook))


async def update_hook(call: Call) -> web.Response:
    hook = call.store.hooks.update(
        call.path_int("webhook_id"), call.token.client_id, await call.json()
    )
    return v3_data(hook_json(hook))


async def delete_hook(call: Call) -> web.Response:
    """BigCommerce answers a delete with 200 and the deleted hook."""
    hook = call.store.hooks.delete(call.path_int("webhook_id"), call.token.client_id)
    return v3_data(hook_json(hook))


ENDPOINTS = (
    Endpoint("GET", "/v3/hooks", list_hooks, None, "v3"),
    Endpoint("POST", "/v3/hooks", create_hook, None, "v3"),
    Endpoint("GET", "/v3/hooks/{webhook_id}", get_hook, None, "v3"),
    Endpoint("PUT", "/v3/hooks/{webhook_id}", update_hook, None, "v3"),
    Endpoint("DELETE", "/v3/hooks/{webhook_id}", delete_hook, None, "v3"),
)
