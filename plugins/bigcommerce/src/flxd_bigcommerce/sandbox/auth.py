"""API tokens and OAuth scopes.

A token belongs to one store and one API client and carries scopes; a modify scope
(``store_v2_orders``) grants reads too, a ``*_read_only`` scope only reads (D:ACCT). Webhooks need
no scope. BigCommerce tokens cannot be revoked by time; the sandbox revokes them on request to
stand for a deleted API account or an uninstalled app.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

__all__ = ["KNOWN_SCOPES", "ApiToken", "TokenRegistry", "UnknownScopeError", "grants"]

_MODIFY_SCOPES = (
    "store_v2_products",
    "store_v2_orders",
    "store_inventory",
    "store_v2_information",
    "store_locations",
    "store_v2_customers",
    "store_v2_transactions",
    "store_v2_content",
    "store_v2_marketing",
    "store_channel_settings",
    "store_channel_listings",
    "store_cart",
    "store_checkout",
)
KNOWN_SCOPES = frozenset(
    [*_MODIFY_SCOPES, *(f"{s}_read_only" for s in _MODIFY_SCOPES), "store_v2_default"]
)


class UnknownScopeError(ValueError):
    """A token was asked for with a scope BigCommerce does not have."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiToken:
    token: str
    store_hash: str
    client_id: str
    scopes: frozenset[str]
    revoked: bool = False


def grants(token: ApiToken, scope: str | None, *, write: bool) -> bool:
    """Whether ``token`` may read (or, with ``write``, modify) what ``scope`` guards."""
    if scope is None:
        return True
    if scope in token.scopes:
        return True
    return not write and f"{scope}_read_only" in token.scopes


def default_token_value(seed: int, store_hash: str) -> str:
    """The store's default token: derived from the seed so a restarted sandbox (and a config
    that names it) keeps working. It guards a sandbox, not a secret."""
    return hashlib.sha256(f"flxd-sandbox:{seed}:{store_hash}".encode()).hexdigest()[:31]


class TokenRegistry:
    """Every token of every store, looked up by value on each request."""

    def __init__(self) -> None:
        self._tokens: dict[str, ApiToken] = {}

    def create(
        self,
        store_hash: str,
        scopes: Iterable[str],
        *,
        client_id: str,
        value: str | None = None,
    ) -> ApiToken:
        wanted = frozenset(scopes)
        unknown = wanted - KNOWN_SCOPES
        if unknown:
            raise UnknownScopeError(f"unknown scopes: {', '.join(sorted(unknown))}")
        token = ApiToken(
            token=value or secrets.token_hex(16)[:31],
            store_hash=store_hash,
            client_id=client_id,
            scopes=wanted,
        )
        self._tokens[token.token] = token
        return token

    def add(self, token: ApiToken) -> None:
        self._tokens[token.token] = token

    def lookup(self, value: str) -> ApiToken | None:
        return self._tokens.get(value)

    def revoke(self, value: str) -> bool:
        token = self._tokens.get(value)
        if token is None:
            return False
        self._tokens[value] = replace(token, revoked=True)
        return True

    def of_store(self, store_hash: str) -> Iterator[ApiToken]:
        return (t for t in self._tokens.values() if t.store_hash == store_hash)
