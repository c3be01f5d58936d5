"""Webhook plumbing for channels: a store calls the admin server when something changed, and
flxd runs the matching operation at once (polling stays on as the safety net).

The channel registers its receiver route and does its store-specific part (checking the
signature or shared secret, reading which operation the event is about); these do the rest:
the secret shared with the store (derived from flxd's key, the same on every node), dropping
deliveries already seen (stores send some events twice), and asking for the run.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from aiohttp import web

from flxd.errors import PermanentError
from flxd.hub.credentials import DEFAULT_KEY_ENV, Vault
from flxd.operation import Operation
from flxd.plugin.context import WebContext

__all__ = ["Deduper", "accept_event", "webhook_secret"]


def webhook_secret(vault: Vault | None, purpose: str) -> str:
    """A stable secret for one connection's webhooks (`purpose` names the channel, the
    connection and the store), or PermanentError when no secret key is set. The vault:
    `WebContext.vault` in a route, `ConnectionServices.credentials.vault` in a channel."""
    if vault is None:
        raise PermanentError(f"webhooks need a secret key: set {DEFAULT_KEY_ENV}")
    return vault.derive(purpose)


class Deduper:
    """Remembers the last `size` event ids (stores resend within minutes)."""

    def __init__(self, size: int = 10_000) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, key: str) -> bool:
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


_deduper = Deduper()


def accept_event(
    ctx: WebContext,
    connection: str,
    operation: Operation | None,
    *,
    event_id: str | None = None,
    body: bytes = b"",
) -> web.Response:
    """A verified delivery: drop it if it was seen already (by the store's event id, else by a
    hash of its body), else ask for a run of `operation` (None: nothing to run for this event).
    The answer tells the store it was received either way."""
    key = event_id or hashlib.sha256(body).hexdigest()
    if not _deduper.first_time(f"{connection}:{key}"):
        return web.json_response({"status": "duplicate"})
    if operation is None:
        return web.json_response({"status": "ignored"})
    accepted = ctx.request_run(connection, operation, "webhook")
    return web.json_response({"status": "run requested" if accepted else "not running"})
