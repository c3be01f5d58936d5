"""HTTP for channels. Core owns the aiohttp session, timeouts, the limiter and retries; a channel
only says how to read its API's responses (an HttpPolicy) and builds requests."""

from __future__ import annotations

import random
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from flxd import __version__
from flxd.clock import Clock
from flxd.errors import ChannelError, PermanentError, TransientError
from flxd.net.jsondecode import loads
from flxd.net.ratelimit import Limiter, QuotaReport
from flxd.net.retry import RetryPolicy, call_with_retry

__all__ = [
    "ConnectionDropped",
    "HttpClient",
    "HttpPolicy",
    "RequestSigner",
    "Response",
    "Signature",
    "open_session",
    "url_path",
]

USER_AGENT = f"flxd/{__version__} (+https://github.com/flxd/flxd)"
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Response:
    method: str
    url: str
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    data: Any = field(default=None)
    """The decoded JSON body (None when the body is empty or not JSON)."""
    planned: bool = False
    """A dry run's write: recorded in the plan, never sent (no status, no body)."""


@dataclass(frozen=True, slots=True)
class Signature:
    """What a RequestSigner adds to one attempt of a request."""

    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


RequestSigner = Callable[[str, str, Mapping[str, str | int]], Signature]
"""Credentials computed for each attempt: (method, url, query params) -> what to add. Called
again for every retry, right before it leaves (after any wait for quota), so a signature with
a timestamp and a nonce used once (OAuth 1.0a) is fresh on every attempt."""


class HttpPolicy(Protocol):
    """How a channel's API talks back. Pure functions of a response; no I/O."""

    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        """The rate-limit state the response headers report, if any."""
        ...

    def classify(self, response: Response) -> ChannelError | None:
        """None for success; otherwise the error this response means (RateLimited for a 429,
        AuthError for 401/403, TransientError for 5xx, PermanentError, …)."""
        ...


@dataclass(slots=True)
class _Reached:
    """Whether the store has answered this connection's client since flxd started."""

    ever: bool = False


class ConnectionDropped(aiohttp.ClientConnectionError):
    """The server closed the connection without an answer (see `_no_hidden_retry`)."""


async def _no_hidden_retry(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """aiohttp silently sends an idempotent request a second time when the server drops the
    connection. Retries are flxd's to make (bounded, logged, paced by the limiter), so the drop
    goes up as an error aiohttp does not retry, and flxd's policy decides."""
    try:
        return await handler(request)
    except aiohttp.ClientConnectorError:
        raise  # never reached the server; aiohttp does not retry these either
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
        raise ConnectionDropped(str(exc) or type(exc).__name__) from exc


@asynccontextmanager
async def open_session(*, limit: int = 100) -> AsyncIterator[aiohttp.ClientSession]:
    """The process's one HTTP session (connection pooling across every connection)."""
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=0, ttl_dns_cache=300)
    async with aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        raise_for_status=False,
        auto_decompress=True,
        middlewares=(_no_hidden_retry,),
    ) as session:
        yield session


