"""Connecting a store by OAuth (API.md §2): the URL the merchant opens, and the callback that
BigCommerce calls with `code`, `scope` and `context` once the merchant approved.

The callback finds the approval waiting for that store (and the `state`, when the login service
passes it back), exchanges the code at `{login_base_url}/oauth2/token`, refuses a grant that
lacks scopes the enabled operations need; core (flxd.plugin.approval) keeps the token
encrypted in the hub and reloads the daemon so the connection resumes.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from flxd.plugin import (
    ChannelError,
    ConnectionConfig,
    WebContext,
    approval_page,
    complete_approval,
    give_up_approval,
    waiting_approval,
)
from flxd_bigcommerce.config import BigCommerceSettings
from flxd_bigcommerce.scopes import missing_scopes, required_scopes

__all__ = ["CALLBACK_PATH", "authorize_url", "callback"]

CALLBACK_PATH = "/oauth/bigcommerce/callback"


def redirect_uri(public_url: str) -> str:
    return public_url.rstrip("/") + CALLBACK_PATH


def authorize_url(connection: ConnectionConfig, state: str, public_url: str) -> str | None:
    """Where the merchant approves the app for this store (None: not an OAuth connection).

    On the sandbox this approves at once; on BigCommerce the merchant installs the app from the
    control panel and BigCommerce calls the same callback.
    """
    settings = connection.settings
    if not isinstance(settings, BigCommerceSettings) or settings.auth != "oauth":
        return None
    query = urlencode(
        {
            "client_id": settings.client_id or "",
            "redirect_uri": redirect_uri(public_url),
            "context": f"stores/{settings.store_hash}",
            "scope": " ".join(required_scopes(connection.enabled_operations())),
            "state": state,
        }
    )
    return f"{settings.login_base_url}/oauth2/authorize?{query}"


async def callback(request: web.Request, ctx: WebContext) -> web.StreamResponse:
    query = request.query
    if "error" in query:
        return approval_page(
            400,
            "Not connected",
            f"BigCommerce reported: {query.get('error_description') or query['error']}. "
            "Nothing was changed; start again with flxd connections add.",
        )
    code, scope, context = query.get("code", ""), query.get("scope", ""), query.get("context", "")
    if not code or not context.startswith("stores/"):
        return approval_page(
            400, "Not connected", "The callback needs code and context=stores/HASH."
        )
    store_hash = context.removeprefix("stores/")

    def same_store(connection: ConnectionConfig) -> bool:
        settings = connection.settings
        return isinstance(settings, BigCommerceSettings) and settings.store_hash == store_hash

    match = await waiting_approval(ctx, "bigcommerce", same_store, query.get("state"))
    if match is None:
        return approval_page(
            400,
            "Not connected",
            f"No approval for store {store_hash} is waiting (it was used already, it "
            "expired, or it was never started). Run flxd connections add again.",
        )
    auth, connection = match
    settings = connection.settings
    assert isinstance(settings, BigCommerceSettings)
    secret = settings.client_secret
    assert secret is not None  # required by the settings model for auth = "oauth"
    try:
        answer = await ctx.http.request(
            "POST",
            f"{settings.login_base_url}/oauth2/token",
            idempotent=False,
            json_body={
                "client_id": settings.client_id,
                "client_secret": secret.get_secret_value(),
                "code": code,
                "context": context,
                "scope": scope,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri(ctx.config.admin.url),
            },
        )
    except ChannelError as exc:
        await give_up_approval(ctx, auth)  # a code is single use; this approval cannot succeed
        return approval_page(400, "Not connected", f"BigCommerce refused the code: {exc}")
    grant = answer.data if isinstance(answer.data, dict) else {}
    token = grant.get("access_token")
    if not isinstance(token, str) or grant.get("context") != context:
        return approval_page(400, "Not connected", "BigCommerce's answer did not match this store.")
    granted = str(grant.get("scope", scope)).split()
    lacking = missing_scopes(granted, connection.enabled_operations())
    if lacking:
        return approval_page(
            400,
            "Not connected",
            "The app was approved without scopes the enabled operations need: "
            + ", ".join(lacking),
        )
    credentials = {
        "access_token": token,
        "scope": " ".join(granted),
        "context": context,
        "user_id": (grant.get("user") or {}).get("id"),
    }
    if not await complete_approval(ctx, auth, connection, credentials):
        return approval_page(400, "Not connected", "This approval was used already.")
    return approval_page(
        200,
        "Connected",
        f"flxd is connected to store {store_hash} as {connection.name}. You can close this window.",
    )
