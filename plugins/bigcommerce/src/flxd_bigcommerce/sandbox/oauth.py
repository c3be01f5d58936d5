"""The login service's side of BigCommerce's OAuth app flow (D:APPAUTH).

The real install starts in the merchant's control panel; the sandbox stands it in with an
authorize URL that approves at once and redirects the browser to the app's callback with
``code``, ``scope`` (space-separated), ``context=stores/{hash}`` and ``account_uuid``. The app then
exchanges the code at ``POST /oauth2/token`` (JSON or form body): the code is single use, expires
after five minutes, and ``client_id``, ``client_secret``, ``context`` and ``redirect_uri`` must
match what the code was issued for. Token-endpoint errors use RFC 6749's ``{"error",
"error_description"}`` shape (BigCommerce does not document its own).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flxd_bigcommerce.sandbox.auth import TokenRegistry
from flxd_bigcommerce.sandbox.clock import SandboxClock
from flxd_bigcommerce.sandbox.config import OAuthAppConfig

__all__ = ["CODE_LIFETIME", "LoginService", "OAuthError"]

CODE_LIFETIME = timedelta(minutes=5)


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True, slots=True, kw_only=True)
class _Grant:
    client_id: str
    store_hash: str
    scopes: tuple[str, ...]
    redirect_uri: str
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Approval:
    """Where the authorize step sends the browser."""

    redirect_uri: str
    params: dict[str, str]


class LoginService:
    def __init__(
        self, clock: SandboxClock, tokens: TokenRegistry, app: OAuthAppConfig, seed: int
    ) -> None:
        self.clock = clock
        self.tokens = tokens
        self.apps: dict[str, OAuthAppConfig] = {app.client_id: app}
        self.account_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"flxd-sandbox:{seed}"))
        self._grants: dict[str, _Grant] = {}

    def register(self, app: OAuthAppConfig) -> None:
        self.apps[app.client_id] = app

    def authorize(
        self, *, client_id: str, redirect_uri: str, store_hash: str, known_store: bool
    ) -> Approval:
        app = self.apps.get(client_id)
        if app is None:
            raise OAuthError(400, "invalid_client", f"Unknown client_id {client_id!r}")
        if not redirect_uri:
            raise OAuthError(400, "invalid_request", "redirect_uri is required")
        if app.redirect_uri is not None and redirect_uri != app.redirect_uri:
            raise OAuthError(400, "invalid_request", "redirect_uri is not the app's callback")
        if not known_store:
            raise OAuthError(400, "invalid_request", f"Unknown store {store_hash!r}")
        code = secrets.token_urlsafe(24)
        self._grants[code] = _Grant(
            client_id=client_id,
            store_hash=store_hash,
            scopes=app.scopes,
            redirect_uri=redirect_uri,
            expires_at=self.clock.now() + CODE_LIFETIME,
        )
        return Approval(
            redirect_uri=redirect_uri,
            params={
                "code": code,
                "scope": " ".join(app.scopes),
                "context": f"stores/{store_hash}",
                "account_uuid": self.account_uuid,
            },
        )

    def exchange(self, form: Mapping[str, Any]) -> dict[str, Any]:
        """Trade a code for a token; the code is spent whether or not the rest checks out."""

        def field(name: str) -> str:
            value = form.get(name)
            if not isinstance(value, str) or not value:
                raise OAuthError(400, "invalid_request", f"{name} is required")
            return value

        if field("grant_type") != "authorization_code":
            raise OAuthError(400, "unsupported_grant_type", "grant_type must be authorization_code")
        client_id, secret = field("client_id"), field("client_secret")
        app = self.apps.get(client_id)
        if app is None or not secrets.compare_digest(secret, app.client_secret):
            raise OAuthError(401, "invalid_client", "Invalid client id or secret")
        grant = self._grants.pop(field("code"), None)
        if grant is None or grant.client_id != client_id:
            raise OAuthError(400, "invalid_grant", "The code is invalid or was already used")
        if self.clock.now() > grant.expires_at:
            raise OAuthError(400, "invalid_grant", "The code has expired")
        if field("redirect_uri") != grant.redirect_uri:
            raise OAuthError(400, "invalid_grant", "redirect_uri does not match the authorization")
        context = form.get("context")
        if context is not None and context != f"stores/{grant.store_hash}":
            raise OAuthError(400, "invalid_grant", "context does not match the authorization")
        token = self.tokens.create(grant.store_hash, grant.scopes, client_id=client_id)
        user = {"id": 1, "username": "merchant@example.com", "email": "merchant@example.com"}
        return {
            "access_token": token.token,
            "scope": " ".join(grant.scopes),
            "user": user,
            "owner": user,
            "context": f"stores/{grant.store_hash}",
            "account_uuid": self.account_uuid,
        }
