"""Webhooks for near-real-time sync (API.md §10), with polling kept on as the safety net.

flxd registers `store/order/*`, `store/product/*` and `store/sku/*` hooks whose destination is
the admin server's `/webhooks/bigcommerce/{connection}`, with a secret header BigCommerce echoes
on every callback. The receiver checks the secret and the producing store, drops duplicates
(BigCommerce may send one event more than once; its `hash` identifies it), and asks for an
immediate run of the matching operation; the runner coalesces it with one already queued.
Registration is repeated periodically, so a hook BigCommerce deactivated comes back.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

import structlog
from aiohttp import web

from flxd.plugin import (
    ConnectionConfig,
    Operation,
    PermanentError,
    Vault,
    WebContext,
    accept_event,
    webhook_secret,
)
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import BigCommerceSettings

__all__ = ["HEADER", "PATH", "SCOPES", "ensure_hooks", "receive", "secret_for"]

log = structlog.get_logger("flxd.bigcommerce.webhooks")

PATH = "/webhooks/bigcommerce/{connection}"
HEADER = "X-Flxd-Webhook-Secret"
SCOPES: dict[str, Operation] = {
    "store/order/*": Operation.GET_ORDERS,
    "store/product/*": Operation.IMPORT_LISTINGS,
    "store/sku/*": Operation.IMPORT_LISTINGS,
}


def secret_for(vault: Vault | None, connection: str, store_hash: str) -> str:
    return webhook_secret(vault, f"bigcommerce-webhook:{connection}:{store_hash}")


def destination(settings: BigCommerceSettings, connection: str, admin_url: str) -> str:
    base = (settings.webhook_url or admin_url).rstrip("/")
    return base + PATH.format(connection=connection)


async def ensure_hooks(
    client: BigCommerceClient, *, destination: str, secret: str, dry_run: bool = False
) -> dict[str, int]:
    """Make sure one active hook per scope points at us with our secret; returns counts of
    hooks created and re-activated."""
    existing: dict[str, dict[str, Any]] = {}
    async for page in client.v3_pages("/hooks", {"destination": destination}):
        for hook in page.items:
            if hook.get("destination") == destination and isinstance(hook.get("scope"), str):
                existing[hook["scope"]] = hook
    counts = {"created": 0, "reactivated": 0}
    for scope in SCOPES:
        body = {
            "scope": scope,
            "destination": destination,
            "is_active": True,
            "headers": {HEADER: secret},
        }
        found = existing.get(scope)
        if found is None:
            if not dry_run:
                await client.v3_data("POST", "/hooks", body=body)
            counts["created"] += 1
        elif not found.get("is_active") or (found.get("headers") or {}).get(HEADER) != secret:
            if not dry_run:
                await client.v3_data("PUT", f"/hooks/{found['id']}", body=body)
            counts["reactivated"] += 1
    return counts


async def receive(request: web.Request, ctx: WebContext) -> web.StreamResponse:
    name = request.match_info.get("connection", "")
    connection = ctx.config.connections.get(name)
    if (
        connection is None
        or not isinstance(connection.settings, BigCommerceSettings)
        or not connection.settings.webhooks
    ):
        return web.json_response({"error": "no such webhook receiver"}, status=404)
    settings = connection.settings
    try:
        expected = secret_for(ctx.vault, name, settings.store_hash)
    except PermanentError:
        return web.json_response({"error": "webhooks are not set up"}, status=503)
    given = request.headers.get(HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("webhook refused: wrong or missing secret", connection=name)
        return web.json_response({"error": "forbidden"}, status=403)
    body = await request.read()
    try:
        payload = json.loads(body)
    except ValueError:
        return web.json_response({"error": "body is not JSON"}, status=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("scope"), str):
        return web.json_response({"error": "expected a webhook payload with scope"}, status=400)
    if payload.get("producer") != f"stores/{settings.store_hash}":
        return web.json_response({"error": "producer is not this connection's store"}, status=403)
    # BigCommerce's `hash` identifies an event it sends more than once.
    event = payload.get("hash")
    operation = _operation(payload["scope"], connection)
    return accept_event(
        ctx, name, operation, event_id=event if isinstance(event, str) else None, body=body
    )


def _operation(scope: str, connection: ConnectionConfig) -> Operation | None:
    family = scope.split("/")[1] if scope.count("/") >= 2 else ""
    for pattern, operation in SCOPES.items():
        if pattern.split("/")[1] == family and operation in connection.enabled_operations():
            return operation
    return None
