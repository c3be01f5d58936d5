"""A small HTTP client for the sandbox tests: every reply keeps its request, so the contract
checker can validate both sides."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp


@dataclass(frozen=True, slots=True)
class Reply:
    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    status: int
    headers: Mapping[str, str]
    body: bytes
    content_type: str
    _decoded: list[Any] = field(default_factory=list, repr=False)

    @property
    def data(self) -> Any:
        """The decoded JSON body (V3 replies: the whole object, not just ``data``)."""
        if not self._decoded:
            self._decoded.append(json.loads(self.body))
        return self._decoded[0]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        return urlsplit(self.url).query


class StoreClient:
    """Talks to one store the way a BigCommerce client does (``X-Auth-Token``, JSON)."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, store_hash: str, token: str
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.store_hash = store_hash
        self.token = token

    def with_token(self, token: str) -> StoreClient:
        return StoreClient(self.session, self.base_url, self.store_hash, token)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        raw_body: bytes | None = None,
    ) -> Reply:
        url = f"{self.base_url}/stores/{self.store_hash}{path}"
        sent: dict[str, str] = {"Accept": "application/json", "Content-Type": "application/json"}
        if self.token:
            sent["X-Auth-Token"] = self.token
        sent.update(headers or {})
        body = (
            raw_body
            if raw_body is not None
            else (json.dumps(json_body).encode() if json_body is not None else None)
        )
        async with self.session.request(
            method, url, params=params, data=body, headers=sent
        ) as response:
            payload = await response.read()
            return Reply(
                method=method,
                url=str(response.url),
                request_headers=sent,
                request_body=body,
                status=response.status,
                headers=dict(response.headers),
                body=payload,
                content_type=response.content_type,
            )

    async def get(self, path: str, **params: str) -> Reply:
        return await self.request("GET", path, params=params or None)

    async def post(self, path: str, body: Any) -> Reply:
        return await self.request("POST", path, json_body=body)

    async def put(self, path: str, body: Any) -> Reply:
        return await self.request("PUT", path, json_body=body)

    async def delete(self, path: str, **params: str) -> Reply:
        return await self.request("DELETE", path, params=params or None)