class HttpClient:
    """One connection's HTTP: rate-limited by its limiter, retried by the one policy."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        limiter: Limiter,
        policy: HttpPolicy,
        clock: Clock,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        reached: _Reached | None = None,
        tls: ssl.SSLContext | None = None,
        share: float | None = None,
    ) -> None:
        self._session = session
        self.limiter = limiter
        self._policy = policy
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self._headers = dict(headers or {})
        self._rng = rng or random.Random()
        self._reached = reached or _Reached()
        self._tls = tls
        """The certificates to trust for this store (None: the system's)."""
        self.share = share
        """A background class's share of the connection's quota (see Limiter.slot)."""

    def with_share(self, share: float) -> HttpClient:
        """The same client (same limiter) for a background class of requests: they take at
        most `share` of the connection's quota and places in flight (the reconciliation pass)."""
        clone = self.with_headers({})
        clone.share = share
        return clone

    def with_headers(self, headers: Mapping[str, str]) -> HttpClient:
        """The same client (same limiter) sending extra headers, e.g. credentials."""
        clone = HttpClient(
            session=self._session,
            limiter=self.limiter,
            policy=self._policy,
            clock=self._clock,
            timeout=self._timeout.total or 30.0,
            retry=self._retry,
            headers={**self._headers, **headers},
            rng=self._rng,
            reached=self._reached,
            tls=self._tls,
            share=self.share,
        )
        return clone

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        plan: Any = None,
        irreversible: bool = False,
        read_only: bool = False,
        sign: RequestSigner | None = None,
    ) -> Response:
        """Send a request; returns the successful response or raises the classified error.

        `idempotent` defaults by method (POST and PATCH are not): a request that is not is never
        re-sent after it may have reached the server. `plan`, `irreversible` and `read_only`
        matter to a run's view of the client (flxd.net.runhttp.RunHttp); outside a run (checks,
        upkeep, OAuth exchanges) every request is sent as it is. `sign` adds credentials to
        each attempt (see RequestSigner).
        """
        method = method.upper()
        safe = method in _IDEMPOTENT if idempotent is None else idempotent
        merged = {**self._headers, **(headers or {})}

        async def attempt() -> Response:
            return await self._send(method, url, params, json_body, form, merged, sign)

        return await call_with_retry(
            attempt,
            policy=self._retry,
            clock=self._clock,
            limiter=self.limiter,
            rng=self._rng,
            idempotent=safe,
            what=f"{method} {url_path(url)}",
        )

    async def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str | int] | None,
        json_body: Any,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str],
        sign: RequestSigner | None = None,
    ) -> Response:
        async with self.limiter.slot(share=self.share) as ticket:
            if sign is not None:
                signature = sign(method, url, params or {})
                params = {**(params or {}), **signature.params}
                headers = {**headers, **signature.headers}
            started = self._clock.monotonic()
            try:
                async with self._session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    data=form,
                    headers=headers,
                    timeout=self._timeout,
                    ssl=self._tls if self._tls is not None else True,
                ) as raw:
                    body = await raw.read()
                    status, response_headers = raw.status, raw.headers
            except (TimeoutError, aiohttp.ClientError) as exc:
                # No answer: the server may be overloaded (adaptive concurrency backs off).
                latency = self._clock.monotonic() - started
                self.limiter.finished(ticket, latency=latency, overloaded=True)
                raise self._transport_error(method, url, exc) from None
            self.limiter.finished(
                ticket,
                latency=self._clock.monotonic() - started,
                overloaded=status == 429 or status >= 500,
            )
            self._reached.ever = True
            self.limiter.observe(ticket, self._policy.quota(response_headers))
        response = Response(method, url, status, response_headers, body)
        error = self._policy.classify(response)
        if error is not None:
            raise error
        if body and "json" in response_headers.get("Content-Type", ""):
            try:
                data = loads(body)
            except ValueError:
                raise TransientError(
                    f"{method} {url_path(url)}: invalid JSON in a {status} response "
                    f"({len(body)} bytes, truncated?)",
                    kind="invalid_json",
                ) from None
            response = Response(method, url, status, response_headers, body, data)
        return response

    def _transport_error(self, method: str, url: str, exc: Exception) -> ChannelError:
        """What a request that got no answer means for flxd."""
        if isinstance(exc, TimeoutError):
            return TransientError(f"{method} {url_path(url)} timed out", kind="timeout")
        if isinstance(exc, aiohttp.ClientConnectorCertificateError):
            return PermanentError(
                f"{_address(url)}: its TLS certificate is not trusted ({exc.certificate_error}); "
                "for a store with its own certificate authority, set the connection's ca_file"
            )
        if isinstance(exc, aiohttp.ClientConnectorError):
            where, cause = f"{_address(url)} for {method} {url_path(url)}", exc.os_error
            if not self._reached.ever:
                # Nothing has ever answered at this address: a wrong URL or a store that is
                # down, not a flaky network. Say so now rather than after the retries.
                return PermanentError(
                    f"cannot connect to {where}, where nothing has answered since flxd "
                    f"started (is the address right, is the store up?): {cause}"
                )
            message = f"cannot connect to {where}: {cause}"
            return TransientError(message, sent=False, kind="connect")
        if isinstance(
            exc,
            aiohttp.ClientPayloadError
            | aiohttp.ServerDisconnectedError
            | aiohttp.ClientOSError
            | ConnectionDropped,
        ):
            return TransientError(
                f"{method} {url_path(url)}: connection dropped ({exc})", kind="dropped"
            )
        raise exc


def _address(url: str) -> str:
    """host:port of a URL, for messages."""
    parsed = URL(url)
    return f"{parsed.host}:{parsed.port}"


def url_path(url: str) -> str:
    """The URL without scheme and host, for log lines (query strings may carry filters only)."""
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else url
