"""A small WooCommerce REST client for the sandbox tests: HTTP Basic (header or query) or
OAuth 1.0a signed independently of the store's own code (RFC 5849, as an OAuth library
would), over HTTP or HTTPS. Every reply keeps its request so contract checks see both sides."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import aiohttp

Auth = Literal["basic", "query", "oauth", "none"]


def _enc(text: str) -> str:
    return quote(text, safe="-._~")


def oauth_params(
    method: str,
    url: str,
    query: Mapping[str, str],
    key: str,
    secret: str,
    *,
    timestamp: int,
    nonce: str,
    algorithm: str = "HMAC-SHA256",
) -> dict[str, str]:
    """The ``oauth_*`` parameters of a one-legged request (base URL without its query)."""
    oauth = {
        "oauth_consumer_key": key,
        "oauth_nonce": nonce,
        "oauth_signature_method": algorithm,
        "oauth_timestamp": str(timestamp),
    }
    pairs = sorted((_enc(k), _enc(v)) for k, v in {**query, **oauth}.items())
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join((method.upper(), _enc(url), _enc(normalized)))
    digest = hashlib.sha256 if algorithm == "HMAC-SHA256" else hashlib.sha1
    mac = hmac.new(f"{_enc(secret)}&".encode(), base.encode(), digest).digest()
    return {**oauth, "oauth_signature": base64.b64encode(mac).decode()}


@dataclass(frozen=True, slots=True)
class Reply:
    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    content_type: str
    sent_body: Any = None
    _decoded: list[Any] = field(default_factory=list, repr=False)

    @property
    def data(self) -> Any:
        if not self._decoded:
            self._decoded.append(json.loads(self.body))
        return self._decoded[0]

    @property
    def code(self) -> str | None:
        data = self.data
        return data.get("code") if isinstance(data, dict) else None


class WooClient:
    """Talks to one site. ``rest_route`` mode sends ``?rest_route=`` instead of ``/wp-json``."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        site_url: str,
        key: str,
        secret: str,
        *,
        auth: Auth = "basic",
        rest_route: bool = False,
        now: Any = None,
    ) -> None:
        self.session = session
        self.site_url = site_url
        self.key = key
        self.secret = secret
        self.auth = auth
        self.rest_route = rest_route
        self.now = now or (lambda: int(time.time()))

    def with_(self, **changes: Any) -> WooClient:
        options = {
            "auth": self.auth,
            "rest_route": self.rest_route,
            "now": self.now,
            "key": self.key,
            "secret": self.secret,
        }
        options.update(changes)
        key, secret = options.pop("key"), options.pop("secret")
        return WooClient(self.session, self.site_url, key, secret, **options)

    def url_for(self, route: str) -> tuple[str, dict[str, str]]:
        if self.rest_route:
            return f"{self.site_url}/", {"rest_route": route}
        return f"{self.site_url}/wp-json{route}", {}

    async def request(
        self,
        method: str,
        route: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        raw_body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        nonce: str | None = None,
        timestamp: int | None = None,
    ) -> Reply:
        url, query = self.url_for(route)
        query.update(params or {})
        sent: dict[str, str] = {"Accept": "application/json"}
        body = raw_body
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        if self.auth == "basic":
            token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
            sent["Authorization"] = f"Basic {token}"
        elif self.auth == "query":
            query.update(consumer_key=self.key, consumer_secret=self.secret)
        elif self.auth == "oauth":
            query.update(
                oauth_params(
                    method,
                    url,
                    query,
                    self.key,
                    self.secret,
                    timestamp=timestamp if timestamp is not None else self.now(),
                    nonce=nonce or secrets.token_hex(16),
                )
            )
        sent.update(headers or {})
        async with self.session.request(
            method, url, params=query or None, data=body, headers=sent
        ) as response:
            payload = await response.read()
            return Reply(
                method=method,
                url=str(response.url),
                status=response.status,
                headers=dict(response.headers),
                body=payload,
                content_type=response.content_type,
                sent_body=json_body,
            )

    async def get(self, route: str, **params: str) -> Reply:
        return await self.request("GET", route, params=params)

    async def post(self, route: str, body: Any, **params: str) -> Reply:
        return await self.request("POST", route, json_body=body, params=params)

    async def put(self, route: str, body: Any, **params: str) -> Reply:
        return await self.request("PUT", route, json_body=body, params=params)

    async def delete(self, route: str, **params: str) -> Reply:
        return await self.request("DELETE", route, params=params)


def site_path(url: str) -> str:
    return urlsplit(url).path
