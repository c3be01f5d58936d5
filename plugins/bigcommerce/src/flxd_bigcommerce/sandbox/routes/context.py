"""The gateway every ``/stores/{hash}/...`` request passes through, and the ``Call`` object
handlers receive.

Order of checks, as a client sees them: unknown store (404), injected fault, token (401) and
scope (403), concurrency cap and quota (429), then the endpoint. Every answer from a known store
carries the ``X-Rate-Limit-*`` headers (when quotas are on) and is counted per endpoint -- except,
under the pessimistic ``bare_429_rate``, some over-quota 429s. Before anything else, whatever
the clock says is due shows (lagging writes, unlisted orders, late webhooks).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import anyio
from aiohttp import web

from flxd_bigcommerce.sandbox.auth import ApiToken, grants
from flxd_bigcommerce.sandbox.behaviour import PessimisticSettings
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.faults import Decision, Fault
from flxd_bigcommerce.sandbox.routes.responses import Api, error_response
from flxd_bigcommerce.sandbox.store import Store

if TYPE_CHECKING:
    from flxd_bigcommerce.sandbox.server import Sandbox

__all__ = ["Call", "Endpoint", "Handler", "gateway"]

_WRITES = frozenset({"POST", "PUT", "DELETE", "PATCH"})


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated request to one store."""

    request: web.Request
    sandbox: Sandbox
    store: Store
    token: ApiToken
    query: Mapping[str, str]
    now: datetime

    def path_int(self, name: str) -> int:
        try:
            return int(self.request.match_info[name])
        except ValueError:
            raise ApiError(404, "The requested resource was not found.") from None

    @property
    def pessimism(self) -> PessimisticSettings:
        """The pessimistic knobs in force (all off under the documented behaviour)."""
        return self.sandbox.behaviour.active

    @property
    def v2_base(self) -> str:
        return f"{self.request.url.origin()}/stores/{self.store.hash}/v2"

    async def json(self) -> Any:
        """The request body as JSON: 415 unless sent as JSON, 400 when it does not parse."""
        if self.request.content_type != "application/json":
            raise ApiError(415, "The Content-Type header must be application/json")
        raw = await self.request.read()
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The request body is not valid JSON") from None


Handler = Callable[[Call], Awaitable[web.Response]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """``path`` is relative to ``/stores/{store_hash}``; ``scope`` None needs no scope."""

    method: str
    path: str
    handler: Handler
    scope: str | None
    api: Api
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"{self.method} {self.path}")


def _fault_response(decision: Decision, api: Api) -> web.Response:
    if decision.fault is Fault.BARE_429:
        return error_response(ApiError(429, "Too many requests"), api)
    if decision.status == 500:
        return error_response(ApiError(500, "Internal Server Error"), api)
    return web.Response(
        status=decision.status,
        text=f"<html><body><h1>{decision.status}</h1>Upstream unavailable</body></html>",
        content_type="text/html",
    )


def _corrupt(response: web.Response, fault: Fault) -> web.Response:
    if fault is Fault.INVALID_JSON:
        body = b"<html><body>Service temporarily unavailable</body></html>"
    else:
        raw = response.body if isinstance(response.body, bytes) else b""
        body = raw[: max(1, len(raw) // 2)]
    corrupted = web.Response(
        body=body, status=response.status, content_type=response.content_type or "application/json"
    )
    for name in response.headers:
        if name.lower().startswith("x-"):
            corrupted.headers[name] = response.headers[name]
    return corrupted


def gateway(
    sandbox: Sandbox, endpoint: Endpoint
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        store = sandbox.stores.get(request.match_info["store_hash"])
        if store is None:
            return error_response(ApiError(404, "Store not found"), endpoint.api)
        store.settle()
        sandbox.dispatcher.release_due()
        response = await _serve(sandbox, store, endpoint, request)
        store.counters.record(endpoint.name, response.status if response is not None else 0)
        if response is None:  # a dropped connection
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=499)
        return response

    return handle


async def _serve(
    sandbox: Sandbox, store: Store, endpoint: Endpoint, request: web.Request
) -> web.Response | None:
    decision = store.faults.decide()
    if decision is not None and decision.fault.before_handler:
        store.faults.record(decision.fault)
        return None if decision.fault is Fault.DROP else _fault_response(decision, endpoint.api)
    quota = store.quota
    token = sandbox.tokens.lookup(request.headers.get("X-Auth-Token", ""))
    if token is None or token.revoked or token.store_hash != store.hash:
        return error_response(
            ApiError(401, "Unauthorized. The X-Auth-Token is missing, invalid or revoked."),
            endpoint.api,
            quota.headers(),
        )
    if not grants(token, endpoint.scope, write=endpoint.method in _WRITES):
        return error_response(
            ApiError(
                403, f"You don't have a required scope to access the endpoint ({endpoint.scope})."
            ),
            endpoint.api,
            quota.headers(),
        )
    if not quota.enter():
        return error_response(
            ApiError(429, "Too many concurrent requests"), endpoint.api, quota.headers()
        )
    try:
        decision_quota = quota.acquire()
        if not decision_quota.allowed:
            # A 429 without the headers is what BigCommerce sends under platform load
            # (D:RL#L93); the pessimistic behaviour sends some of the quota's 429s that way.
            bare = store.draws.bare_429(sandbox.behaviour.active.bare_429_rate)
            return error_response(
                ApiError(429, "Too many requests. The rate limit has been exceeded."),
                endpoint.api,
                None if bare else decision_quota.headers,
            )
        call = Call(
            request=request,
            sandbox=sandbox,
            store=store,
            token=token,
            query={k: v for k, v in request.query.items()},
            now=sandbox.clock.now(),
        )
        try:
            response = await endpoint.handler(call)
        except ApiError as error:
            response = error_response(error, endpoint.api)
        response.headers.update(decision_quota.headers)
        if decision is not None and decision.fault is Fault.SLOW:
            store.faults.record(decision.fault)
            # Real time on purpose: the point is to outlast the client's own timeout. The
            # request stays in flight meanwhile, as a slow answer does on the real service.
            await anyio.sleep(sandbox.config.fault_slow_ms / 1000)
    finally:
        quota.leave()
    if decision is not None and decision.fault in (Fault.TRUNCATED, Fault.INVALID_JSON):
        # A client can only notice a corrupt success with a body; an error status says enough.
        masked = response.status >= 300 or not response.body
        store.faults.record(decision.fault, masked=masked)
        response = _corrupt(response, decision.fault)
    return response
