"""One run's view of its connection's HTTP: a dry run records writes instead of sending them, and
a write the channel marks irreversible waits for the lease to be confirmed first.

A channel never checks for a dry run itself: it describes each write as it sends it (`plan=`),
and core decides whether it leaves. In a dry run a write comes back as a `planned` Response with
no body; a channel that needs an answer's data (a created product's id) looks at `planned`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from multidict import CIMultiDict, CIMultiDictProxy

from flxd.net.http import HttpClient, RequestSigner, Response, url_path

__all__ = ["Http", "PlanEntry", "RunHttp"]

PlanEntry = Mapping[str, Any]
"""One write a dry run would have sent: {"action": "update_price", "sku": ..., ...}."""
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class Http(Protocol):
    """What a channel's API client sends requests through (a run's RunHttp, or the
    connection's HttpClient in checks and upkeep)."""

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
        plan: PlanEntry | Sequence[PlanEntry] | None = None,
        irreversible: bool = False,
        read_only: bool = False,
        sign: RequestSigner | None = None,
    ) -> Response: ...


class RunHttp:
    def __init__(
        self,
        client: HttpClient,
        *,
        dry_run: bool,
        record: Callable[[PlanEntry], None],
        confirm: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._client = client
        self.dry_run = dry_run
        self._record = record
        self._confirm = confirm
        self.limiter = client.limiter

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
        plan: PlanEntry | Sequence[PlanEntry] | None = None,
        irreversible: bool = False,
        read_only: bool = False,
        sign: RequestSigner | None = None,
    ) -> Response:
        """Send a request (see HttpClient.request). A write — any method but GET/HEAD/OPTIONS,
        unless `read_only` (a search sent as POST) — is described by `plan` for dry runs; in a
        dry run it is recorded and not sent. `irreversible`: a write nobody can take back (a
        POST creating something, a shipment emailing the customer): the connection's lease is
        confirmed right before it leaves."""
        method = method.upper()
        if method not in _READS and not read_only:
            if self.dry_run:
                for entry in _entries(plan, method, url):
                    self._record(entry)
                return Response(method, url, 0, CIMultiDictProxy(CIMultiDict()), b"", planned=True)
            if irreversible and self._confirm is not None:
                await self._confirm()
        return await self._client.request(
            method,
            url,
            params=params,
            json_body=json_body,
            form=form,
            headers=headers,
            idempotent=idempotent,
            sign=sign,
        )


def _entries(
    plan: PlanEntry | Sequence[PlanEntry] | None, method: str, url: str
) -> list[PlanEntry]:
    if plan is None:
        return [{"action": method.lower(), "path": url_path(url)}]
    if isinstance(plan, Mapping):
        return [plan]
    return list(plan)
