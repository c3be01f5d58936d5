"""Webhooks for near-real-time sync, with polling kept on as the safety net.

flxd registers `order.created`, `order.updated` and `product.updated` webhooks whose delivery
URL is the admin server's `/webhooks/woocommerce/{connection}`, each with a secret derived from
flxd's key. WooCommerce signs every delivery: `X-WC-Webhook-Signature` is the base64
HMAC-SHA256 of the body's exact bytes with that secret. The receiver checks it (and that the
delivery comes from the connection's site), drops deliveries seen already (WooCommerce may
send one twice), and asks for an immediate run: `get_orders` for an order, `import_listings`
for a product; the runner coalesces it with one already queued.

WooCommerce tries each delivery once and disables a webhook after five failures in a row;
the hooks are checked at start, after every reload and every 10 minutes (the daemon's upkeep),
and a disabled one is made active again (its secret set anew: WooCommerce never shows it).
A webhook's creation is announced with a `webhook_id=N` form POST, unsigned; it is answered
and changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import structlog
from aiohttp import web

from flxd.plugin import Operation, PermanentError, Vault, WebContext, accept_event, webhook_secret
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.config import WooCommerceSettings
from flxd_woocommerce.embedded import store_name

__all__ = [
    "PATH",
    "TOPICS",
    "destination",
    "ensure_hooks",
    "receive",
    "secret_for",
    "signed",
    "site_key",
]

log = structlog.get_logger("flxd.woocommerce.webhooks")

PATH = "/webhooks/woocommerce/{connection}"
TOPICS: dict[str, Operation] = {
    "order.created": Operation.GET_ORDERS,
    "order.updated": Operation.GET_ORDERS,
    "product.updated": Operation.IMPORT_LISTINGS,
}


def secret_for(vault: Vault | None, connection: str, site: str) -> str:
    """The secret of a connection's webhooks (`site`: see `site_key`)."""
    return webhook_secret(vault, f"woocommerce-webhook:{connection}:{site}")


def destination(settings: WooCommerceSettings, connection: str, admin_url: str) -> str:
    base = (settings.webhook_url or admin_url).rstrip("/")
    return base + PATH.format(connection=connection)


def signed(body: bytes, secret: str) -> str:
    """`X-WC-Webhook-Signature` of a body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def ensure_hooks(client: WooClient, *, destination: str, secret: str) -> dict[str, int]:
    """One active webhook per topic pointing at us with our secret, in one batch request;
    returns counts of hooks created and made active again."""
    ours: dict[str, dict[str, Any]] = {}
    async for page in client.pages("webhooks", {"status": "all"}):
        for hook in page:
            if (
                isinstance(hook, dict)
                and hook.get("delivery_url") == destination
                and hook.get("topic") in TOPICS
            ):
                ours.setdefault(hook["topic"], hook)
    create = [
        {
            "name": f"flxd {topic}",
            "topic": topic,
            "delivery_url": destination,
            "secret": secret,
            "status": "active",
        }
        for topic in TOPICS
        if topic not in ours
    ]
    # The secret is written each time: WooCommerce never shows it, so a changed flxd key
    # could not be noticed otherwise.
    update = [{"id": hook["id"], "status": "active", "secret": secret} for hook in ours.values()]
    counts = {
        "created": len(create),
        "reactivated": sum(1 for hook in ours.values() if hook.get("status") != "active"),
    }
    await client.batch("webhooks", create=create, update=update)
    return counts


def _connection_settings(ctx: WebContext, name: str) -> WooCommerceSettings | None:
    connection = ctx.config.connections.get(name)
    if connection is None or not isinstance(connection.settings, WooCommerceSettings):
        return None
    return connection.settings if connection.settings.webhooks else None


async def receive(request: web.Request, ctx: WebContext) -> web.StreamResponse:
    name = request.match_info.get("connection", "")
    settings = _connection_settings(ctx, name)
    if settings is None:
        return web.json_response({"error": "no such webhook receiver"}, status=404)
    body = await request.read()
    topic = request.headers.get("X-WC-Webhook-Topic")
    if topic is None and body.startswith(b"webhook_id="):
        return web.json_response({"status": "ping"})  # a new webhook's announcement
    try:
        expected = secret_for(ctx.vault, name, site_key(settings, name))
    except PermanentError:
        return web.json_response({"error": "webhooks are not set up"}, status=503)
    given = request.headers.get("X-WC-Webhook-Signature", "")
    if not hmac.compare_digest(given.encode(), signed(body, expected).encode()):
        log.warning("webhook refused: wrong or missing signature", connection=name)
        return web.json_response({"error": "forbidden"}, status=403)
    source = request.headers.get("X-WC-Webhook-Source", "").rstrip("/")
    if settings.url is not None and source and source != settings.url:
        return web.json_response({"error": "the source is not this connection's site"}, status=403)
    operation = TOPICS.get(topic or "")
    enabled = ctx.config.connections[name].enabled_operations()
    return accept_event(ctx, name, operation if operation in enabled else None, body=body)


def site_key(settings: WooCommerceSettings, connection: str) -> str:
    """What names the connection's site in its webhook secret: its address, or for the
    embedded sandbox (whose port changes at every start) the sandbox site's name."""
    return settings.url or f"sandbox/{store_name(connection)}"
