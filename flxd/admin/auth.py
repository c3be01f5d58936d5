"""Who may use the admin server: holders of the admin token, checked in constant time.

The token is `[admin] token_env`/`token_file` when the config names one, else `$FLXD_ADMIN_TOKEN`.
With neither, the server still answers `/healthz` (and plugin routes that carry their own check)
and refuses everything else with 403: an admin API open to anyone on the host is never a default.

Clients send `Authorization: Bearer TOKEN`. A browser cannot, so the status page accepts the
token once as `GET /?token=TOKEN`: the answer is a redirect to the same page without it, setting a
cookie (HttpOnly, SameSite=Strict) that holds an HMAC of the token, never the token itself. The
cookie is honoured for GET and HEAD only, so a page on another site can never make a change
through a logged-in browser. Rotating the token invalidates every cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from aiohttp import web
from pydantic import SecretStr

from flxd.config import AdminSettings

__all__ = [
    "COOKIE",
    "QUERY_PARAMETER",
    "TOKEN_ENV",
    "authorized",
    "cookie_value",
    "resolve_token",
    "token_matches",
]

TOKEN_ENV = "FLXD_ADMIN_TOKEN"
COOKIE = "flxd_admin"
QUERY_PARAMETER = "token"
_SAFE = frozenset({"GET", "HEAD"})


def resolve_token(settings: AdminSettings, environ: Mapping[str, str]) -> SecretStr | None:
    """The admin token: the config's, else $FLXD_ADMIN_TOKEN, else None (no admin access)."""
    if settings.token is not None:
        return settings.token
    value = environ.get(TOKEN_ENV, "").strip()
    return SecretStr(value) if value else None


def token_matches(given: str, token: SecretStr) -> bool:
    # compare_digest takes the same time wherever the first difference is.
    return hmac.compare_digest(given.encode(), token.get_secret_value().encode())


def cookie_value(token: SecretStr) -> str:
    """What the status-page cookie holds: derived from the token, useless without the server."""
    key = token.get_secret_value().encode()
    return hmac.new(key, b"flxd status page", hashlib.sha256).hexdigest()


def authorized(request: web.Request, token: SecretStr) -> bool:
    """True for a matching bearer token, or (GET/HEAD only) a matching status-page cookie."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip() and token_matches(value.strip(), token):
        return True
    cookie = request.cookies.get(COOKIE)
    if request.method in _SAFE and cookie:
        return hmac.compare_digest(cookie.encode(), cookie_value(token).encode())
    return False
