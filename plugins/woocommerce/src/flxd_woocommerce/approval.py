"""Connecting a store by WooCommerce's app approval (`/wc-auth/v1/authorize`).

`flxd connections add NAME --channel woocommerce --url … --approval true` prints the URL
where the merchant approves flxd on the store. WooCommerce then creates a REST API key and
POSTs it, as JSON, to flxd's admin server (`/oauth/woocommerce/callback`; WooCommerce wants
that URL on HTTPS, so `[admin] public_url` must be one, e.g. behind a reverse proxy), and
sends the merchant's browser back to `/oauth/woocommerce/return`. flxd passes the approval's
random `state` as the app's `user_id`, which WooCommerce sends back with the key: only a
waiting approval's state is accepted. Core (flxd.plugin.approval) keeps the key encrypted in
the hub and reloads the daemon, so the connection's runs start.

Anything but a 200 from the callback makes WooCommerce delete the key it just made: a key
flxd cannot use (read-only while operations that write are enabled) is refused that way.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from aiohttp import web

from flxd.plugin import (
    ConnectionConfig,
    Operation,
    PermanentError,
    WebContext,
    approval_page,
    complete_approval,
    waiting_approval,
)
from flxd_woocommerce.config import WooCommerceSettings

__all__ = ["CALLBACK_PATH", "RETURN_PATH", "authorize_url", "callback", "return_page", "scope_for"]

CALLBACK_PATH = "/oauth/woocommerce/callback"
RETURN_PATH = "/oauth/woocommerce/return"
READ_ONLY = frozenset({Operation.IMPORT_LISTINGS})


def scope_for(connection: ConnectionConfig) -> str:
    """`read` when every enabled operation only reads, else `read_write`."""
    operations = set(connection.enabled_operations())
    settings = connection.operations.get(Operation.GET_ORDERS)
    reads_orders = (
        Operation.GET_ORDERS in operations and getattr(settings, "acknowledge", "none") == "none"
    )
    writers = operations - READ_ONLY - ({Operation.GET_ORDERS} if reads_orders else set())
    return "read_write" if writers else "read"


def authorize_url(connection: ConnectionConfig, state: str, public_url: str) -> str | None:
    """Where the merchant approves flxd for this site (None: not an approval connection)."""
    settings = connection.settings
    if not isinstance(settings, WooCommerceSettings) or not settings.approval or not settings.url:
        return None
    base = public_url.rstrip("/")
    query = urlencode(
        {
            "app_name": "flxd",
            "scope": scope_for(connection),
            "user_id": state,
            "return_url": base + RETURN_PATH,
            "callback_url": base + CALLBACK_PATH,
        }
    )
    return f"{settings.url}/wc-auth/v1/authorize?{query}"


def _text(status: int, message: str) -> web.Response:
    return web.Response(status=status, text=message + "\n", content_type="text/plain")


async def callback(request: web.Request, ctx: WebContext) -> web.StreamResponse:
    """WooCommerce's POST of the new key (answered as text: WooCommerce reads the status)."""
    try:
        grant = json.loads(await request.read())
    except ValueError:
        return _text(400, "expected the key as JSON")
    if not isinstance(grant, dict):
        return _text(400, "expected the key as a JSON object")
    state, key, secret = (
        grant.get("user_id"),
        grant.get("consumer_key"),
        grant.get("consumer_secret"),
    )
    if not all(isinstance(v, str) and v for v in (state, key, secret)):
        return _text(400, "expected user_id, consumer_key and consumer_secret")

    def approval_connection(connection: ConnectionConfig) -> bool:
        settings = connection.settings
        return isinstance(settings, WooCommerceSettings) and settings.approval

    match = await waiting_approval(ctx, "woocommerce", approval_connection, str(state))
    if match is None:
        return _text(
            403, "no approval with this user_id is waiting (used, expired, or never started)"
        )
    auth, connection = match
    permissions = grant.get("key_permissions")
    if scope_for(connection) == "read_write" and permissions != "read_write":
        return _text(
            403,
            f"the key has {permissions!r} permissions; the enabled operations need read_write",
        )
    credentials = {
        "consumer_key": key,
        "consumer_secret": secret,
        "key_permissions": permissions,
        "key_id": grant.get("key_id"),
    }
    try:
        if not await complete_approval(ctx, auth, connection, credentials):
            return _text(409, "this approval was used already")
    except PermanentError as exc:
        return _text(503, str(exc))
    return _text(200, f"connected as {connection.name}")


async def return_page(request: web.Request, ctx: WebContext) -> web.StreamResponse:
    """Where WooCommerce sends the merchant's browser back (`success=1` or `0`)."""
    if request.query.get("success") == "1":
        return approval_page(
            200, "Connected", "WooCommerce sent flxd its key. You can close this window."
        )
    return approval_page(
        400,
        "Not connected",
        "The approval was denied or did not complete. Nothing was changed; start again with "
        "flxd connections add.",
    )
