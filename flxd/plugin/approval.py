"""The OAuth-style approval flow's plumbing, for channels connected by a merchant's approval.

`flxd connections add` starts an approval (a PendingAuth with a random `state`, for a limited
time) and prints the channel's authorize URL; the store calls a callback the channel registers
on the admin server. The channel's callback does its store-specific part (checking what the
store sent, exchanging a code for a token) and uses these for the rest: finding the approval
that is waiting, storing the credentials encrypted in the hub, marking the connection active and
reloading, and answering the merchant's browser with a page that says what happened.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from flxd.config import ConnectionConfig
from flxd.errors import PermanentError
from flxd.hub.credentials import DEFAULT_KEY_ENV, ConnectionCredentials, PendingAuth, Vault
from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.plugin.context import WebContext

__all__ = ["approval_page", "complete_approval", "give_up_approval", "waiting_approval"]


async def waiting_approval(
    ctx: WebContext,
    channel: str,
    belongs: Callable[[ConnectionConfig], bool],
    state: str | None,
) -> tuple[PendingAuth, ConnectionConfig] | None:
    """The approval waiting for this callback: started for one of the channel's connections
    that `belongs` (e.g. the same store), not used, not expired, and with this `state` when the
    store passes one back. None when there is none."""
    async with ctx.db.transaction() as tx:
        pending = await PendingAuth.pending(tx, channel, ctx.clock.now())
    for auth in pending:
        connection = ctx.config.connections.get(auth.connection)
        if connection is None or connection.channel != channel or not belongs(connection):
            continue
        if state is not None and state != auth.state:
            continue
        return auth, connection
    return None


async def give_up_approval(ctx: WebContext, auth: PendingAuth) -> None:
    """The approval cannot succeed any more (the store refused its single-use code)."""
    async with ctx.db.transaction() as tx:
        await auth.consume(tx)


async def complete_approval(
    ctx: WebContext,
    auth: PendingAuth,
    connection: ConnectionConfig,
    credentials: Mapping[str, Any],
) -> bool:
    """Keep the credentials the store granted (encrypted in the hub), mark the connection
    active and reload, so its runs resume. False when the approval was used already (two
    callbacks racing); PermanentError when no secret key is set to encrypt them."""
    vault = Vault.for_config(ctx.config)
    if vault is None:
        raise PermanentError(f"credentials are kept encrypted: set {DEFAULT_KEY_ENV}")
    now = ctx.clock.now()
    async with ctx.db.transaction() as tx:
        if not await auth.consume(tx):
            return False
        await ConnectionCredentials(connection.name, ctx.db, vault).put(tx, dict(credentials), now)
        await HealthBook(tx, now).set_health(connection.name, ConnectionHealth.ACTIVE)
    await ctx.reload()
    return True


def approval_page(status: int, title: str, text: str) -> web.Response:
    """What the merchant's browser shows at the end of the flow."""
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return web.Response(status=status, text=body, content_type="text/html")
